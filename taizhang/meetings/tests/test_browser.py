"""A branch secretary on a phone-sized screen, in a real Chromium: the meeting form and the
attendance check-list."""

import datetime as dt

import pytest

from taizhang.ledger.tests.test_browser import login
from taizhang.meetings import services
from taizhang.meetings.models import Meeting, Presence
from taizhang.testing import BROWSER_MARKS

pytestmark = BROWSER_MARKS
PHONE_WIDTH = 390


@pytest.mark.django_db(transaction=True)
def test_a_secretary_records_a_meeting_on_a_phone(world, live_server, phone_page):
    members = [
        services.add_member(world.branch_a2, by=world.admin_a, name=name, role="党员")
        for name in ("王书记", "李委员", "张党员")
    ]
    page, base = phone_page, live_server.url
    login(page, base, "admin_a")
    page.goto(f"{base}/c/{world.campaign.slug}/meetings/new/?org={world.branch_a2.code}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    page.select_option("select[name=kind]", label="主题党日")
    page.fill("input[name=topic]", "重温入党誓词")
    page.fill("input[name=held_on]", (dt.date.today() - dt.timedelta(days=1)).isoformat())
    page.fill("input[name=starts_at]", "15:00")
    page.fill("input[name=ends_at]", "16:00")
    # Nobody is marked before the secretary says so: a member left unmarked stops the form.
    assert page.locator("#attendance input:checked").count() == 0
    page.click("#all-present")
    page.check(f"input[name=m{members[2].pk}][value=excused]")
    page.fill("textarea[name=guests]", "镇党委 周某")
    page.click("#meeting-form button[type=submit]")
    assert "重温入党誓词" in page.inner_text("h1")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    meeting = Meeting.objects.get()
    presence = dict(
        meeting.attendance.filter(member__isnull=False).values_list("member", "presence")
    )
    assert presence == {
        members[0].pk: Presence.PRESENT,
        members[1].pk: Presence.PRESENT,
        members[2].pk: Presence.EXCUSED,
    }
    assert meeting.attendance.filter(guest_name="镇党委 周某").exists()
