"""Who is acting now, for the audit log: the request's user (set by AuditMiddleware), the
person or command line a command acts for (`acting_as`), or the system (the nightly run). Kept
free of models, so the console script can set it before Django starts."""

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from taizhang.core.clientip import client_ip


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str
    ip: str | None = None


SYSTEM = Actor(None, "系统")
# Who is acting now: the request's user (set by AuditMiddleware), or the person a command acts
# for (`acting_as`); the system otherwise (the nightly run, a migration).
_current: contextvars.ContextVar[HttpRequest | Actor | None] = contextvars.ContextVar(
    "audit_actor", default=None
)


def actor_of(user: Any, ip: str | None = None) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(None, "", ip)
    return Actor(user.pk, user.get_username(), ip)


def request_ip(request: HttpRequest | None) -> str | None:
    """The address a request came from (behind trusted proxies), None without a request."""
    return (client_ip(request) or None) if request is not None else None


def current_actor() -> Actor:
    acting = _current.get()
    if isinstance(acting, Actor):
        return acting
    if acting is None:
        return SYSTEM
    return actor_of(getattr(acting, "user", None), client_ip(acting) or None)


@contextlib.contextmanager
def acting_as(who: HttpRequest | Actor | Any) -> Iterator[None]:
    """Entries written inside are the request's, the Actor's, or this user's."""
    if not isinstance(who, HttpRequest | Actor):
        who = actor_of(who)
    token = _current.set(who)
    try:
        yield
    finally:
        _current.reset(token)
