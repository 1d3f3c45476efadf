"""Writes to the org tree. Paths are derived here and nowhere else."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from taizhang.orgs.models import Org, OrgAlias, Role, RoleAssignment
from taizhang.orgs.signals import org_moved


def child_path(parent: Org | None, code: str) -> str:
    return f"{parent.path if parent else '/'}{code}/"


@transaction.atomic
def create_org(*, code: str, name: str, kind: str, parent: Org | None = None) -> Org:
    code = code.strip()
    if not code or "/" in code:
        raise ValidationError(_("单位代码不能为空,也不能含有“/”。"))
    if Org.objects.filter(code=code).exists():
        raise ValidationError(_("单位代码 %(code)s 已存在。") % {"code": code})
    return Org.objects.create(
        code=code,
        name=name.strip(),
        kind=kind,
        parent=parent,
        path=child_path(parent, code),
        depth=parent.depth + 1 if parent else 0,
    )


@transaction.atomic
def move_org(org: Org, new_parent: Org) -> Org:
    """Re-hang a subtree; every path below follows, and so does every copy of one that other
    apps keep (they listen to `org_moved`, sent inside this transaction)."""
    if new_parent.path.startswith(org.path):
        raise ValidationError(_("不能把单位移到它自己的下级单位之下。"))
    old_path, new_path = org.path, child_path(new_parent, org.code)
    depth_change = new_parent.depth + 1 - org.depth
    Org.objects.filter(path__startswith=old_path).update(
        path=moved_path("path", old_path, new_path), depth=F("depth") + depth_change
    )
    Org.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    org_moved.send(sender=Org, old_path=old_path, new_path=new_path)
    return org


def moved_path(field: str, old_path: str, new_path: str) -> Concat:
    """The expression that rewrites `field` of a row under `old_path` to lie under `new_path`;
    for `.filter(**{f"{field}__startswith": old_path}).update(**{field: moved_path(…)})`."""
    return Concat(Value(new_path), Substr(field, len(old_path) + 1))


@transaction.atomic
def set_aliases(org: Org, names: list[str]) -> list[str]:
    """The unit's other names, replacing those it had; a name another unit already has (as its
    name or an alias) is refused with that unit named."""
    wanted = sorted({n.strip() for n in names if n.strip() and n.strip() != org.name})
    for name in wanted:
        other = (
            Org.objects.filter(name=name).exclude(pk=org.pk).first()
            or Org.objects.filter(aliases__name=name).exclude(pk=org.pk).first()
        )
        if other is not None:
            raise ValidationError(
                _("别名“%(a)s”已是“%(o)s”(%(c)s)的名称或别名。")
                % {"a": name, "o": other.name, "c": other.code}
            )
    OrgAlias.objects.filter(org=org).exclude(name__in=wanted).delete()
    for name in wanted:
        OrgAlias.objects.get_or_create(org=org, name=name)
    return wanted


def assign_role(user: User, org: Org, role: Role | str) -> RoleAssignment:
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, org=org, role=role, via=""
    )
    return assignment
