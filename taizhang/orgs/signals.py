from django.dispatch import Signal

# Sent after role assignments were written in bulk (bulk_create sends no post_save), so that
# whatever holds users' scopes can let go of them.
roles_changed = Signal()
