from django.dispatch import Signal

# Sent after role assignments were written in bulk (bulk_create sends no post_save), so that
# whatever holds users' scopes can let go of them.
roles_changed = Signal()

# Sent inside the transaction that moves a subtree, with old_path and new_path: every app that
# keeps a copy of a unit's path (problems, notices, meetings, their tallies) rewrites it there,
# so after a move nobody sees a problem without its notice, or a figure under the old parent.
org_moved = Signal()
