"""我的待办 and a bulk action in a real Chromium, driven by Playwright."""

import io

import pytest

from taizhang.ledger import services
from taizhang.ledger.models import Problem, Status
from taizhang.testing import BROWSER_MARKS, PDF, record

pytestmark = BROWSER_MARKS


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}")
    page.click("button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_a_leader_finds_closures_waiting_and_approves_a_page_of_them(
    world, live_server, browser_page
):
    page, base = browser_page, live_server.url
    applied = []
    for n in range(3):
        p = record(world, title=f"待审核的问题{n}", urgent=n == 0)
        services.add_evidence(p, by=world.handler_a1, upload=io.BytesIO(PDF),
                              original_name="证明.pdf")  # fmt: skip
        services.apply_to_close(p, by=world.handler_a1, version=p.version, note="已整改")
        applied.append(p)
    record(world, title="还在整改的问题")

    login(page, base, "leader_a")
    page.wait_for_selector("#todo-approve")
    assert "待审核的问题1" in page.inner_text("#todo-approve")
    assert "待审核的问题0" in page.inner_text("#todo-flagged")  # 重大紧急, first
    nav = page.inner_text("#todo-link")
    assert "4" in nav  # three to approve and the urgent one

    page.goto(f"{base}/c/{world.campaign.slug}/problems/?status=pending")
    page.check("#pick-page")  # the page's rows, ticked at once by bulk.js
    assert page.locator("input[name=pick]:checked").count() == 3
    page.select_option("#bulk-action", "approve")
    page.click("#bulk-submit")
    page.wait_for_selector("#bulk-summary")
    assert "已办理 3 条,未办理 0 条,有冲突 0 条" in page.inner_text("#bulk-summary")
    assert set(Problem.objects.filter(pk__in=[p.pk for p in applied])
               .values_list("status", flat=True)) == {Status.CLOSED}  # fmt: skip
    page.goto(f"{base}/")
    assert page.locator("#todo-approve").count() == 0
