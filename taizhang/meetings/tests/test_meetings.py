import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from taizhang.ledger.models import Source
from taizhang.meetings import services
from taizhang.meetings.models import Attendance, MeetingStatus, StudyTally
from taizhang.reports import study
from taizhang.testing import PDF

T = dt.time
NINE, ELEVEN = T(9), T(11)


@pytest.fixture
def branch(world):
    world.kinds = {k.code: k for k in services.kinds_of(world.campaign)}
    world.members = [
        services.add_member(world.branch_a2, by=world.admin_a, name=n, role=r)
        for n, r in (("王书记", "书记"), ("李委员", "委员"), ("张党员", "党员"), ("赵党员", "党员"))
    ]
    return world


def _meet(w, day=None, start=NINE, end=ELEVEN, presence=None, **kwargs):
    values = {
        "by": w.admin_a,
        "kind": w.kinds["theme_day"],
        "held_on": day or dt.date.today() - dt.timedelta(days=3),
        "starts_at": start,
        "ends_at": end,
        "topic": "学习解放思想大讨论精神",
        "presence": presence
        if presence is not None
        else {m.pk: "present" for m in w.members[:3]} | {w.members[3].pk: "excused"},
    }
    values.update(kwargs)
    return services.record_meeting(w.campaign, w.branch_a2, **values)


def test_a_meeting_with_attendance_counts_up_the_tree(branch):
    m = _meet(branch, guests=["县委督导组 刘某"], materials=[(io.BytesIO(PDF), "学习材料.pdf")])
    assert m.attendance.count() == 5 and m.materials.count() == 1
    for org in (branch.branch_a2, branch.town_a2, branch.county_a, branch.city):
        f = study.study_figures(branch.campaign, org)
        assert f["meetings_total"] == 1 and f["members_total"] == 4
        assert f["attendance_rate"] == 75.0  # three of the four members; guests do not count
        assert f["by_kind"]["主题党日"]["meetings"] == 1
    assert study.study_figures(branch.campaign, branch.county_b)["meetings_total"] == 0
    city = study.study_figures(branch.campaign, branch.city)
    assert city["branches_total"] == 1 and city["branches_silent"] == 0
    assert city["by_kind"]["主题党日"]["expected"] >= 1  # one a month since the start


def test_each_childs_figures_in_one_go_equal_its_own(branch):
    _meet(branch)
    services.add_member(branch.dept_b1, by=branch.office, name="周党员", role="党员")
    for org in (branch.city, branch.county_a, branch.town_a2):
        together = study.children_figures(branch.campaign, org)
        assert [c for c, _f in together] == list(org.children.order_by("code"))
        for child, f in together:
            assert f == study.study_figures(branch.campaign, child), child.name
    [(_branch, f)] = study.children_figures(branch.campaign, branch.town_a2)
    assert f["meetings_total"] == 1 and f["branches_total"] == 1 and f["branches_silent"] == 0


def test_attendees_must_belong_to_the_unit_or_be_guests(branch):
    outsider = services.add_member(branch.dept_a1, by=branch.admin_a, name="外单位")
    with pytest.raises(ValidationError, match="必须是本单位成员"):
        _meet(branch, presence={outsider.pk: "present"})
    assert Attendance.objects.count() == 0


def test_nobody_attends_two_meetings_at_once(branch):
    _meet(branch, start=T(9), end=T(11))
    with pytest.raises(ValidationError, match="同一时间已出席"):
        _meet(branch, start=T(10), end=T(12), topic="另一个会")
    # Back to back is fine, and so is a member who was absent from the first.
    _meet(branch, start=T(11), end=T(12), topic="紧接着的会")
    absent_first = {branch.members[3].pk: "present"}
    _meet(branch, start=T(9, 30), end=T(10), presence=absent_first, topic="请假者的会")


