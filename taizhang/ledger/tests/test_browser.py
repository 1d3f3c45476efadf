"""The handler → leader flow in a real Chromium, driven by Playwright."""

import pytest

from taizhang.testing import BROWSER_MARKS, record

pytestmark = BROWSER_MARKS


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}")
    page.click("button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_handler_applies_and_leader_approves(world, live_server, browser_page, tmp_path):
    page, base = browser_page, live_server.url
    problem = record(world, title="窗口排队时间长", measures=["增设窗口"])
    evidence = tmp_path / "整改照片.png"
    evidence.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)

    # The handler finds the problem in their ledger and works it through.
    login(page, base, "handler_a1")
    page.goto(f"{base}/c/{world.campaign.slug}/problems/")
    page.click("text=窗口排队时间长")
    page.click("summary:has-text('报告进展')")
    page.fill("input[name=percent]", "100")
    page.fill("textarea[name=text]", "已增设两个窗口")
    page.click("form[action$='/progress/'] button")
    assert "进展已报告" in page.inner_text(".messages")
    page.click("summary:has-text('上传佐证材料')")
    page.set_input_files("input[name=file]", str(evidence))
    page.click("form[action$='/evidence/'] button")
    assert "整改照片.png" in page.inner_text("#evidence")
    page.click("summary:has-text('申请销号')")
    page.fill("form[action$='/do/apply/'] textarea", "排队时间降至十分钟以内")
    page.click("form[action$='/do/apply/'] button")
    assert page.inner_text("#status") == "待审核"
    assert page.locator("#approve-form").count() == 0  # the applicant cannot approve

    # The county leader approves it.
    page.click("button:has-text('退出')")
    login(page, base, "leader_a")
    page.goto(f"{base}/problems/{problem.pk}/")
    page.fill("#approve-form textarea", "同意销号")
    page.click("#approve-form button")
    assert page.inner_text("#status") == "已销号"
    assert "审核通过" in page.inner_text("#history")
    problem.refresh_from_db()
    assert problem.status == "closed"
