"""The overview's charts in a real Chromium: a click on a bar opens the list behind it, and that
list's count is the bar's number."""

import re

import pytest

from taizhang.ledger.tests.test_browser import login
from taizhang.testing import BROWSER_MARKS, close, record

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_clicking_a_bar_opens_the_rows_behind_it(world, live_server, browser_page):
    for i in range(3):
        close(world, record(world, title=f"尧都已整改{i}"))
    record(world, title="尧都未整改")
    record(world, by=world.handler_b1, org=world.dept_b1, title="侯马未整改")
    page, base = browser_page, live_server.url
    login(page, base, "city_leader")
    page.goto(f"{base}/c/{world.campaign.slug}/")
    page.wait_for_function("window.taizhangCharts && window.taizhangCharts.length >= 4")
    page.wait_for_timeout(1500)  # let the bars finish growing before aiming at one
    # The units chart: the first unit's green (rectified) segment, found through ECharts itself.
    units = page.evaluate("JSON.parse(document.getElementById('chart-data').textContent).units")
    first = units[0]
    assert first["name"] == world.county_a.name and first["rectified"] == 3
    middle = first["rectified"] / 2
    x, y = page.evaluate(
        f"window.taizhangCharts[0].convertToPixel({{seriesIndex: 0}}, [{middle}, 0])"
    )
    chart = page.locator("#chart-units")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(re.compile(r"/problems/\?"))
    assert "figure=problems_rectified" in page.url and f"org={world.county_a.code}" in page.url
    count = page.inner_text("#result-count")
    assert re.search(r"共 (\d+) 条", count).group(1) == str(first["rectified"])
    # Every chart has its numbers in a table too.
    page.go_back()
    assert page.locator(".chart-table").count() >= 2


@pytest.mark.django_db(transaction=True)
def test_a_unit_named_like_a_script_stays_text_and_no_page_breaks_the_policy(
    world, live_server, browser_page
):
    import datetime as dt

    from taizhang.ledger.models import Problem
    from taizhang.orgs.models import OrgKind
    from taizhang.orgs.services import create_org

    hostile = create_org(
        code="141002999",
        name='<img src=x onerror="window.__xss=1">',
        kind=OrgKind.DEPARTMENT,
        parent=world.county_a,
    )
    problem = record(world, by=world.admin_a, org=hostile, title="逾期的问题")
    Problem.objects.filter(pk=problem.pk).update(deadline=dt.date.today() - dt.timedelta(days=3))
    page, base = browser_page, live_server.url
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    login(page, base, "leader_a")
    response = page.goto(f"{base}/c/{world.campaign.slug}/?org={world.county_a.code}")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_function("window.taizhangCharts && window.taizhangCharts.length >= 4")
    chart = page.locator("#chart-overdue")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    x, y = page.evaluate(
        """() => {
        const grid = JSON.parse(document.getElementById('chart-data').textContent).overdue;
        const cell = grid.cells.find(c => grid.units[c.unit].includes('onerror'));
        const chart = echarts.getInstanceByDom(document.getElementById('chart-overdue'));
        return chart.convertToPixel({seriesIndex: 0}, [cell.area, cell.unit]);
    }"""
    )
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    # The tooltip shows the name as text: no element was made from it.
    assert page.evaluate("document.querySelectorAll('#chart-overdue img').length") == 0
    shown = page.evaluate("document.getElementById('chart-overdue').innerText")
    assert "<img" in shown, shown
    page.goto(f"{base}/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=15000)
    assert violations == []
