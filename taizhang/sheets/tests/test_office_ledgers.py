"""Ledgers as offices keep them (issue 16): a title and 填报单位 line above the header, header
cells with breaks and notes, no 聚焦领域 or 整改类型 column, section rows, deadlines in words,
totals and signature lines below."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import Workbook

from taizhang.ledger.models import Kind, Problem, ProblemEvent, Source
from taizhang.ledger.verify import verify
from taizhang.sheets.problem_import import Defaults, import_problems
from taizhang.sheets.values import BadValue, read_deadline


@pytest.fixture(autouse=True)
def year_2026(request):
    """The campaign runs through 2026, so that the dates offices write fall inside it."""
    if "world" in request.fixturenames:
        world = request.getfixturevalue("world")
        world.campaign.starts_on = dt.date(2026, 1, 1)
        world.campaign.ends_on = dt.date(2026, 12, 31)
        world.campaign.save()


OFFICE_HEADER = ["序号", "存在问题", "整改措施", "责任\n领导", "牵头 单位", "责任人",
                 "整改时限（截止日期）", "备注"]  # fmt: skip


def office_workbook(tmp_path, world, *, sections=True):
    wb = Workbook()
    ws = wb.active
    ws.title = "尧都区"
    ws.append(["尧都区问题整改台账"])
    ws.merge_cells("A1:H1")
    ws.append(["填报单位:尧都区发改局", "", "", "", "", "", "填报日期:2026年3月1日"])
    ws.append(OFFICE_HEADER)
    if sections:
        ws.append(["一、聚焦优化营商环境方面"])
    ws.append([1, "企业开办环节多", "1. 精简环节\n2. 一窗受理", "张伟", "尧都区发改局", "赵磊",
               "2026年12月底前", ""])  # fmt: skip
    ws.append([2, "窗口排队时间长", "增设窗口", "张伟", "尧都区发改局", "赵磊", "立行立改", ""])
    if sections:
        ws.append(["二、聚焦破解民生难题方面"])
    ws.append([3, "老旧小区路灯不亮" + "。情况说明" * 80, "更换路灯", "李强", "尧都区发改局",
               "王五", "长期坚持", ""])  # fmt: skip
    ws.append([4, "办事指南不清", "重新编印", "李强", "尧都区发改局", "王五", "二季度", ""])
    ws.append(["合计", "4 个问题"])
    ws.append(["注:本表由各单位每月 5 日前报送。"])
    ws.append(["填表人:赵磊", "", "审核人:张伟", "", "", "", "联系电话:0357-1234567"])
    path = tmp_path / "尧都区台账.xlsx"
    wb.save(path)
    return path


def test_an_office_ledger_comes_in_as_it_is(world, tmp_path):
    result = import_problems(
        office_workbook(tmp_path, world), campaign=world.campaign, by=world.admin_a
    )
    assert result.refused == [] and result.created == 4, [str(e) for e in result.refused]
    assert len(result.skipped) == 5  # two section rows, 合计, 注, the signature line
    problems = {p.title[:8]: p for p in Problem.objects.all()}
    first = problems["企业开办环节多"]
    assert first.focus_area.name == "优化营商环境" and first.kind == Kind.DEADLINE
    assert first.deadline == dt.date(2026, 12, 31) and first.responsible_leader == "张伟"
    assert problems["窗口排队时间长"].kind == Kind.IMMEDIATE
    long_one = problems["老旧小区路灯不亮"]
    assert long_one.kind == Kind.LONG_TERM and long_one.focus_area.name == "破解民生难题"
    assert len(long_one.title) == 300 and long_one.description.endswith("情况说明")
    assert problems["办事指南不清"].deadline == dt.date(2026, 6, 30)
    written = ProblemEvent.objects.get(problem=first, action="create")
    assert written.data == {"deadline_text": "2026年12月底前"}
    assert all(p.source == Source.SELF_FOUND for p in problems.values())


def test_without_sections_a_default_area_and_source_are_given_for_the_file(world, tmp_path):
    path = office_workbook(tmp_path, world, sections=False)
    refused = import_problems(path, campaign=world.campaign, by=world.admin_a, dry_run=True)
    assert refused.refused and "默认聚焦领域" in str(refused.refused[0])
    with pytest.raises(ValidationError, match="不是本活动的聚焦领域"):
        import_problems(path, campaign=world.campaign, by=world.admin_a,
                        defaults=Defaults(focus_area="不存在"))  # fmt: skip
    call_command("import", str(path), "--campaign", world.campaign.slug, "--area", "优化营商环境",
                 "--source", "督导发现", "--no-progress")  # fmt: skip
    assert Problem.objects.filter(focus_area__name="优化营商环境").count() == 4
    assert set(Problem.objects.values_list("source", flat=True)) == {Source.INSPECTION}


@pytest.mark.parametrize(
    ("written", "expected", "kind"),
    [
        ("2026年12月底前", dt.date(2026, 12, 31), None),
        ("12月底", dt.date(2026, 12, 31), None),
        ("2027年1月", dt.date(2027, 1, 31), None),
        ("6月30日前", dt.date(2026, 6, 30), None),
        ("6月前", dt.date(2026, 5, 31), None),
        ("年底前", dt.date(2026, 12, 31), None),
        ("2027年底", dt.date(2027, 12, 31), None),
        ("二季度", dt.date(2026, 6, 30), None),
        ("第一季度", dt.date(2027, 3, 31), None),  # the first quarter on or after the start
        ("上半年", dt.date(2026, 6, 30), None),
        ("下半年", dt.date(2026, 12, 31), None),
        ("2023-2025年", dt.date(2025, 12, 31), None),
        ("立行立改", None, Kind.IMMEDIATE),
        ("即知即改", None, Kind.IMMEDIATE),
        ("长期坚持", None, Kind.LONG_TERM),
        ("立行立改,2026年4月底前", dt.date(2026, 4, 30), Kind.IMMEDIATE),
        ("2026.12.31", dt.date(2026, 12, 31), None),
    ],
)
def test_deadlines_as_offices_write_them(written, expected, kind):
    found = read_deadline(written, after=dt.date(2026, 4, 1))
    assert (found.date, found.kind, found.text) == (expected, kind, written)


@pytest.mark.parametrize("written", ["下个月", "2026年13月底", "2月30日前", "尽快"])
def test_a_deadline_that_cannot_be_read_says_so(written):
    with pytest.raises(BadValue, match=written):
        read_deadline(written, after=dt.date(2026, 4, 1))


def test_the_import_page_takes_a_default_area_and_reports_the_rows_it_skipped(world, tmp_path):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(world.admin_a)
    url = reverse("ledger_import", args=[world.campaign.slug])
    page = client.get(url).content.decode()
    assert 'name="default_area"' in page and "优化营商环境" in page
    with office_workbook(tmp_path, world, sections=False).open("rb") as upload:
        done = client.post(
            url,
            {"file": upload, "mode": "all", "kind": "problems", "default_area": "破解民生难题"},
        )
    text = done.content.decode()
    assert done.status_code == 200 and "新增 4 条" in text and "跳过 3 行" in text
    assert "聚焦领域用默认值:4 行" in text and "整改类型按时限的写法推断:2 行" in text
    assert Problem.objects.filter(focus_area__name="破解民生难题").count() == 4


def _two_row_workbook(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["巡察反馈问题整改清单"])
    ws.merge_cells("A1:F1")
    ws.append(["序号", "存在问题", "责任单位", "整改措施", "", "备注"])
    ws.append(["", "", "", "具体措施", "完成时限", ""])
    for column in "ABCF":
        ws.merge_cells(f"{column}2:{column}3")
    ws.merge_cells("D2:E2")
    ws.append([1, "会议多文件多", "尧都区发改局", "精简会议", "2026年9月底前", ""])
    path = tmp_path / "两行表头.xlsx"
    wb.save(path)
    return path


def test_a_header_over_two_rows_is_read_from_both(world, tmp_path):
    result = import_problems(
        _two_row_workbook(tmp_path), campaign=world.campaign, by=world.admin_a,
        defaults=Defaults(focus_area="优化营商环境"),
    )  # fmt: skip
    assert result.refused == [] and result.created == 1, [str(e) for e in result.refused]
    problem = Problem.objects.get()
    assert problem.deadline == dt.date(2026, 9, 30)
    assert list(problem.measures.values_list("content", flat=True)) == ["精简会议"]


def test_the_mapping_step_shows_the_real_column_names_not_the_merged_title(world, tmp_path):
    from taizhang.sheets.headers import header_candidates
    from taizhang.sheets.reading import read_table

    wb = Workbook()
    ws = wb.active
    ws.append(["某某单位问题台账(2026年)"])
    ws.merge_cells("A1:D1")
    ws.append(["甲项", "乙项", "丙项", "丁项"])
    path = tmp_path / "陌生表头.xlsx"
    wb.save(path)
    index, cells = header_candidates(read_table(path, set()).rows)
    assert index == 1 and [name for _c, name in cells] == ["甲项", "乙项", "丙项", "丁项"]


@pytest.mark.parametrize(
    ("written", "lead", "helpers"),
    [
        ("区发改局", "尧都区发改局", []),
        ("尧都区发展和改革局", "尧都区发改局", []),
        ("临汾市尧都区发改局", "尧都区发改局", []),
        ("临汾市尧都区", "尧都区", []),
        ("尧都区大阳镇（配合）、尧都区发改局（牵头）", "尧都区发改局", ["尧都区大阳镇"]),
        ("尧都区发改局、尧都区大阳镇", "尧都区发改局", ["尧都区大阳镇"]),
    ],
)
def test_units_as_offices_write_them(world, tmp_path, written, lead, helpers):
    wb = Workbook()
    wb.active.append(["存在问题", "责任单位", "整改时限"])
    wb.active.append(["材料多", written, "年底前"])
    wb.save(tmp_path / "单位.xlsx")
    result = import_problems(
        tmp_path / "单位.xlsx", campaign=world.campaign, by=world.admin_a,
        defaults=Defaults(focus_area="优化营商环境"),
    )  # fmt: skip
    assert result.refused == [], [str(e) for e in result.refused]
    problem = Problem.objects.get()
    assert problem.org.name == lead
    assert sorted(o.name for o in problem.cooperating_orgs.all()) == helpers


def test_an_abbreviation_two_counties_share_is_resolved_in_the_importers_county(world, tmp_path):
    from taizhang.orgs.models import OrgKind
    from taizhang.orgs.services import create_org

    create_org(
        code="141081802", name="侯马市发改局", kind=OrgKind.DEPARTMENT, parent=world.county_b
    )
    wb = Workbook()
    wb.active.append(["存在问题", "责任单位"])
    wb.active.append(["材料多", "发改局"])
    wb.save(tmp_path / "单位.xlsx")
    mine = import_problems(
        tmp_path / "单位.xlsx", campaign=world.campaign, by=world.admin_a, dry_run=True,
        defaults=Defaults(focus_area="优化营商环境"),
    )  # fmt: skip
    assert mine.refused == [] and mine.created == 1
    office = import_problems(
        tmp_path / "单位.xlsx", campaign=world.campaign, by=world.office, dry_run=True,
        defaults=Defaults(focus_area="优化营商环境"),
    )  # fmt: skip
    assert "可能是" in str(office.refused[0]) and "141081802" in str(office.refused[0])


def test_the_same_file_again_without_numbers_changes_nothing(world, tmp_path):
    path = office_workbook(tmp_path, world)
    import_problems(path, campaign=world.campaign, by=world.admin_a)
    versions = dict(Problem.objects.values_list("pk", "version"))
    events = ProblemEvent.objects.count()
    again = import_problems(path, campaign=world.campaign, by=world.admin_a)
    assert (again.created, again.updated, again.matched, again.unchanged) == (0, 0, 4, 4)
    assert again.written and again.refused == []
    assert dict(Problem.objects.values_list("pk", "version")) == versions
    assert ProblemEvent.objects.count() == events


def test_an_edited_row_updates_its_problem_with_before_and_after(world, tmp_path):
    path = office_workbook(tmp_path, world)
    import_problems(path, campaign=world.campaign, by=world.admin_a)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active["F5"] = "孙七"  # 责任人 of the first problem
    wb.save(path)
    again = import_problems(path, campaign=world.campaign, by=world.admin_a)
    assert (again.updated, again.unchanged) == (1, 3)
    problem = Problem.objects.get(title="企业开办环节多")
    assert problem.responsible_person == "孙七" and problem.version == 2
    event = ProblemEvent.objects.get(problem=problem, action="update")
    assert event.data == {
        "before": {"responsible_person": "赵磊"},
        "after": {"responsible_person": "孙七"},
    }


def test_the_projects_own_export_re_imports_with_no_change(world, tmp_path):
    from taizhang.sheets.ledger_export import export_problems
    from taizhang.testing import close, record

    close(world, record(world, title="已整改的问题"))
    record(world, title="整改中的问题", measures=["第一步"])
    out = tmp_path / "导出.xlsx"
    export_problems(Problem.objects.order_by("number"), campaign=world.campaign, org=None, out=out)
    versions = dict(Problem.objects.values_list("pk", "version"))
    again = import_problems(out, campaign=world.campaign, by=world.office)
    assert again.refused == [] and (again.created, again.updated) == (0, 0), [
        str(e) for e in again.refused
    ]
    assert dict(Problem.objects.values_list("pk", "version")) == versions
    assert again.sheets == ["问题台账", "其他信息(按编号补充)"]


def test_an_edit_on_the_exports_second_sheet_is_applied_or_refused_by_its_number(world, tmp_path):
    from openpyxl import load_workbook

    from taizhang.sheets.ledger_export import export_problems
    from taizhang.testing import record

    moved = record(world, title="换领域的问题")
    kept = record(world, title="改类型的问题")
    out = tmp_path / "导出.xlsx"
    export_problems(Problem.objects.order_by("number"), campaign=world.campaign, org=None, out=out)
    book = load_workbook(out)
    more = book["其他信息"]
    rows = {more.cell(row=r, column=2).value: r for r in range(4, 6)}
    more.cell(row=rows[moved.number], column=3).value = "破解民生难题"
    more.cell(row=rows[kept.number], column=5).value = "长期坚持"
    book.save(out)
    result = import_problems(out, campaign=world.campaign, by=world.office, partial=True)
    assert [str(e) for e in result.refused] == [
        f"工作表“问题台账”第 {rows[kept.number]} 行“整改类型(工作表“其他信息”)”列:"
        "整改类型不能通过导入修改"
    ]
    assert result.updated == 1
    moved.refresh_from_db()
    kept.refresh_from_db()
    assert moved.focus_area.name == "破解民生难题" and kept.kind == Kind.DEADLINE


def test_the_command_says_what_it_read_as_json_and_a_failed_check_exits_non_zero(
    world, tmp_path, capsys
):
    import json

    from django.core.management.base import CommandError

    path = office_workbook(tmp_path, world)
    call_command("import", str(path), "--campaign", world.campaign.slug, "--dry-run", "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["sheets"] == ["尧都区"] and summary["columns"]["title"] == "存在问题"
    assert summary["columns"]["deadline"] == "整改时限（截止日期）"
    assert "序号" in summary["ignored_columns"] and "备注" in summary["ignored_columns"]
    assert (summary["problems_new"], summary["rows_skipped"], summary["rows_refused"]) == (4, 5, 0)
    assert summary["inferred"] == {
        "focus_area_from_section": 4, "kind_from_deadline": 2, "kind_default": 2,
        "source_default": 4,
    }  # fmt: skip
    bad = office_workbook(tmp_path, world, sections=False)
    with pytest.raises(CommandError):
        call_command("import", str(bad), "--campaign", world.campaign.slug, "--dry-run")
    assert not Problem.objects.exists()


def test_the_page_says_which_column_it_read_as_what(world, tmp_path):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(world.admin_a)
    with office_workbook(tmp_path, world).open("rb") as upload:
        page = client.post(
            reverse("ledger_import", args=[world.campaign.slug]),
            {"file": upload, "mode": "check", "kind": "problems"},
        ).content.decode()
    read = page.split('id="what-was-read"')[1].split("</details>")[0]
    assert "存在问题 → 问题" in read and "整改时限（截止日期） → 整改时限" in read
    assert "未导入的列" in read and "备注" in read


def test_measures_merged_down_under_one_problem_stay_one_problem(world, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "存在问题", "责任单位", "整改措施", "完成时限"])
    ws.append([1, "审批环节多", "尧都区发改局", "精简环节", "2026年6月底前"])
    ws.append(["", "", "", "一窗受理", "2026年9月底前"])
    ws.append(["", "", "", "限时办结", "2026年12月底前"])
    for column in "ABC":
        ws.merge_cells(f"{column}2:{column}4")
    ws.append([2, "窗口少", "尧都区发改局", "增设窗口", "年底前"])
    wb.save(tmp_path / "合并措施.xlsx")
    result = import_problems(
        tmp_path / "合并措施.xlsx", campaign=world.campaign, by=world.admin_a,
        defaults=Defaults(focus_area="优化营商环境"),
    )  # fmt: skip
    assert result.refused == [] and result.created == 2, [str(e) for e in result.refused]
    problem = Problem.objects.get(title="审批环节多")
    measures = list(problem.measures.order_by("order").values_list("content", "deadline"))
    assert measures == [
        ("精简环节", dt.date(2026, 6, 30)),
        ("一窗受理", dt.date(2026, 9, 30)),
        ("限时办结", dt.date(2026, 12, 31)),
    ]
    assert problem.deadline == dt.date(2026, 12, 31)


def _with_completion(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "存在问题", "责任单位", "整改时限", "完成情况"])
    ws.append([1, "材料多", "尧都区发改局", "2026年6月底前", "已完成,精简材料 5 项"])
    ws.append([2, "环节多", "尧都区发改局", "2026年6月底前", "已整改到位"])
    ws.append([3, "窗口少", "尧都区发改局", "年底前", "正在整改,已增设 1 个窗口"])
    ws.append([4, "指南旧", "尧都区发改局", "年底前", "未完成"])
    ws.append([5, "排队长", "尧都区发改局", "年底前", ""])
    path = tmp_path / "有完成情况.xlsx"
    wb.save(path)
    return path


def test_done_rows_count_as_rectified_only_once_the_office_confirms_them(world, tmp_path):
    from django.test import Client
    from django.urls import reverse

    from taizhang.ledger import tallies
    from taizhang.ledger.models import ImportedClosure, ProgressReport, Status
    from taizhang.reports.stats import campaign_stats

    checked = import_problems(
        _with_completion(tmp_path), campaign=world.campaign, by=world.admin_a, dry_run=True,
        defaults=Defaults(focus_area="优化营商环境"),
    )  # fmt: skip
    assert checked.closed_before_import == 2
    result = import_problems(
        _with_completion(tmp_path), campaign=world.campaign, by=world.admin_a,
        defaults=Defaults(focus_area="优化营商环境"), file_name="尧都区台账.xlsx",
    )  # fmt: skip
    assert (result.created, result.closed_before_import) == (5, 2)
    closure = ImportedClosure.objects.get()
    assert closure.count == 2 and closure.file_name == "尧都区台账.xlsx" and closure.stored_name
    # Before the office confirms: open, at 100 %, with what the office wrote as progress.
    assert campaign_stats(world.campaign)["problems_rectified"] == 0
    done = Problem.objects.get(title="材料多")
    assert done.status == Status.RECTIFYING and done.progress == 100
    assert ProgressReport.objects.get(problem=done).text == "已完成,精简材料 5 项"
    assert ProgressReport.objects.get(problem__title="窗口少").percent == 0
    assert not ProgressReport.objects.filter(problem__title="排队长").exists()
    # A unit cannot confirm its own closures; the office does, in one act on the import page.
    admin = Client()
    admin.force_login(world.admin_a)
    url = reverse("ledger_import", args=[world.campaign.slug])
    assert "pending-closures" not in admin.get(url).content.decode()
    office = Client()
    office.force_login(world.office)
    page = office.get(url).content.decode()
    assert "pending-closures" in page and "尧都区台账.xlsx" in page
    listed = office.get(
        reverse("problem_list", args=[world.campaign.slug]), {"imported": closure.pk}
    )
    assert "材料多" in listed.content.decode() and "窗口少" not in listed.content.decode()
    office.post(url, {"action": "confirm_closure", "closure": closure.pk})
    stats = campaign_stats(world.campaign)
    assert stats["problems_rectified"] == 2 and stats["rectification_rate"] == 40.0
    done.refresh_from_db()
    assert done.status == Status.CLOSED and done.closed_on_time is None
    event = ProblemEvent.objects.get(problem=done, action="confirm_import")
    assert event.actor == world.office and "尧都区台账.xlsx" in event.reason
    assert tallies.stored_counts(world.campaign) == tallies.fresh_counts(world.campaign)
    assert verify(world.campaign).intact  # the bulk confirmation sealed each row it wrote
    closure.refresh_from_db()
    assert closure.confirmed_by == world.office
    office.post(url, {"action": "confirm_closure", "closure": closure.pk})  # once only
    assert ProblemEvent.objects.filter(action="confirm_import").count() == 2


def test_aliases_kept_for_a_unit_match_like_its_name(world, tmp_path):
    from taizhang.orgs.models import OrgAlias
    from taizhang.orgs.services import set_aliases

    units = Workbook()
    units.active.append(["单位代码", "单位名称", "上级单位代码", "单位类型", "别名"])
    units.active.append(["141002801", "尧都区发改局", "141002", "部门", "区发展改革委、尧都发改"])
    units.save(tmp_path / "单位.xlsx")
    call_command("import", str(tmp_path / "单位.xlsx"), "--kind", "orgs")
    assert set(OrgAlias.objects.values_list("name", flat=True)) == {"区发展改革委", "尧都发改"}
    with pytest.raises(ValidationError, match="侯马市"):
        set_aliases(world.dept_a1, ["侯马市"])  # another unit's name
    wb = Workbook()
    wb.active.append(["存在问题", "责任单位"])
    wb.active.append(["材料多", "尧都发改"])
    wb.save(tmp_path / "台账.xlsx")
    result = import_problems(
        tmp_path / "台账.xlsx", campaign=world.campaign, by=world.office, dry_run=True,
        defaults=Defaults(focus_area="优化营商环境"),
    )  # fmt: skip
    assert result.refused == [] and result.created == 1, [str(e) for e in result.refused]


def test_a_re_import_that_moves_a_deadline_or_changes_measures_says_why_it_cannot(world, tmp_path):
    from openpyxl import load_workbook

    path = office_workbook(tmp_path, world)
    import_problems(path, campaign=world.campaign, by=world.admin_a)
    wb = load_workbook(path)
    wb.active["G5"] = "2026年8月底前"  # the first problem's deadline, moved earlier
    wb.active["C9"] = "重新编印\n上网公开"  # 办事指南不清 gets a second measure
    wb.save(path)
    again = import_problems(path, campaign=world.campaign, by=world.admin_a)
    messages = [str(e) for e in again.refused]
    assert any("变更时限须提交延期申请" in m and "第 5 行" in m for m in messages), messages
    assert any("请在问题页添加措施" in m and "第 9 行" in m for m in messages), messages
    assert Problem.objects.get(title="企业开办环节多").deadline == dt.date(2026, 12, 31)


def _unit_sheet(wb, name, unit, rows, *, first=False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = name
    ws.append([f"{unit}问题整改台账"])
    ws.merge_cells("A1:F1")
    ws.append(["序号", "存在问题", "整改措施", "责任单位", "整改时限", "完成情况"])
    for n, (title, deadline, done) in enumerate(rows, 1):
        ws.append([n, title, "落实整改", unit, deadline, done])
    ws.append(["填表人:赵磊"])
    return ws


def test_a_workbook_with_a_sheet_per_unit_is_read_whole(world, tmp_path):
    wb = Workbook()
    done = [("审批慢", "年底前", ""), ("材料多", "二季度", "已完成")]
    _unit_sheet(wb, "发改局", "区发改局", done, first=True)
    _unit_sheet(wb, "大阳镇", "尧都区大阳镇", [("路灯不亮", "立行立改", "正在整改")])
    summary = wb.create_sheet("汇总")
    summary.append(["责任单位", "问题数", "完成情况"])
    summary.append(["区发改局", 2, "1 个已完成"])
    old = _unit_sheet(wb, "旧表", "尧都区大阳镇", [("不该读到", "年底前", "")])
    old.sheet_state = "hidden"
    path = tmp_path / "各单位台账.xlsx"
    wb.save(path)
    result = import_problems(path, campaign=world.campaign, by=world.admin_a,
                             defaults=Defaults(focus_area="优化营商环境"))  # fmt: skip
    assert result.refused == [] and result.created == 3, [str(e) for e in result.refused]
    assert result.sheets == ["发改局", "大阳镇"] and result.closed_before_import == 1
    assert len(result.sheets_skipped) == 1 and "汇总" in result.sheets_skipped[0]
    assert set(Problem.objects.values_list("org__name", "title")) == {
        ("尧都区发改局", "审批慢"), ("尧都区发改局", "材料多"), ("尧都区大阳镇", "路灯不亮"),
    }  # fmt: skip
    assert len(result.skipped) == 2  # one 填表人 line on each sheet

    one = import_problems(path, campaign=world.campaign, by=world.admin_a, sheet="大阳镇",
                          dry_run=True, defaults=Defaults(focus_area="优化营商环境"))  # fmt: skip
    assert one.sheets == ["大阳镇"] and (one.created, one.matched, one.unchanged) == (0, 1, 1)
    with pytest.raises(ValidationError, match="没有工作表“三局”"):
        import_problems(path, campaign=world.campaign, by=world.admin_a, sheet="三局")


def test_the_same_problem_on_two_sheets_is_refused_naming_the_other_sheet(world, tmp_path):
    wb = Workbook()
    _unit_sheet(wb, "一月", "区发改局", [("审批慢", "年底前", "")], first=True)
    _unit_sheet(wb, "二月", "区发改局", [("审批慢", "年底前", "")])
    path = tmp_path / "重复.xlsx"
    wb.save(path)
    result = import_problems(path, campaign=world.campaign, by=world.admin_a, dry_run=True,
                             defaults=Defaults(focus_area="优化营商环境"))  # fmt: skip
    assert [str(e) for e in result.refused] == [
        "工作表“二月”第 3 行“存在问题”列:与工作表“一月”第 3 行重复"
    ]


def _hidden_column_workbook(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["存在问题", "责任单位", "责任单位", "整改时限"])
    ws.append(["审批慢", "尧都区大阳镇", "尧都区发改局", "年底前"])
    ws.column_dimensions["B"].hidden = True  # the old unit, hidden when the task moved
    path = tmp_path / "隐藏列.xlsx"
    wb.save(path)
    return path


def test_a_visible_column_wins_over_a_hidden_one_of_the_same_name(world, tmp_path):
    path = _hidden_column_workbook(tmp_path)
    result = import_problems(path, campaign=world.campaign, by=world.admin_a,
                             defaults=Defaults(focus_area="优化营商环境"))  # fmt: skip
    assert result.refused == [] and result.created == 1, [str(e) for e in result.refused]
    assert Problem.objects.get().org.name == "尧都区发改局"
    assert result.ignored == ["责任单位(隐藏列)"]


def test_the_mapping_step_lets_the_user_pick_the_sheet_and_the_header_row(world, tmp_path):
    from django.test import Client
    from django.urls import reverse

    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表由各单位填写"])
    ws = wb.create_sheet("台账")
    ws.append(["某单位台账"])
    ws.append(["填报单位:尧都区发改局"])
    ws.append(["事项摘要", "办理主体", "期限"])
    ws.append(["审批慢", "尧都区发改局", "年底前"])
    path = tmp_path / "陌生.xlsx"
    wb.save(path)
    client = Client()
    client.force_login(world.admin_a)
    url = reverse("ledger_import", args=[world.campaign.slug])
    with path.open("rb") as upload:
        asked = client.post(url, {"file": upload, "mode": "all", "kind": "problems",
                                  "default_area": "优化营商环境"})  # fmt: skip
    page = asked.content.decode()
    assert asked.status_code == 400 and 'name="sheet"' in page and ">台账</option>" in page
    shown = client.post(url, {"action": "pick", "sheet": "台账", "header_row": "3"})
    page = shown.content.decode()
    assert 'name="map:事项摘要"' in page and 'name="map:办理主体"' in page
    assert "填报单位:尧都区发改局" in page  # the sheet's first rows, as they are
    done = client.post(url, {"action": "map", "sheet": "台账", "header_row": "3",
                             "map:事项摘要": "title", "map:办理主体": "org",
                             "map:期限": "deadline"})  # fmt: skip
    assert done.status_code == 200 and "新增 1 条" in done.content.decode()
    problem = Problem.objects.get()
    assert (problem.title, problem.org.name) == ("审批慢", "尧都区发改局")
    assert problem.deadline == dt.date(2026, 12, 31)


def test_a_mistyped_unit_is_suggested_from_the_importers_own_county_first(world, tmp_path):
    from taizhang.orgs.models import OrgKind
    from taizhang.orgs.services import create_org

    create_org(code="141000802", name="临汾市人社局", kind=OrgKind.DEPARTMENT, parent=world.city)
    create_org(code="141002802", name="尧都区人社局", kind=OrgKind.DEPARTMENT,
               parent=world.county_a)  # fmt: skip
    wb = Workbook()
    wb.active.append(["存在问题", "责任单位", "整改时限"])
    wb.active.append(["社保咨询难", "区人设局", "年底前"])
    wb.save(tmp_path / "错字.xlsx")
    result = import_problems(
        tmp_path / "错字.xlsx", campaign=world.campaign, by=world.admin_a, dry_run=True,
        defaults=Defaults(focus_area="优化营商环境"),
    )  # fmt: skip
    assert [e.message for e in result.refused] == [
        "找不到单位“区人设局”;您是不是要找:尧都区人社局、临汾市人社局"
    ]


def test_without_an_area_the_triage_proposal_is_taken_and_marked_until_confirmed(world, tmp_path):
    from django.test import Client
    from django.urls import reverse

    world.area2.keywords = "路灯、小区"
    world.area2.save()
    path = office_workbook(tmp_path, world, sections=False)
    result = import_problems(path, campaign=world.campaign, by=world.admin_a, partial=True)
    # Only 老旧小区路灯不亮 has words the campaign's keywords know; the others still need an area.
    assert result.inferred["focus_area_proposed"] == 1 and result.created == 1
    assert {e.message for e in result.refused} == {
        "没有聚焦领域:请在表中填写,或在导入时选择默认聚焦领域(--area)"
    }
    problem = Problem.objects.get()
    assert problem.focus_area == world.area2 and problem.focus_area_proposed

    client = Client()
    client.force_login(world.handler_a1)
    listed = client.get(reverse("problem_list", args=[world.campaign.slug]) + "?area_proposed=1")
    assert "待确认" in listed.content.decode() and problem.number in listed.content.decode()
    page = client.get(reverse("problem_detail", args=[problem.pk])).content.decode()
    assert 'id="area-proposed"' in page and 'id="confirm-area"' in page
    client.post(reverse("problem_confirm_area", args=[problem.pk]),
                {"version": problem.version, "focus_area": world.area.pk})  # fmt: skip
    problem.refresh_from_db()
    assert problem.focus_area == world.area and not problem.focus_area_proposed
    corrected = ProblemEvent.objects.filter(problem=problem, reason="更正聚焦领域").get()
    assert corrected.data["after"] == {"focus_area": "优化营商环境"}
    again = import_problems(path, campaign=world.campaign, by=world.admin_a, dry_run=True,
                            partial=True)  # fmt: skip
    assert (again.updated, again.unchanged) == (0, 1)  # a proposal never moves a settled area


def test_longer_header_names_and_the_words_offices_use_for_source_kind_and_area(world, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "巡察反馈的主要问题", "具体整改措施", "整改责任单位及责任人",
               "问题来源及类别", "整改方式", "所属领域", "整改完成时限要求"])  # fmt: skip
    ws.append([1, "审批慢", "精简环节", "尧都区发改局", "市委第一巡察组反馈", "限期整改(3个月)",
               "营商环境", "2026年9月底前"])  # fmt: skip
    ws.append([2, "路灯不亮", "更换路灯", "尧都区发改局", "群众反映", "立即整改", "民生难题方面",
               ""])  # fmt: skip
    ws.append([3, "会议多", "精简会议", "尧都区发改局", "民主生活会查摆", "", "", "年底前"])
    ws.append([4, "文件多", "精简文件", "尧都区发改局", "不知道", "", "营商环境", "年底前"])
    path = tmp_path / "长表头.xlsx"
    wb.save(path)
    result = import_problems(path, campaign=world.campaign, by=world.admin_a, partial=True,
                             defaults=Defaults(focus_area="优化营商环境"))  # fmt: skip
    assert result.columns == {"title": "巡察反馈的主要问题", "measures": "具体整改措施",
                              "org": "整改责任单位及责任人", "source": "问题来源及类别",
                              "kind": "整改方式", "focus_area": "所属领域",
                              "deadline": "整改完成时限要求"}  # fmt: skip
    assert [str(e) for e in result.refused] == [
        "工作表“Sheet”第 5 行“问题来源及类别”列:“不知道”应为 自查、意见建议、督导发现 或 上级交办"
    ]
    got = {p.title: (p.source, p.kind, p.focus_area.name) for p in Problem.objects.all()}
    assert got == {
        "审批慢": (Source.INSPECTION, Kind.DEADLINE, "优化营商环境"),
        "路灯不亮": (Source.SUGGESTION, Kind.IMMEDIATE, "破解民生难题"),
        "会议多": (Source.SELF_FOUND, Kind.DEADLINE, "优化营商环境"),
    }
