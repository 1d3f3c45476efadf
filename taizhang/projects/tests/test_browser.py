"""A county handler on a phone-sized screen, in a real Chromium: the project's page, its monthly
report and the stage application with a file from the camera; the overview read by everyone."""

import datetime as dt

import pytest

from taizhang.core.tests.test_accessibility import axe_violations
from taizhang.ledger.tests.test_browser import login
from taizhang.projects.models import ChangeStatus, Stage
from taizhang.projects.tests.helpers import make
from taizhang.testing import BROWSER_MARKS, PDF

pytestmark = BROWSER_MARKS
PHONE_WIDTH = 390


@pytest.mark.django_db(transaction=True)
def test_a_unit_reports_and_applies_for_a_stage_on_a_phone(
    world, live_server, phone_page, tmp_path
):
    project = make(world, org=world.dept_a1, stage=Stage.SIGNED, name="尧都区物流园区项目")
    page, base = phone_page, live_server.url
    login(page, base, "handler_a1")
    page.goto(f"{base}/projects/{project.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert axe_violations(page) == []
    page.fill("#report input[name=done]", "850")
    page.fill("#report textarea[name=progress_note]", "场地平整完成")
    page.click("#report button[type=submit]")
    assert page.locator("#done-year").inner_text() == "850.00"
    permit = tmp_path / "施工许可证.pdf"
    permit.write_bytes(PDF)
    page.fill("#stage-form input[name=on]", dt.date.today().isoformat())
    page.set_input_files("#stage-form input[name=evidence]", str(permit))
    page.click("#stage-form button[type=submit]")
    assert "待确认" in page.inner_text("body")
    assert project.stage_changes.get().status == ChangeStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_the_projects_overview_reads_for_everyone(world, live_server, browser_page):
    make(world, org=world.dept_a1, stage=Stage.STARTED)
    page, base = browser_page, live_server.url
    login(page, base, "city_leader")
    page.goto(f"{base}/c/{world.campaign.slug}/projects/")
    assert page.locator("#projects-total").inner_text() == "1"
    assert axe_violations(page) == []
    page.click("#projects-total")
    assert "共 1 个项目" in page.inner_text("#row-count")
