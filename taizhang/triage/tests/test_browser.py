"""The office routes a suggestion like its nearest precedent, in a real Chromium."""

import pytest

from taizhang.core.tests.test_accessibility import axe_violations
from taizhang.ledger.tests.test_browser import login
from taizhang.testing import BROWSER_MARKS
from taizhang.triage import services
from taizhang.triage.models import Target
from taizhang.triage.tests.test_services import _routed, submit

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_route_like_the_nearest_precedent_in_one_click(world, live_server, browser_page):
    page, base = browser_page, live_server.url
    _routed(world)
    services.train(world.campaign, Target.AREA, by=world.office)
    new = submit(world, "营业执照审批太慢,企业办事难,跑了好几趟")

    login(page, base, "office")
    page.goto(f"{base}/suggestions/{new.pk}/")
    precedents = page.locator("#precedents .precedent")
    assert precedents.count() == 5
    first = precedents.first.inner_text()
    assert "尧都区发改局" in first and "优化营商环境" in first and "相似度" in first
    assert "一致" in page.inner_text("#agreement")
    assert axe_violations(page) == []  # the precedents and the proposal read for everyone
    precedents.first.locator("button:has-text('照此分办')").click()
    assert "已转为问题" in page.inner_text("body")
    new.refresh_from_db()
    problem = new.problems.get()
    assert problem.org == world.dept_a1 and problem.focus_area == world.area
    assert problem.kind == "deadline"
