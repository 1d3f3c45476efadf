"""等保 login controls: the password policy on every path that sets one, a change page for every
user, changes forced when a password expires or was set by someone else, sessions that end when
idle and in any case after a while, and `check --deploy` clean with the HTTPS settings on."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from taizhang.audit.context import acting_as
from taizhang.audit.middleware import SEEN, STARTED
from taizhang.audit.models import AuditEntry, AuditKind, PasswordRecord
from taizhang.sheets.directory_import import import_users
from taizhang.sheets.errors import ImportRefused

ROOT = Path(__file__).resolve().parents[3]
GOOD = "Taizhang-2026!"


@pytest.mark.parametrize(
    ("password", "why"),
    [("Ab1!", "太短"), ("password", "太常见"), ("12345678901", "只包含数字"),
     ("abcdefgh1", "至少三种"), ("handler_a1X9", "相似")],
)  # fmt: skip
def test_weak_passwords_are_refused_in_chinese(world, password, why):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, world.handler_a1)
    assert why in " ".join(refused.value.messages)


def test_the_last_five_passwords_cannot_come_back(world):
    user = world.handler_a1
    for n in range(5):
        user.set_password(f"{GOOD}{n}")
        user.save()
    with pytest.raises(ValidationError, match="最近 5 次"):
        validate_password(f"{GOOD}1", user)
    user.set_password(f"{GOOD}5")
    user.save()
    validate_password(f"{GOOD}0", user)  # six changes ago: allowed again


def test_every_user_changes_their_password_on_their_own_page(world):
    user = world.handler_b1
    user.set_password(GOOD)
    user.save()
    client = Client()
    client.post(reverse("login"), {"username": user.username, "password": GOOD})
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "至少三种" in page.content.decode()
    weak = client.post(reverse("password_change"), {"old_password": GOOD,
                       "new_password1": "abcdefgh", "new_password2": "abcdefgh"})  # fmt: skip
    assert weak.status_code == 200 and "至少三种" in weak.content.decode()
    done = client.post(
        reverse("password_change"),
        {
            "old_password": GOOD,
            "new_password1": "Another-Pass-7",
            "new_password2": "Another-Pass-7",
        },
    )
    assert done.status_code == 302  # fmt: skip
    assert AuditEntry.objects.filter(kind=AuditKind.PASSWORD, target=user.username).count() == 2


def test_a_password_set_by_an_administrator_or_past_its_age_is_changed_first(world, settings):
    user = world.handler_b1
    with acting_as(world.office):  # the office resets it in the admin
        user.set_password(GOOD)
        user.save()
    client = Client()
    client.post(reverse("login"), {"username": user.username, "password": GOOD})
    home = client.get(reverse("todo", args=[world.campaign.slug]))
    assert home.status_code == 302 and home.url.startswith(reverse("password_change"))
    assert "初始密码" in client.get(home.url).content.decode()
    client.post(home.url, {"old_password": GOOD, "new_password1": "Mine-Own-Pass-8",
                           "new_password2": "Mine-Own-Pass-8"})  # fmt: skip
    assert client.get(reverse("todo", args=[world.campaign.slug])).status_code == 200
    settings.PASSWORD_MAX_AGE_DAYS = 90
    PasswordRecord.objects.filter(user=user).update(set_at=timezone.now() - dt.timedelta(days=91))
    again = Client()
    again.post(reverse("login"), {"username": user.username, "password": "Mine-Own-Pass-8"})
    expired = again.get(reverse("todo", args=[world.campaign.slug]))
    assert expired.status_code == 302 and "超过 90 天" in again.get(expired.url).content.decode()


def test_an_imported_password_meets_the_policy(world, tmp_path):
    wb = Workbook()
    wb.active.append(["用户名", "姓名", "单位代码", "角色", "初始密码"])
    wb.active.append(["zhao", "赵磊", world.dept_a1.code, "经办人", "123456"])
    path = tmp_path / "人员.xlsx"
    wb.save(path)
    with pytest.raises(ImportRefused) as refused:
        import_users(path, by=world.office)
    error = refused.value.errors[0]
    assert (error.row, error.column) == (2, "初始密码") and "太短" in error.message


def test_an_idle_session_ends_and_a_long_one_too(world, settings):
    settings.SESSION_IDLE_MINUTES, settings.SESSION_COOKIE_AGE = 30, 12 * 3600
    client = Client()
    client.force_login(world.handler_a1)
    url = reverse("todo", args=[world.campaign.slug])
    assert client.get(url).status_code == 200
    session = client.session
    session[SEEN] = time.time() - 31 * 60
    session.save()
    idle = client.get(url)
    assert idle.status_code == 302 and idle.url.startswith(reverse("login"))
    assert "会话超时" in AuditEntry.objects.filter(kind=AuditKind.LOGOUT).latest("pk").summary
    client.force_login(world.handler_a1)
    session = client.session
    session[STARTED] = time.time() - 13 * 3600  # busy all day, but past the lifetime
    session.save()
    assert client.get(url).status_code == 302


def test_check_deploy_reports_nothing_with_the_production_settings(tmp_path):
    env = {**os.environ, "TAIZHANG_VAR_DIR": str(tmp_path / "var"), "TAIZHANG_HTTPS": "1",
           "TAIZHANG_PROXY_SSL_HEADER": "1", "TAIZHANG_ALLOWED_HOSTS": "ledger.example.gov.cn",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}  # fmt: skip
    env.pop("TAIZHANG_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "taizhang", "check", "--deploy",
                           "--fail-level", "WARNING"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
