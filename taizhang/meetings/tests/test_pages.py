import datetime as dt

from django.urls import reverse

from taizhang.meetings.models import Meeting, MeetingStatus
from taizhang.meetings.tests.test_meetings import _meet, branch  # noqa: F401 - fixture


def test_a_secretary_records_a_meeting_from_the_form(branch, client):  # noqa: F811
    client.force_login(branch.admin_a)
    url = reverse("meeting_new", args=[branch.campaign.slug]) + f"?org={branch.branch_a2.code}"
    page = client.get(url).content.decode()
    assert "王书记" in page and 'name="m' in page
    data = {
        "org": branch.branch_a2.code,
        "kind": str(branch.kinds["theme_day"].pk),
        "topic": "主题党日:重温入党誓词",
        "held_on": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
        "starts_at": "15:00",
        "ends_at": "16:30",
        **{f"m{m.pk}": "present" for m in branch.members[:3]},
        f"m{branch.members[3].pk}": "absent",
        "guests": "镇党委委员 周某",
    }
    response = client.post(url, data)
    meeting = Meeting.objects.get()
    assert response.url == reverse("meeting_detail", args=[meeting.pk])
    assert meeting.attendance.count() == 5
    detail = client.get(response.url).content.decode()
    assert "王书记" in detail and "周某" in detail
    # The same members at the same time: refused with the reason, nothing stored.
    again = client.post(url, {**data, "topic": "同一时间的另一个会"})
    assert again.status_code == 400 and "同一时间已出席" in again.content.decode()
    assert Meeting.objects.count() == 1


def test_names_are_masked_for_those_who_need_not_see_them(branch, client):  # noqa: F811
    m = _meet(branch)
    client.force_login(branch.leader_a)
    detail = client.get(reverse("meeting_detail", args=[m.pk])).content.decode()
    assert "王书记" not in detail and "王**" in detail
    members = client.get(
        reverse("members", args=[branch.campaign.slug]) + f"?org={branch.branch_a2.code}"
    ).content.decode()
    assert "王书记" not in members and "王**" in members
    client.force_login(branch.office)
    assert "王书记" in client.get(reverse("meeting_detail", args=[m.pk])).content.decode()


def test_participation_page_and_void(branch, client):  # noqa: F811
    m = _meet(branch)
    client.force_login(branch.city_leader)
    page = client.get(reverse("study_overview", args=[branch.campaign.slug])).content.decode()
    assert 'id="meetings-total"' in page and ">1</a>" in page
    assert branch.county_a.name in page
    client.force_login(branch.admin_a)
    client.post(reverse("meeting_detail", args=[m.pk]), {"reason": "录入错误"})
    m.refresh_from_db()
    assert m.status == MeetingStatus.VOID
    silent = client.get(
        reverse("meeting_list", args=[branch.campaign.slug]) + "?silent=1"
    ).content.decode()
    assert branch.branch_a2.name in silent
    this_month = dt.date.today().replace(day=1).isoformat()
    monthly = client.get(
        reverse("meeting_list", args=[branch.campaign.slug]) + f"?silent=1&since={this_month}"
    ).content.decode()
    assert branch.branch_a2.name in monthly and this_month in monthly
    client.force_login(branch.handler_b1)
    assert client.get(reverse("meeting_detail", args=[m.pk])).status_code == 404


def test_the_meetings_register_exports(branch, client, tmp_path, capsys):  # noqa: F811
    import io

    from django.core.management import call_command
    from openpyxl import load_workbook

    _meet(branch, guests=["列席 周某"])
    client.force_login(branch.leader_a)
    response = client.get(reverse("meeting_list", args=[branch.campaign.slug]) + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "学习解放思想大讨论精神" in values and "主题党日" in values
    out = tmp_path / "会议.xlsx"
    call_command(
        "export", "--kind", "meetings", "--campaign", branch.campaign.slug, "--out", str(out)
    )
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert any(r and r[7] == 3 and r[8] == 1 and r[10] == 1 for r in rows)  # present, leave, guest


def test_a_refused_meeting_keeps_what_was_typed_and_marks_nobody_present(branch, client):  # noqa: F811
    client.force_login(branch.admin_a)
    url = reverse("meeting_new", args=[branch.campaign.slug]) + f"?org={branch.branch_a2.code}"
    blank = client.get(url).content.decode()
    assert "checked" not in blank.split('id="attendance"')[1].split("</fieldset>")[0]
    day = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    first, second = branch.members[:2]
    refused = client.post(url, {
        "org": branch.branch_a2.code, "kind": str(branch.kinds["theme_day"].pk),
        "topic": "重温入党誓词", "held_on": day, "starts_at": "15:00", "ends_at": "16:30",
        f"m{first.pk}": "excused",
    })  # fmt: skip
    page = refused.content.decode()
    assert refused.status_code == 400 and "尚未选择" in page and second.name in page
    assert f'value="{day}"' in page and 'value="重温入党誓词"' in page
    assert f'name="m{first.pk}" value="excused" required checked' in page
    assert f'name="m{second.pk}" value="present" required checked' not in page
    assert not Meeting.objects.exists()