def test_dates_outside_the_campaign_or_in_the_future_are_refused(branch):
    with pytest.raises(ValidationError, match="不在活动期间"):
        _meet(branch, day=branch.campaign.starts_on - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        _meet(branch, day=dt.date.today() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="结束时间"):
        _meet(branch, start=T(11), end=T(9))


def test_a_meeting_is_voided_with_a_reason_never_deleted(branch):
    m = _meet(branch)
    with pytest.raises(ValidationError, match="作废原因"):
        services.void_meeting(m, by=branch.admin_a, reason=" ")
    with pytest.raises(PermissionDenied):
        services.void_meeting(m, by=branch.handler_b1, reason="误录")
    services.void_meeting(m, by=branch.admin_a, reason="重复录入")
    m.refresh_from_db()
    assert m.status == MeetingStatus.VOID and m.attendance.count() == 4
    city = study.study_figures(branch.campaign, branch.city)
    assert city["meetings_total"] == 0 and city["branches_silent"] == 1
    assert city["attendance_rate"] is None
    with pytest.raises(Exception):  # noqa: B017 - the database refuses: attendance protects it
        m.delete()


def test_what_a_meeting_raises_enters_the_ledger_and_the_queue(branch):
    m = _meet(
        branch,
        raised_problems=["村务公开不及时"],
        raised_suggestions=["建议增设村民议事会"],
        focus_area=branch.area,
    )
    (problem,) = m.problems.all()
    (suggestion,) = m.suggestions.all()
    assert problem.source == Source.MEETING and problem.org == branch.branch_a2
    assert suggestion.channel == "symposium" and suggestion.collected_on == m.held_on


def test_tallies_equal_a_recount(branch):
    _meet(branch)
    m2 = _meet(branch, start=T(14), end=T(15), kind=branch.kinds["study"])
    services.void_meeting(m2, by=branch.admin_a, reason="误录")
    from taizhang.meetings.models import ActiveUnit, MemberTally

    def tallies():
        study = sorted(
            StudyTally.objects.filter(meetings__gt=0).values_list(
                "org_path", "kind_id", "month", "meetings", "present", "absent", "excused"
            )
        )
        units = sorted(
            ActiveUnit.objects.filter(meetings__gt=0).values_list("org_path", "meetings")
        )
        members = sorted(
            MemberTally.objects.filter(members__gt=0).values_list("org_path", "members")
        )
        return study, units, members

    kept = tallies()
    services.rebuild_tallies(branch.campaign)
    services.rebuild_member_tallies()
    assert kept == tallies()


def test_stats_json_has_a_study_section(branch, capsys):
    _meet(branch)
    call_command("stats", "--json", "--campaign", branch.campaign.slug)
    study = json.loads(capsys.readouterr().out)["study"]
    assert study["meetings_total"] == 1 and study["members_total"] == 4
    assert study["branches_total"] == 1 and study["attendance_rate"] == 75.0


def test_members_come_in_from_a_sheet_all_or_nothing(branch, tmp_path, capsys):
    from openpyxl import Workbook

    from taizhang.meetings.models import Member

    def sheet(rows):
        wb = Workbook()
        ws = wb.active
        ws.append(["姓名", "支部代码", "党内职务", "入党时间", "人员编号"])
        for row in rows:
            ws.append(row)
        path = tmp_path / "党员名册.xlsx"
        wb.save(path)
        return str(path)

    good = sheet([["孙党员", branch.branch_a2.code, "党员", "2015年7月1日", "P-1"],
                  ["王书记", branch.branch_a2.code, "书记", "", ""]])  # fmt: skip
    call_command("import", good, "--kind", "members")
    assert "已新增 1 个,已更新 1 个" in capsys.readouterr().out
    assert Member.objects.get(external_id="P-1").joined_on == dt.date(2015, 7, 1)
    bad = sheet(
        [["周党员", "999", "", "", ""], ["吴党员", branch.branch_a2.code, "", "2099-01-01", ""]]
    )
    with pytest.raises(CommandError) as refused:
        call_command("import", bad, "--kind", "members")
    assert "第 2 行" in str(refused.value) and "支部代码" in str(refused.value)
    assert "第 3 行" in str(refused.value) and "不能晚于今天" in str(refused.value)
    assert Member.objects.count() == 5
