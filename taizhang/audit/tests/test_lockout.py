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


def test_one_address_trying_many_names_is_locked_and_an_admin_lifts_a_lock(world, settings):
    settings.LOGIN_FAILURES_BEFORE_LOCK, settings.LOGIN_FAILURES_PER_ADDRESS = 5, 3
    user = world.handler_b1
    user.set_password(PASSWORD)
    user.save()
    sprayer = Client(REMOTE_ADDR="10.6.6.6")
    for name in ("alice", "bob", "carol"):  # one try each: no name is locked, the address is
        _login(sprayer, name, "wrong")
    assert AuditEntry.objects.filter(kind=AuditKind.LOCKOUT, target="10.6.6.6").exists()
    refused = _login(sprayer, user.username, PASSWORD)
    assert "_auth_user_id" not in sprayer.session and "已被锁定" in refused.content.decode()
    assert _login(Client(REMOTE_ADDR="10.1.1.1"), user.username, PASSWORD).status_code == 302
    # A locked name, unlocked early by an administrator in the admin.
    settings.LOGIN_FAILURES_PER_ADDRESS = 100
    for _attempt in range(5):
        _login(Client(REMOTE_ADDR="10.2.2.2"), user.username, "wrong")
    assert _login(Client(REMOTE_ADDR="10.3.3.3"), user.username, PASSWORD).status_code == 200
    admin = Client()
    world.office.is_staff = world.office.is_superuser = True
    world.office.save()
    admin.force_login(world.office)
    admin.post(reverse("admin:auth_user_changelist"),
               {"action": "unlock", "_selected_action": [user.pk]})  # fmt: skip
    assert AuditEntry.objects.filter(summary=f"解除 {user.username} 的登录锁定").exists()
    assert _login(Client(REMOTE_ADDR="10.3.3.3"), user.username, PASSWORD).status_code == 302
