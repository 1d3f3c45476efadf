"""Wrong passwords lock an account for a while (登录失败处理), even against the right password,
and the lock-out is in the security audit log."""

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from taizhang.audit.models import AuditEntry, AuditKind

PASSWORD = "Correct-horse-9"


def _login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_account_and_the_lock_passes(world, settings, monkeypatch):
    settings.LOGIN_FAILURES_BEFORE_LOCK, settings.LOCKOUT_MINUTES = 5, 30
    user = world.handler_a1
    user.set_password(PASSWORD)
    user.save()
    client = Client(REMOTE_ADDR="10.9.8.7")
    for _attempt in range(5):
        assert _login(client, user.username, "wrong").status_code == 200
    locked = AuditEntry.objects.filter(kind=AuditKind.LOCKOUT)
    assert locked.count() == 1 and locked.get().target == user.username
    assert (
        locked.get().ip == "10.9.8.7" and "连续 5 次登录失败,锁定 30 分钟" in locked.get().summary
    )
    page = _login(client, user.username, PASSWORD)  # the right password, but locked
    assert page.status_code == 200 and "_auth_user_id" not in client.session
    assert "已被锁定" in page.content.decode()
    assert locked.count() == 1  # locked once, not once per attempt
    other = world.handler_a2
    other.set_password(PASSWORD)
    other.save()
    assert _login(Client(), other.username, PASSWORD).status_code == 302  # others are not
    later = timezone.now() + dt.timedelta(minutes=61)
    monkeypatch.setattr("taizhang.core.throttle.timezone.now", lambda: later)
    assert _login(client, user.username, PASSWORD).status_code == 302
