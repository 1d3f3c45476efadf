"""The security audit log: what is recorded by every path, append-only in the database itself,
independent of the accounts, and read and exported by the security auditor only."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from taizhang.api import tokens
from taizhang.audit.access import AUDITOR_GROUP
from taizhang.audit.models import AuditEntry, AuditKind
from taizhang.orgs.models import Role, RoleAssignment
from taizhang.orgs.services import assign_role
from taizhang.testing import record

PASSWORD = "Correct-horse-9"


def _kinds(**filters) -> list[str]:
    return list(AuditEntry.objects.filter(**filters).order_by("pk").values_list("kind", flat=True))


def _auditor(world):
    user = get_user_model().objects.create_user("auditor", password=PASSWORD)
    Group.objects.get_or_create(name=AUDITOR_GROUP)[0].user_set.add(user)
    return user


def test_logins_failures_logouts_and_passwords_are_recorded(world):
    user = world.handler_a1
    user.set_password(PASSWORD)
    user.save()
    assert _kinds(kind=AuditKind.PASSWORD, target=user.username) == ["password"]
    client = Client(REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0)")
    client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    client.post(reverse("logout"))
    entries = AuditEntry.objects.filter(
        target=user.username, kind__in=["login", "login_failed", "logout"]
    )
    assert [e.kind for e in entries.order_by("pk")] == ["login_failed", "login", "logout"]
    assert {e.ip for e in entries} == {"10.1.2.3"}
    assert entries.get(kind="login").actor == user.username
    assert entries.get(kind="login").detail["user_agent"] == "Mozilla/5.0 (Windows NT 10.0)"
    assert entries.get(kind="login_failed").detail["user_agent"].startswith("Mozilla")
    assert entries.get(kind="login_failed").actor_id is None
    assert all("wrong" not in str(e.detail) and PASSWORD not in e.summary for e in entries)


def test_role_grants_and_withdrawals_by_every_path(world):
    from taizhang.supervision.teams import save_team

    before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    assign_role(world.nobody, world.dept_a1, Role.HANDLER)  # a service (the users import's)
    page = Client()
    page.force_login(world.office)
    RoleAssignment.objects.filter(user=world.nobody).delete()  # the admin, a directory sync
    save_team(world.campaign, by=world.office, name="第一督导组", usernames=["nobody"],
              org_codes=[world.county_a.code])  # fmt: skip
    grants = AuditEntry.objects.filter(pk__gt=before, target="nobody")
    assert [e.kind for e in grants.order_by("pk")] == ["role_grant", "role_withdraw", "role_grant"]
    assert "尧都区发改局经办人" in grants.order_by("pk").first().summary
    assert grants.order_by("pk").last().detail["via"].startswith("team:")


def test_settings_changes_keep_before_and_after(world):
    campaign = world.campaign
    campaign.rules = {**campaign.rules, "sign_limits": {"default": 2, "urgent": 1}}
    campaign.save()
    entry = AuditEntry.objects.filter(kind=AuditKind.SETTING).latest("pk")
    assert entry.summary.startswith("修改活动设置")
    assert entry.detail["after"]["rules"]["sign_limits"] == {"default": 2, "urgent": 1}
    assert "sign_limits" not in entry.detail["before"]["rules"]  # the world's own rules before
    from taizhang.triage.services import set_keywords
    from taizhang.workdays.services import load_year

    set_keywords(campaign, by=world.office, keywords={world.area.pk: "营商、审批"})
    area = AuditEntry.objects.filter(kind=AuditKind.SETTING).latest("pk")
    assert area.detail["after"] == {"keywords": "营商、审批"} and "聚焦领域" in area.summary
    load_year(year=2030, text="2030-01-01 元旦 休\n2030-01-05 上班", by=world.office)
    year = AuditEntry.objects.filter(kind=AuditKind.SETTING).latest("pk")
    assert year.target == "节假日安排:2030" and len(year.detail["after"]) == 2
    from taizhang.catalogue import services as catalogue

    first = catalogue.EntryData(lead_org=world.dept_a1, focus_area=world.area, keywords="审批")
    catalogue.publish(campaign, by=world.office, entries=[first])
    second = catalogue.EntryData(lead_org=world.town_a2, keywords="路灯")
    catalogue.publish(campaign, by=world.office, entries=[first, second])
    table = AuditEntry.objects.filter(kind=AuditKind.SETTING, summary__contains="派单目录")
    assert table.count() == 2  # one per version, not one per row
    latest = table.latest("pk").detail
    assert len(latest["before"]) == 1 and len(latest["after"]) == 2
    assert latest["after"][1][3] == world.town_a2.code


def test_exports_downloads_and_identity_views_are_recorded(world):
    from taizhang.intake import services as intake
    from taizhang.intake.models import Channel

    record(world, title="路灯不亮")
    office = Client()
    office.force_login(world.office)
    url = reverse("problem_export", args=[world.campaign.slug, "xlsx"])
    assert office.get(url, {"status": "rectifying"}).status_code == 200
    export = AuditEntry.objects.get(kind=AuditKind.EXPORT)
    assert export.actor == "office" and export.detail["rows"] == 1
    assert export.detail["filter"] == "status=rectifying"
    s = intake.submit_suggestion(world.campaign, channel=Channel.WEB, title="噪音", text="夜间施工",
                                 phone="13800000001", name="张三", rate_limited=False)  # fmt: skip
    office.get(reverse("suggestion_detail", args=[s.pk]), {"reveal": 1})
    office.post(reverse("suggestion_detail", args=[s.pk]), {"action": "reveal"})
    viewed = AuditEntry.objects.filter(kind=AuditKind.PERSONAL)
    assert viewed.exists() and s.receipt_code in viewed.first().summary
    assert "13800000001" not in viewed.first().summary and "张三" not in viewed.first().summary


def test_api_tokens_made_and_used(world):
    _token, key = tokens.issue(world.operator, name="热线系统")
    assert _kinds(kind=AuditKind.TOKEN_CREATE, target="operator") == ["token_create"]
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    for _i in range(3):
        assert api.get(f"/api/campaigns/{world.campaign.slug}/stats/").status_code == 200
    used = AuditEntry.objects.filter(kind=AuditKind.TOKEN_USE)
    assert used.count() == 1 and used.get().actor == "operator"  # once an hour, not per request


def test_the_database_refuses_to_change_or_delete_an_entry(world):
    entry = AuditEntry.objects.filter(kind=AuditKind.ACCOUNT).first()
    assert entry is not None
    table = AuditEntry._meta.db_table
    for sql in (
        f"UPDATE {table} SET summary = 'x' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises((DatabaseError, IntegrityError)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(summary="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table}")
    assert AuditEntry.objects.get(pk=entry.pk).summary == entry.summary


def test_accounts_are_deactivated_never_deleted_and_the_log_outlives_them(world):
    user = world.handler_b1
    with pytest.raises(PermissionDenied), transaction.atomic():
        user.delete()
    user.is_active = False
    user.save()
    assert _kinds(kind=AuditKind.ACCOUNT, target=user.username)[-1] == "account"
    assert AuditEntry.objects.filter(target=user.username).latest("pk").summary.startswith("停用")
    get_user_model().objects.filter(pk=user.pk).update(username="renamed")
    assert AuditEntry.objects.filter(actor_id=None, target="handler_b1").exists()


def test_only_the_security_auditor_reads_and_exports_the_log(world):
    world.office.is_superuser = world.office.is_staff = True
    world.office.save()
    superuser = Client()
    superuser.force_login(world.office)
    assert superuser.get(reverse("audit_log")).status_code == 403  # a duty of its own
    auditor = Client()
    auditor.force_login(_auditor(world))
    assert auditor.get("/").url == reverse("audit_log")  # their home: no campaign to open
    page = auditor.get(reverse("audit_log"), {"kind": "role_grant", "who": "office"})
    assert page.status_code == 200 and 'id="audit-link"' in page.content.decode()
    listed = page.content.decode().split('id="audit-entries"')[1]
    assert "授予 office 后台管理" in listed and "登录" not in listed.split("</thead>")[1]
    bad = auditor.get(reverse("audit_log"), {"since": "2026-13-01"})
    assert bad.status_code == 400 and "起始日期应写成 YYYY-MM-DD" in bad.content.decode()
    response = auditor.get(reverse("audit_log"), {"kind": "role_grant", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert any("导出人:auditor" in str(c) for c in cells)
    assert any("授予 office 后台管理" in str(c) for c in cells)
    exported = AuditEntry.objects.filter(kind=AuditKind.EXPORT).latest("pk")
    assert exported.actor == "auditor" and exported.detail["filter"].startswith("kind=role_grant")
    today = dt.date.today().isoformat()
    assert auditor.get(reverse("audit_log"), {"since": today, "until": today}).status_code == 200


def test_a_command_line_export_is_recorded_as_the_command_lines(world, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    from taizhang.audit.context import Actor, acting_as

    record(world, title="路灯不亮")
    with acting_as(Actor(None, "命令行 root: taizhang export")):
        call_command(
            "export",
            "--kind",
            "suggestions",
            "--with-personal-data",
            "--campaign",
            world.campaign.slug,
            "--out",
            str(tmp_path / "s.csv"),
            stdout=StringIO(),
        )
    entry = AuditEntry.objects.filter(kind=AuditKind.EXPORT).latest("pk")
    assert entry.actor == "命令行 root: taizhang export" and "含个人信息" in entry.summary
