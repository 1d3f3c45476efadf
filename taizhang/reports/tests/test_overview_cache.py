"""The overview's body is rendered once per figures, tree, areas and language, never stale."""

import re

from django.urls import reverse

from taizhang.ledger.tests.test_pages import client_for
from taizhang.testing import record


def _total(html: str) -> int:
    match = re.search(r'id="figure-problems_total">.*?<a class="value"[^>]*>(\d+)</a>', html, re.S)
    assert match, "the total is on the page"
    return int(match.group(1))


def _office_overview(world):
    return client_for(world.office), reverse("campaign_overview", args=[world.campaign.slug])


def test_a_new_problem_shows_at_once(world):
    client, url = _office_overview(world)
    record(world)
    assert _total(client.get(url).content.decode()) == 1
    record(world)
    assert _total(client.get(url).content.decode()) == 2


def test_a_renamed_area_shows_at_once(world):
    client, url = _office_overview(world)
    record(world)
    assert "优化营商环境" in client.get(url).content.decode()
    world.area.name = "营商环境再优化"
    world.area.save()
    assert "营商环境再优化" in client.get(url).content.decode()


def test_each_reader_sees_their_own_scope_and_language(world):
    record(world)
    record(world, by=world.handler_b1, org=world.dept_b1)
    url = reverse("campaign_overview", args=[world.campaign.slug]) + "?org=141000"
    office = client_for(world.office)
    assert _total(office.get(url).content.decode()) == 2
    # A county leader opening the city sees only their county's problems, not the office's page.
    assert _total(client_for(world.leader_a).get(url).content.decode()) == 1
    office.cookies.load({"django_language": "en"})
    english = office.get(url).content.decode()
    assert "rectification rate" in english.lower() and "整改率" not in english


def test_a_renamed_area_reaches_the_charts_at_once(world):
    client, url = _office_overview(world)
    record(world)
    client.get(url)
    world.area.name = "营商环境再优化"
    world.area.save()
    charts = re.search(r'id="chart-data"[^>]*>(.*?)</script>', client.get(url).content.decode())
    assert charts, "the chart data is on the page"
    assert "营商环境再优化" in charts.group(1).encode().decode("unicode_escape")


def test_a_renamed_unit_shows_at_once(world):
    client, url = _office_overview(world)
    record(world)
    assert "尧都区" in client.get(url).content.decode()
    world.county_a.name = "尧都新区"
    world.county_a.save()
    html = client.get(url).content.decode()
    assert "尧都新区" in html.split('id="by-org"')[1]
