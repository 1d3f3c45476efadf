"""Login failures lock for a while (登录失败处理, GB/T 22239-2019 8.1.4.1 b): after
`LOGIN_FAILURES_BEFORE_LOCK` wrong passwords for one user name, or
`LOGIN_FAILURES_PER_ADDRESS` from one address (someone trying many names), within
`LOCKOUT_MINUTES`, logins to that name or from that address are refused until the failures fall
out of that time, or an administrator lifts the lock. Each lock and unlock is audited. The
counts are shared by every server process (core.throttle)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from taizhang.audit.context import Actor, request_ip
from taizhang.audit.models import AuditKind
from taizhang.audit.services import record
from taizhang.core import throttle


def _key(username: str) -> str:
    return f"login-failed:{username.strip().lower()}"


def _address_key(ip: str) -> str:
    return f"login-failed-from:{ip}"


def _window() -> int:
    return int(settings.LOCKOUT_MINUTES) * 60


def is_locked(username: str) -> bool:
    limit = int(settings.LOGIN_FAILURES_BEFORE_LOCK)
    return bool(username) and throttle.count(_key(username), window=_window()) >= limit


def address_locked(ip: str) -> bool:
    limit = int(settings.LOGIN_FAILURES_PER_ADDRESS)
    return bool(ip) and throttle.count(_address_key(ip), window=_window()) >= limit


def count_failure(username: str, request: HttpRequest | None) -> None:
    """One more failure, for the name and the address; the one that reaches a limit locks it
    (and says so, once)."""
    ip = request_ip(request) or ""
    minutes = settings.LOCKOUT_MINUTES
    for key, limit, what in (
        (_key(username) if username else "", int(settings.LOGIN_FAILURES_BEFORE_LOCK), username),
        (_address_key(ip) if ip else "", int(settings.LOGIN_FAILURES_PER_ADDRESS), ip),
    ):
        if not key:
            continue
        failures = throttle.hit(key, window=_window())
        if failures >= limit > failures - 1:
            subject = what if what == username else f"地址 {ip}"
            record(AuditKind.LOCKOUT, f"{subject} 连续 {limit} 次登录失败,锁定 {minutes} 分钟",
                   target=str(what)[:150], actor=Actor(None, "", ip or None),
                   detail={"failures": limit, "minutes": minutes,
                           "by": "username" if what == username else "address"})  # fmt: skip


def unlock(username: str, *, by: Any) -> None:
    """An administrator lifts a user name's lock before it passes."""
    throttle.reset(_key(username))
    record(AuditKind.LOCKOUT, f"解除 {username} 的登录锁定", target=username[:150],
           actor=Actor(by.pk, by.get_username()), detail={"unlocked": True})  # fmt: skip


class LockingModelBackend(ModelBackend):
    """Django's own password check, refused while the user name or the address is locked
    (even with the right password: that is what a lock is)."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
        **kwargs: Any,
    ) -> Any:  # fmt: skip
        if (username and is_locked(username)) or address_locked(request_ip(request) or ""):
            raise PermissionDenied("locked")  # stops here; Django reports a failed login
        return super().authenticate(request, username=username, password=password, **kwargs)
