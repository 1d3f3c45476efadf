"""Errors people can act on: no bare 500, a busy database answered 503 with Retry-After."""

import sqlite3

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from taizhang.api import tokens
from taizhang.supervision.models import Notice
from taizhang.supervision.services import issue_notice, reply_notice
from taizhang.testing import record


def _hold_a_write_lock():
    """Another connection takes the table a public submission writes first, as an import's
    commit or a backup would; returns a function that lets go."""
    if connection.vendor == "sqlite":
        other = sqlite3.connect(connection.settings_dict["NAME"], uri=True)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO core_throttlecount (key, window_start, n) VALUES ('x', 0, 1)")
        return lambda: (other.rollback(), other.close())
    import psycopg

    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"],
        port=settings["PORT"] or 5432,
    )  # fmt: skip
    other.execute("BEGIN")
    other.execute("LOCK TABLE core_throttlecount IN ACCESS EXCLUSIVE MODE")
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")
    return lambda: (other.rollback(), other.close())


@pytest.mark.django_db(transaction=True)
def test_a_locked_database_is_a_503_with_retry_after_in_the_callers_language(world):
    key = tokens.issue(world.operator, name="测试")[1]
    release = _hold_a_write_lock()
    try:
        page = Client().post(
            reverse("public_submit", args=[world.campaign.slug]),
            {"title": "路灯", "text": "不亮", "website": ""},
            REMOTE_ADDR="10.3.3.3",
        )
        api = Client().post(
            reverse("api_suggestions", args=[world.campaign.slug]),
            {"title": "路灯", "text": "不亮", "channel": "hotline"},
            HTTP_AUTHORIZATION=f"Token {key}",
            REMOTE_ADDR="10.3.3.4",
        )
    finally:
        release()
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "系统正忙" in page.content.decode() and "没有保存" in page.content.decode()
    assert api.status_code in (201, 503)  # staff entries are not counted, so may not wait
    if api.status_code == 503:
        assert api.json()["code"] == "database_busy"


def test_unknown_pages_are_styled_and_the_api_answers_json(world, client):
    client.force_login(world.handler_a1)
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "找不到这个页面" in page.content.decode()
    api = client.get("/api/no-such-thing/")
    assert api.status_code == 404 and api.json()["code"] == "not_found"


def test_crafted_inputs_get_clear_answers_not_500s(world, client):
    client.force_login(world.office)
    slug = world.campaign.slug
    assert client.get(f"/c/{slug}/brief/", {"day": "notadate"}).status_code == 400
    assert client.get(f"/c/{slug}/teams/", {"edit": "x"}).status_code == 404
    assert client.get(f"/c/{slug}/teams/", {"edit": "9" * 30}).status_code == 404
    huge = client.post(
        reverse("check_list", args=[slug]), {"count": "9" * 23, "org": "141002", "focus_area": "x"}
    )
    assert huge.status_code < 500
    key = tokens.issue(world.office, name="测试")[1]
    options = client.options("/api/teams/1/", HTTP_AUTHORIZATION=f"Token {key}")
    assert options.status_code < 500


def test_a_notice_replied_by_a_removed_account_still_shows(world, client):
    problem = record(world)
    notice = issue_notice(problem, by=world.office, kind="urge", text="请抓紧")
    reply_notice(notice, by=world.handler_a1, text="已整改")
    Notice.objects.filter(pk=notice.pk).update(replied_by=None)  # as after a user is deleted
    client.force_login(world.office)
    page = client.get(reverse("notice_detail", args=[notice.pk]))
    assert page.status_code == 200 and "已整改" in page.content.decode()


@pytest.mark.parametrize(
    "username",
    [
        "office",
        "city_leader",
        "leader_a",
        "admin_a",
        "handler_a1",
        "inspector_a",
        "operator",
    ],
)
def test_the_nav_links_only_to_pages_the_role_may_open(world, client, username):
    client.force_login(getattr(world, username))
    page = client.get(reverse("campaign_overview", args=[world.campaign.slug])).content.decode()
    nav = page.split("<nav>")[1].split("</nav>")[0]
    links = [part.split('"')[0] for part in nav.split('href="')[1:]]
    assert links
    for link in links:
        assert client.get(link).status_code == 200, (username, link)


def test_a_form_refused_for_its_token_on_a_full_disk_says_the_disk_is_full(world, monkeypatch):
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9, 0))
    client = Client(enforce_csrf_checks=True)
    page = client.post(reverse("public_submit", args=[world.campaign.slug]), {"title": "t"})
    assert page.status_code == 503 and "磁盘已满" in page.content.decode()
    monkeypatch.undo()
    expired = client.post(reverse("public_submit", args=[world.campaign.slug]), {"title": "t"})
    assert expired.status_code == 403 and "页面已过期" in expired.content.decode()
