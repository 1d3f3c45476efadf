"""A citizen on a phone-sized screen in a real Chromium: submit → receipt → answer → rate."""

import pytest

from taizhang.intake import services
from taizhang.intake.models import Suggestion
from taizhang.testing import BROWSER_MARKS

pytestmark = BROWSER_MARKS
PHONE_WIDTH = 390


@pytest.mark.django_db(transaction=True)
def test_citizen_on_a_phone(world, live_server, phone_page):
    page, base, slug = phone_page, live_server.url, world.campaign.slug
    page.goto(f"{base}/s/{slug}/")
    page.fill("input[name=title]", "学校门口没有红绿灯")
    page.fill("textarea[name=text]", "上下学时段车多,孩子过马路危险")
    page.fill("input[name=phone]", "13812345678")
    page.click("#submit-form button[type=submit]")
    code = page.inner_text("#receipt-code")
    assert len(code.replace("-", "")) == 11
    # The page fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH

    suggestion = Suggestion.objects.get()
    services.answer_suggestion(
        suggestion, by=world.office, version=suggestion.version, text="已协调交警部门设置信号灯"
    )

    page.goto(f"{base}/s/{slug}/track/")
    page.fill("input[name=code]", code)
    page.fill("input[name=phone_last4]", "5678")
    page.click("#track-form button")
    assert "已协调交警部门设置信号灯" in page.inner_text("#answer")
    page.select_option("select[name=rating]", "5")
    page.click("#rate-form button")
    assert "感谢您的评价" in page.inner_text("body")
    suggestion.refresh_from_db()
    assert suggestion.rating == 5
