"""Login failures lock the account for a while (登录失败处理, GB/T 22239-2019 8.1.4.1 b): after
`LOGIN_FAILURES_BEFORE_LOCK` wrong passwords for one user name within `LOCKOUT_MINUTES`, every
login to it is refused until the failures fall out of that time, and the lock-out is audited.
The counts are shared by every server process (core.throttle)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from taizhang.audit.context import Actor
from taizhang.audit.models import AuditKind
from taizhang.audit.services import record
from taizhang.core import throttle
from taizhang.core.clientip import client_ip


def _key(username: str) -> str:
    return f"login-failed:{username.strip().lower()}"


def _window() -> int:
    return int(settings.LOCKOUT_MINUTES) * 60


def is_locked(username: str) -> bool:
    limit = int(settings.LOGIN_FAILURES_BEFORE_LOCK)
    return bool(username) and throttle.count(_key(username), window=_window()) >= limit


def count_failure(username: str, request: HttpRequest | None) -> None:
    """One more failure; the one that reaches the limit locks the account (and says so)."""
    if not username:
        return
    limit = int(settings.LOGIN_FAILURES_BEFORE_LOCK)
    failures = throttle.hit(_key(username), window=_window())
    if failures >= limit > failures - 1:
        ip = (client_ip(request) or None) if request is not None else None
        record(
            AuditKind.LOCKOUT,
            f"{username} 连续 {limit} 次登录失败,锁定 {settings.LOCKOUT_MINUTES} 分钟",
            target=username[:150],
            actor=Actor(None, "", ip),
            detail={"failures": limit, "minutes": settings.LOCKOUT_MINUTES},
        )


class LockingModelBackend(ModelBackend):
    """Django's own password check, refused while the user name is locked (even with the right
    password: that is what a lock is)."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
        **kwargs: Any,
    ) -> Any:  # fmt: skip
        if username and is_locked(username):
            raise PermissionDenied("locked")  # stops here; Django reports a failed login
        return super().authenticate(request, username=username, password=password, **kwargs)
