"""Figures are computed within the reader's scope and named for what they cover."""

from django.test import Client
from django.urls import reverse

from taizhang.api import tokens
from taizhang.supervision.services import issue_notice
from taizhang.testing import record


def _stats(user, **params):
    client = Client()
    key = tokens.issue(user, name="测试")[1]
    url = reverse("api_stats", args=["test-2026"])
    return client.get(url, params, HTTP_AUTHORIZATION=f"Token {key}").json()


def test_the_stats_api_gives_a_handler_nothing_of_other_units(world):
    elsewhere = record(world, by=world.handler_b1, org=world.dept_b1)
    issue_notice(elsewhere, by=world.office, kind="urge", text="请抓紧")
    record(world)
    asked_elsewhere = _stats(world.handler_a1, org=world.county_b.code)
    assert asked_elsewhere["org"] == world.dept_a1.code  # their own unit, under its own name
    assert asked_elsewhere["problems_total"] == 1
    assert asked_elsewhere["supervision"]["notices_issued"] == 0
    assert "hotline" not in asked_elsewhere
    city = _stats(world.handler_a1)
    assert city["org"] == world.dept_a1.code and "hotline" not in city
    office = _stats(world.office)
    assert office["org"] == world.city.code and office["problems_total"] == 2
    assert office["supervision"]["notices_issued"] == 1 and "hotline" in office


def test_a_county_reader_asking_for_the_city_sees_their_county_by_name(world):
    record(world)
    record(world, by=world.handler_b1, org=world.dept_b1)
    client = Client()
    client.force_login(world.leader_a)
    url = reverse("campaign_overview", args=[world.campaign.slug])
    page = client.get(url, {"org": world.city.code}).content.decode()
    title = page.split("<h1>")[1].split("</h1>")[0]
    assert world.county_a.name in title and world.city.name not in title
    crumbs = page.split('class="crumbs">')[1].split("</div>")[0]
    assert f'?org={world.city.code}"' not in crumbs  # no link to a page they cannot see whole
    wall = client.get(url, {"org": world.city.code, "wall": "1"}).content.decode()
    assert world.city.name not in wall.split("<h1>")[1].split("</h1>")[0]
