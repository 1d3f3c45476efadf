"""Units and things found without codes: the unit picker, and the search box on every page."""

import pytest
from django.test import Client
from django.urls import reverse

from taizhang.intake import services as intake
from taizhang.intake.models import Channel
from taizhang.ledger.models import Problem
from taizhang.testing import BROWSER_MARKS


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_picker_lists_units_by_what_is_typed_and_by_their_parent(world):
    client = _client(world.handler_a1)
    url = reverse("campaign_units", args=[world.campaign.slug])
    typed = client.get(url, {"q": "发改"}).json()["units"]
    assert [u["code"] for u in typed] == ["141002801"]
    top = client.get(url).json()["units"]
    assert {u["name"] for u in top} == {"尧都区", "侯马市"} and all(u["has_children"] for u in top)
    below = client.get(url, {"parent": "141002"}).json()["units"]
    assert {u["name"] for u in below} == {"尧都区发改局", "尧都区大阳镇"}
    assert Client().get(url).status_code == 302  # for signed-in users only


def test_the_search_box_opens_what_a_code_or_number_names(world):
    s = intake.submit_suggestion(world.campaign, channel=Channel.WEB, title="路灯不亮",
                                 text="东关村路灯不亮", rate_limited=False)  # fmt: skip
    made = intake.convert_to_problem(s, by=world.office, version=s.version, org=world.dept_a1,
                                     focus_area=world.area, kind="deadline")  # fmt: skip
    url = reverse("find", args=[world.campaign.slug])
    typed = s.receipt_code.lower()
    office = _client(world.office).get(url, {"q": typed})
    assert office.url == reverse("suggestion_detail", args=[s.pk])
    handler = _client(world.handler_a1)
    assert handler.get(url, {"q": typed}).url == reverse("problem_detail", args=[made.pk])
    assert handler.get(url, {"q": made.number.lower()}).url == reverse(
        "problem_detail", args=[made.pk]
    )
    words = handler.get(url, {"q": "路灯"}).url
    assert words.startswith(reverse("search", args=[world.campaign.slug])) and "q=" in words
    stranger = _client(world.handler_b1).get(url, {"q": made.number})
    # Not theirs to open: the full-text search instead, which shows them nothing of it.
    assert stranger.url.startswith(reverse("search", args=[world.campaign.slug]))
    shown = _client(world.handler_b1).get(stranger.url).content.decode()
    assert reverse("problem_detail", args=[made.pk]) not in shown and "没有匹配的结果" in shown


@pytest.mark.django_db(transaction=True)
@pytest.mark.browser
@pytest.mark.skipif(BROWSER_MARKS[1].args[0], reason=BROWSER_MARKS[1].kwargs["reason"])
def test_a_unit_is_picked_by_typing_or_from_the_tree(world, live_server, browser_page):
    from taizhang.ledger.tests.test_browser import login

    page, base = browser_page, live_server.url
    login(page, base, "admin_a")
    page.goto(f"{base}/c/{world.campaign.slug}/problems/new/")
    page.fill("input[name=org_code]", "大阳")
    page.wait_for_selector("datalist option", state="attached")
    assert page.eval_on_selector("datalist option", "o => o.value") == "尧都区大阳镇(141002101)"
    page.fill("input[name=org_code]", "")
    page.click(".unit-browse")
    page.click(".unit-tree button[aria-label='展开 尧都区']")
    page.click(".unit-tree button:text-is('尧都区发改局')")
    assert page.input_value("input[name=org_code]") == "尧都区发改局(141002801)"
    page.fill("input[name=title]", "从目录选择单位登记的问题")
    page.select_option("select[name=focus_area]", label="优化营商环境")
    page.click("form button[type=submit]")
    problem = Problem.objects.get(title="从目录选择单位登记的问题")
    assert problem.org == world.dept_a1
