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
    page.click("#unit-kinds button:text-is('部门')")  # the hostile unit is a department
    chart = page.locator("#chart-overdue")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    x, y = page.evaluate(
        """() => {
        const chart = echarts.getInstanceByDom(document.getElementById('chart-overdue'));
        const option = chart.getOption();
        const row = option.yAxis[0].data.findIndex(name => name.includes('onerror'));
        const cell = option.series[0].data.find(c => c[1] === row);
        return chart.convertToPixel({seriesIndex: 0}, [cell[0], cell[1]]);
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


@pytest.mark.django_db(transaction=True)
def test_charts_compare_peers_speak_the_readers_language_and_fit_every_screen(
    world, live_server, browser_page
):
    close(world, record(world, title="发改局已整改"))
    record(world, by=world.handler_a2, org=world.town_a2, title="大阳镇未整改")
    page, base = browser_page, live_server.url
    login(page, base, "leader_a")
    page.goto(f"{base}/c/{world.campaign.slug}/?org={world.county_a.code}")
    page.wait_for_function("window.taizhangCharts && window.taizhangCharts.length >= 4")

    def units_shown():
        return page.evaluate("window.taizhangCharts[0].getOption().yAxis[0].data")

    # Townships and departments are drawn apart, one kind at a time, chosen by the tabs.
    tabs = page.locator("#unit-kinds button").all_inner_texts()
    assert len(tabs) == 2 and "部门" in tabs
    first = units_shown()
    page.click("#unit-kinds button:text-is('部门')")
    assert units_shown() == ["尧都区发改局"] and first != units_shown()
    funnel = page.evaluate("window.taizhangCharts[1].getOption().series[0].label.position")
    assert funnel == "inside"  # the steps' words are never cut off at the sides
    # In English the charts' words are English too.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.reload()
    page.wait_for_function("window.taizhangCharts && window.taizhangCharts.length >= 4")
    legend = page.evaluate("window.taizhangCharts[0].getOption().legend[0].data")
    assert legend == ["Closed", "Open"]
    # The wall display's figures fit their cards, on a phone and on a 1920 px wall.
    for width, height in ((390, 844), (1366, 768), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{base}/c/{world.campaign.slug}/?org={world.county_a.code}&wall=1")
        assert page.locator(".wall-figures .value").count() >= 2
        cut = page.evaluate(
            "[...document.querySelectorAll('.wall-figures .value')]"
            ".filter(v => v.scrollWidth > v.clientWidth + 1).map(v => v.textContent)"
        )
        assert cut == [], (width, cut)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
