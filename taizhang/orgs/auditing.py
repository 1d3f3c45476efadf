"""Role grants and withdrawals in the security audit log, by whichever path they come: a page,
the admin, the users import, an inspection team, a directory sync."""

from typing import Any

from django.db.models.signals import post_delete, post_save

from taizhang.audit.models import AuditKind
from taizhang.audit.services import record
from taizhang.orgs.models import RoleAssignment


def record_role(assignment: RoleAssignment, granted: bool) -> None:
    user = assignment.user.get_username()
    what = f"{assignment.org.name}{assignment.get_role_display()}"
    via = f"({assignment.via})" if assignment.via else ""
    record(
        AuditKind.ROLE_GRANT if granted else AuditKind.ROLE_WITHDRAW,
        f"{'授予' if granted else '撤销'} {user} {what}{via}",
        target=user,
        detail={"org": assignment.org.code, "role": assignment.role, "via": assignment.via},
    )


def _saved(sender: Any, instance: RoleAssignment, created: bool, raw: bool = False,
           **kw: Any) -> None:  # fmt: skip
    if not raw:
        record_role(instance, granted=True)


def _deleted(sender: Any, instance: RoleAssignment, **kw: Any) -> None:
    record_role(instance, granted=False)


def connect() -> None:
    post_save.connect(_saved, sender=RoleAssignment, dispatch_uid="orgs-audit-role-saved")
    post_delete.connect(_deleted, sender=RoleAssignment, dispatch_uid="orgs-audit-role-deleted")
