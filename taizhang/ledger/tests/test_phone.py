"""A township handler works on a phone: the ledger, a problem, progress, evidence from the
camera and the inbox fit a 390 px screen (real Chromium)."""

import pytest

from taizhang.ledger.models import Problem
from taizhang.ledger.tests.test_browser import login
from taizhang.testing import BROWSER_MARKS, record

pytestmark = BROWSER_MARKS
PHONE_WIDTH = 390

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width} px wide"


@pytest.mark.django_db(transaction=True)
def test_a_handler_works_a_problem_on_a_phone(world, live_server, phone_page, tmp_path):
    for i in range(12):
        record(world, by=world.handler_a2, org=world.town_a2,
               title=f"大阳镇第{i}号问题:村道路灯不亮、排水沟堵塞,群众反映强烈")  # fmt: skip
    problem = Problem.objects.order_by("pk").first()
    page, base = phone_page, live_server.url
    login(page, base, "handler_a2")
    page.goto(f"{base}/c/{world.campaign.slug}/problems/")
    _fits(page)
    # Each problem is a card; the nav's words stay whole (it scrolls sideways instead).
    heights = page.evaluate(
        "[...document.querySelectorAll('header nav a')].map(a => a.getBoundingClientRect().height)"
    )
    assert max(heights) < 30, heights
    page.click(f"text={problem.number}")
    _fits(page)
    page.click("text=报告进展")
    page.fill("input[name=percent]", "40")
    page.fill("textarea[name=text]", "已更换路灯 3 盏")
    page.click("form[action$='/progress/'] button")
    assert "进展已报告" in page.inner_text("main")
    _fits(page)
    photo = tmp_path / "现场.png"
    photo.write_bytes(PNG)
    page.click("text=上传佐证材料")
    assert "image/*" in page.get_attribute("input[name=file]", "accept")  # the camera is offered
    page.set_input_files("input[name=file]", str(photo))
    page.click("form[action$='/evidence/'] button")
    assert "佐证材料已上传" in page.inner_text("main")
    assert page.locator("#evidence img.thumb").count() == 1
    _fits(page)
    page.goto(f"{base}/inbox/")
    _fits(page)
