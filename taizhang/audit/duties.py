"""三员分立 (separated duties, GB/T 22239-2019 8.1.4.2 e): the system administrator keeps
accounts and settings, the security administrator grants roles, the security auditor reads the
audit log — three groups, each with only its permissions, and no account in two of them. The
Django superuser is for installing and upgrading only."""

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from taizhang.audit.access import AUDITOR_GROUP

SYSTEM_ADMIN_GROUP = "系统管理员"
SECURITY_ADMIN_GROUP = "安全管理员"
DUTIES = (SYSTEM_ADMIN_GROUP, SECURITY_ADMIN_GROUP, AUDITOR_GROUP)
# Each duty's permissions, as (app label, model) pairs, all four actions unless named.
PERMISSIONS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    SYSTEM_ADMIN_GROUP: [
        ("auth", "user", ("view", "add", "change")),
        ("orgs", "org", ("view", "add", "change")),
        ("campaigns", "campaign", ("view", "add", "change")),
        ("workdays", "officialday", ("view", "add", "change", "delete")),
        ("workdays", "scheduleyear", ("view", "add", "change")),
        ("notifications", "contact", ("view", "change")),
        ("api", "apitoken", ("view", "change")),
    ],
    SECURITY_ADMIN_GROUP: [
        ("orgs", "roleassignment", ("view", "add", "change", "delete")),
        ("auth", "user", ("view",)),
        ("auth", "group", ("view",)),
    ],
    AUDITOR_GROUP: [],  # the audit log's page only (audit.access.is_auditor)
}


def set_up() -> dict[str, int]:
    """Create the three groups with exactly their permissions (again: no harm)."""
    made = {}
    for name, wanted in PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        query = Q(pk__in=[])
        for app, model, actions in wanted:
            query |= Q(content_type__app_label=app, content_type__model=model,
                       codename__in=[f"{a}_{model}" for a in actions])  # fmt: skip
        permissions = list(Permission.objects.filter(query))
        group.permissions.set(permissions)
        made[name] = len(permissions)
    return made


def duties_of(user: Any) -> list[str]:
    return sorted(user.groups.filter(name__in=DUTIES).values_list("name", flat=True))


def check_one_duty(user: Any, adding: list[str]) -> None:
    """Refuse a second duty to one account (no day-to-day account holds two)."""
    new = {name for name in adding if name in DUTIES}
    if not new:
        return
    held = set(duties_of(user)) if user.pk else set()
    if len(held | new) > 1:
        raise ValidationError(
            _("%(u)s 不能同时担任“%(d)s”:三员分立,每个账号只担任一种职责。")
            % {"u": user.get_username(), "d": "、".join(sorted(held | new))}
        )
