"""The overview's charts in a real Chromium: a click on a bar opens the list behind it, and that
list's count is the bar's number."""

import re

import pytest

from taizhang.core.testing import BROWSER_MARKS, close, record
from taizhang.ledger.tests.test_browser import login

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
