"""The one place that decides which part of the org tree a user reaches, and how.

A role held at an org reaches that org's whole subtree. Pages, the API, exports, figures and
imports all ask here; nothing else reads RoleAssignment to decide access.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from taizhang.orgs.models import Org, Role, RoleAssignment

READ_ROLES = frozenset(Role.values)
# Roles that may record and change problems of the units where they are held.
WRITE_ROLES = frozenset({Role.OFFICE, Role.ADMIN, Role.HANDLER})
# Roles that decide for the units below them (closure, extensions, returns).
DECIDE_ROLES = frozenset({Role.OFFICE, Role.LEADER})
# Roles that assign problems to units below them and arbitrate returned ones.
ASSIGN_ROLES = frozenset({Role.OFFICE, Role.ADMIN})


@dataclass(frozen=True)
class Grant:
    role: str
    org_id: int
    path: str


@dataclass(frozen=True)
class Scope:
    grants: tuple[Grant, ...]
    is_superuser: bool = False

    def paths(self, roles: Iterable[str] = READ_ROLES) -> list[str]:
        if self.is_superuser:
            return ["/"]
        wanted = set(roles)
        return sorted({g.path for g in self.grants if g.role in wanted})

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or any(g.role in roles for g in self.grants)

    def reaches(self, path: str, roles: Iterable[str] = READ_ROLES) -> bool:
        return any(path.startswith(p) for p in self.paths(roles))

    def reaches_from_above(self, path: str, roles: Iterable[str]) -> bool:
        """True when a role is held at a strict ancestor of `path`, or at the root for the root."""
        for p in self.paths(roles):
            if path.startswith(p) and (path != p or p.count("/") == 2 or p == "/"):
                return True
        return False

    def handles_exactly(self, org_id: int) -> bool:
        return any(g.role == Role.HANDLER and g.org_id == org_id for g in self.grants)

    @property
    def is_empty(self) -> bool:
        return not self.is_superuser and not self.grants


EMPTY_SCOPE = Scope(grants=())


def scope_of(user: Any) -> Scope:
    """The user's scope, read once per request and kept on the user object."""
    if user is None or isinstance(user, AnonymousUser) or not getattr(user, "is_active", False):
        return EMPTY_SCOPE
    cached = getattr(user, "_taizhang_scope", None)
    if cached is not None:
        return cached
    grants = tuple(
        Grant(role=role, org_id=org_id, path=path)
        for role, org_id, path in RoleAssignment.objects.filter(user=user).values_list(
            "role", "org_id", "org__path"
        )
    )
    scope = Scope(grants=grants, is_superuser=bool(getattr(user, "is_superuser", False)))
    user._taizhang_scope = scope  # type: ignore[attr-defined]
    return scope


def holders(codes: Iterable[str], roles: Iterable[str]) -> dict[tuple[str, str], list[Any]]:
    """(unit code, role) → the active users who hold that role at that unit: the other way
    round from `scope_of`, for telling people about work at their unit."""
    found: dict[tuple[str, str], list[Any]] = {}
    for a in RoleAssignment.objects.filter(
        org__code__in=set(codes), role__in=tuple(roles)
    ).select_related("user", "org"):
        if a.user.is_active:
            found.setdefault((a.org.code, a.role), []).append(a.user)
    return found


def path_filter(field: str, paths: Iterable[str]) -> Q:
    """Rows whose `field` path lies in any of the subtrees; an empty list matches nothing."""
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{f"{field}__under": path})
    return query


def visible_orgs(user: object, roles: Iterable[str] = READ_ROLES) -> QuerySet[Org]:
    return Org.objects.filter(path_filter("path", scope_of(user).paths(roles)))
