"""Logging in with the directory's password and `taizhang directory sync`, against a real
slapd: accounts created, placed in units by the attribute mapping, moved, deactivated when
people leave (never deleted), reactivated when they come back; a dry run that changes
nothing; a sync that would deactivate too many stops."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from taizhang.audit.models import AuditEntry, AuditKind
from taizhang.core.housekeeping import run_nightly
from taizhang.identity.checks import configuration
from taizhang.identity.models import ExternalAccount, Platform
from taizhang.identity.tests.platforms.slapd import SUFFIX, add
from taizhang.orgs.models import Role, RoleAssignment

User = get_user_model()


def _roles(user) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return {(a.org.code, a.role, a.via) for a in RoleAssignment.objects.filter(user=user)}


def signed_in(client: Client) -> bool:
    """Whether the client's session still opens the staff pages (not the login page)."""
    landed = client.get(reverse("home"), follow=True)
    return landed.status_code == 200 and landed.request["PATH_INFO"] != reverse("login")


def _sync(*args: str) -> str:
    out = StringIO()
    call_command("directory", "sync", *args, stdout=out)
    return out.getvalue()


def test_the_directory_password_logs_in_and_places_the_person(world, directory):
    directory.person("zhaoliu", "赵六", unit="尧都区发改局", role="经办人", password="dir-pw-1")
    client = Client()
    wrong = client.post(reverse("login"), {"username": "zhaoliu", "password": "nope"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(kind=AuditKind.LOGIN_FAILED, target="zhaoliu").exists()
    page = client.post(reverse("login"), {"username": "zhaoliu", "password": "dir-pw-1"})
    assert page.status_code == 302
    user = User.objects.get(username="zhaoliu")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.first_name == "赵六" and user.email == "zhaoliu@linfen.gov.cn"
    assert not user.has_usable_password()  # the directory keeps the password, not taizhang
    assert _roles(user) == {("141002801", Role.HANDLER, "directory")}
    link = ExternalAccount.objects.get(user=user)
    assert (link.platform, link.subject) == (Platform.LDAP, directory.dn("zhaoliu"))
    login = AuditEntry.objects.filter(kind=AuditKind.LOGIN, target="zhaoliu").get()
    assert login.detail["by"] == "DirectoryBackend"
    assert signed_in(client)


def test_the_lock_out_holds_for_directory_passwords(world, directory, settings):
    settings.LOGIN_FAILURES_BEFORE_LOCK = 3
    directory.person("qianqi", "钱七", unit="141002801", password="dir-pw-2")
    client = Client(REMOTE_ADDR="10.1.2.3")
    for _attempt in range(3):
        client.post(reverse("login"), {"username": "qianqi", "password": "wrong"})
    page = client.post(reverse("login"), {"username": "qianqi", "password": "dir-pw-2"})
    assert "_auth_user_id" not in client.session and "已被锁定" in page.content.decode()


def test_a_dry_run_says_what_a_sync_would_do_and_changes_nothing(world, directory):
    directory.person("zhaoliu", "赵六", unit="尧都区发改局", role="经办人")
    directory.person("sunba", "孙八", unit="141081", role="领导")
    directory.person("zhoujiu", "周九", unit="不存在的局")
    users, roles, audit = (
        User.objects.count(),
        RoleAssignment.objects.count(),
        AuditEntry.objects.count(),
    )
    said = _sync("--dry-run")
    assert "新建 zhaoliu(赵六)" in said and "新建 sunba(孙八)" in said
    assert "调整角色 zhaoliu(赵六) → 尧都区发改局 经办人" in said
    assert "调整角色 sunba(孙八) → 侯马市 领导" in said
    assert "问题 zhoujiu(周九):找不到单位“不存在的局”。" in said
    assert "试运行,未写入任何更改:读到目录中 3 人;新建 3" in said
    assert (User.objects.count(), RoleAssignment.objects.count()) == (users, roles)
    assert AuditEntry.objects.count() == audit  # not even the run's own entry
    report = json.loads(_sync("--dry-run", "--json"))
    assert report["dry_run"] and len(report["created"]) == 3 and len(report["problems"]) == 1


def test_a_sync_creates_moves_deactivates_and_reactivates(world, directory):
    directory.person("zhaoliu", "赵六", unit="尧都区发改局", role="经办人")
    directory.person("sunba", "孙八", unit="141081", role="领导")
    said = _sync()
    assert "已同步:读到目录中 2 人;新建 2" in said
    zhao, sun = User.objects.get(username="zhaoliu"), User.objects.get(username="sunba")
    assert _roles(sun) == {("141081", Role.LEADER, "directory")}
    given = RoleAssignment.objects.create(user=zhao, org=world.town_a2, role=Role.HANDLER)
    summary = AuditEntry.objects.filter(kind=AuditKind.ACCOUNT, target="directory").get()
    assert "新建 2" in summary.summary and summary.detail["created"] == 2

    directory.change("zhaoliu", departmentNumber="尧都区大阳镇", cn="赵六六")
    directory.remove("sunba")
    said = _sync()
    zhao.refresh_from_db()
    sun.refresh_from_db()
    assert zhao.first_name == "赵六六" and "更新 zhaoliu(赵六六):更新 first_name" in said
    assert _roles(zhao) == {("141002101", Role.HANDLER, "directory"),
                            ("141002101", Role.HANDLER, "")}  # fmt: skip
    assert RoleAssignment.objects.filter(pk=given.pk).exists()  # given by hand: kept
    assert not sun.is_active and "停用 sunba:已不在目录中" in said
    assert User.objects.filter(username="sunba").exists()  # never deleted

    directory.person("sunba", "孙八", unit="141081", role="领导")
    said = _sync()
    sun.refresh_from_db()
    assert sun.is_active and "恢复 sunba(孙八)" in said
    assert "读到目录中 2 人;新建 0,更新 0,调整角色 0,停用 0,恢复 1" in said


def test_an_account_an_admin_turned_off_stays_off(world, directory):
    directory.person("zhaoliu", "赵六", unit="141002801")
    _sync()
    zhao = User.objects.get(username="zhaoliu")
    zhao.is_active = False
    zhao.save()
    _sync()
    zhao.refresh_from_db()
    assert not zhao.is_active


def test_a_deactivated_person_is_logged_out_at_once(world, directory):
    directory.person("zhaoliu", "赵六", unit="141002801", password="dir-pw-1")
    client = Client()
    client.post(reverse("login"), {"username": "zhaoliu", "password": "dir-pw-1"})
    assert signed_in(client)
    directory.person("sunba", "孙八", unit="141081")
    directory.remove("zhaoliu")
    _sync()
    assert not signed_in(client)  # back to the login page


def test_a_sync_that_would_deactivate_too_many_stops(world, directory, settings):
    for n in range(12):
        directory.person(f"p{n}", f"人员{n}", unit="141002801")
    _sync()
    for n in range(11):
        directory.remove(f"p{n}")
    with pytest.raises(CommandError, match="本次同步将停用 11 个账号,超过上限 10"):
        _sync()
    assert User.objects.filter(username__startswith="p", is_active=True).count() == 12
    assert "停用 11" in _sync("--force")


def test_an_empty_or_unreachable_directory_changes_nothing(world, directory, settings):
    with pytest.raises(CommandError, match="目录中没有找到任何人员"):
        _sync()
    settings.AUTH_LDAP_SERVER_URI = "ldap://127.0.0.1:9/"
    with pytest.raises(CommandError, match="读取目录失败"):
        _sync()
    settings.AUTH_LDAP_SERVER_URI = ""
    with pytest.raises(CommandError, match="未配置目录"):
        _sync()


def test_units_from_the_entrys_ou_and_roles_by_mapping(world, directory, settings):
    ou = f"ou=侯马市教育局,{directory.base}"
    add(directory.conn, ou, objectClass=["organizationalUnit"], ou="侯马市教育局")
    add(directory.conn, f"uid=wu,{ou}", objectClass=["inetOrgPerson"], uid="wu", cn="吴十",
        sn="吴", employeeType="Staff")  # fmt: skip
    settings.LDAP_UNIT_ATTRIBUTE = "dn:ou"
    settings.LDAP_ROLES = {"Staff": "handler"}
    _sync()
    assert _roles(User.objects.get(username="wu")) == {("141081801", Role.HANDLER, "directory")}


def test_the_id_number_from_the_directory_is_kept_only_as_a_digest(world, directory, settings):
    settings.LDAP_ID_NUMBER_ATTRIBUTE = "employeeNumber"
    directory.person("zhaoliu", "赵六", unit="141002801", employeeNumber="14100219800101001x")
    directory.person("bad", "错号", unit="141002801", employeeNumber="12345")
    said = _sync()
    held = User.objects.get(username="zhaoliu").id_number.digest
    assert len(held) == 64 and "1410021980" not in held
    assert "问题 bad(错号):身份证号“12345”格式不正确" in said


def test_the_sync_runs_at_night_when_a_directory_is_configured(world, directory):
    directory.person("zhaoliu", "赵六", unit="141002801")
    done = run_nightly()
    assert done["sync_at_night"] == 2  # created, placed
    assert User.objects.get(username="zhaoliu").role_assignments.count() == 1


def test_settings_that_cannot_work_are_named_by_the_checks(settings):
    assert configuration() == []
    settings.SSO_MATCH, settings.SSO_ID_FORM = "email", "md5"
    settings.OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID = "https://sso.example.gov.cn", ""
    settings.AUTH_LDAP_SERVER_URI, settings.LDAP_USER_BASE = "ldap://dc", ""
    settings.LDAP_ROLES = {"科员": "clerk"}
    codes = {m.id for m in configuration()}
    assert codes == {f"taizhang.E{n}" for n in (101, 102, 103, 104, 105)}


def test_a_directory_that_lists_only_some_people_changes_nothing(world, directory, settings):
    """slapd gives an account without a raised limit 500 entries a search: a sync must not
    take the first 500 for everyone (the rest would look like people who left)."""
    add(directory.conn, f"cn=limited,{SUFFIX}", objectClass=["organizationalRole",
        "simpleSecurityObject"], cn="limited", userPassword="limited-pw")  # fmt: skip
    for n in range(501):
        directory.person(f"m{n}", f"人员{n}", unit="141002801")
    settings.AUTH_LDAP_BIND_DN, settings.AUTH_LDAP_BIND_PASSWORD = (
        f"cn=limited,{SUFFIX}",
        "limited-pw",
    )
    with pytest.raises(CommandError, match="目录只允许服务账号读取部分人员"):
        _sync()
    assert not User.objects.filter(username__startswith="m").exists()


def test_a_login_after_the_sync_keeps_the_place_the_sync_gave(world, directory):
    directory.person("zhaoliu", "赵六", unit="141002801", role="领导", password="dir-pw-1")
    _sync()
    user = User.objects.get(username="zhaoliu")
    for _time in range(2):
        client = Client()
        client.post(reverse("login"), {"username": "zhaoliu", "password": "dir-pw-1"})
        assert signed_in(client)
    assert _roles(user) == {("141002801", Role.LEADER, "directory")}
    assert ExternalAccount.objects.get(user=user).seen_at is not None
