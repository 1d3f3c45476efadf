"""Importing offices' ledgers as they come: made with openpyxl, in every shape offices use."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from taizhang.ledger import tallies
from taizhang.ledger.models import Problem, ProblemEvent, Status
from taizhang.sheets.errors import ImportRefused
from taizhang.sheets.problem_import import import_problems

HEADER = [
    "序号",
    "编号",
    "存在问题",
    "聚焦领域",
    "牵头单位",
    "责任人",
    "整改类型",
    "整改措施",
    "完成时限",
]


def workbook(tmp_path, rows, header=HEADER, name="台账.xlsx", before=None):
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    for extra in before or []:
        ws.append(extra)
    ws.append(header)
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def good_rows(world):
    soon = world.campaign.starts_on + dt.timedelta(days=30)
    return [
        [
            1,
            "YD-001",
            "企业开办环节多",
            "优化营商环境",
            "尧都区发改局",
            "赵磊",
            "立行立改",
            "1. 精简环节\n2. 一窗受理",
            soon,
        ],
        [
            2,
            "",
            "路灯不亮",
            "破解民生难题",
            "141002101",
            "",
            "限期整改",
            "",
            f"{soon:%Y年%-m月%-d日}",
        ],
        [
            3,
            "YD-003",
            "停车难",
            "破解民生难题",
            "侯马市教育局",
            "",
            "长期坚持",
            "",
            soon.toordinal() - dt.date(1899, 12, 30).toordinal(),
        ],
    ]


def test_a_ledger_comes_in_with_header_variants_and_date_forms(world, tmp_path):
    path = workbook(tmp_path, good_rows(world), before=[["尧都区问题整改台账"], ["单位:尧都区"]])
    result = import_problems(path, campaign=world.campaign)
    assert (result.created, result.updated, result.refused) == (3, 0, [])
    first = Problem.objects.get(number="YD-001")
    assert first.org == world.dept_a1 and first.status == Status.RECTIFYING
    assert list(first.measures.values_list("content", flat=True)) == ["精简环节", "一窗受理"]
    numbered = Problem.objects.get(title="路灯不亮")
    assert numbered.number.startswith("TEST-2026-") and numbered.org == world.town_a2
    deadlines = set(Problem.objects.values_list("deadline", flat=True))
    assert deadlines == {world.campaign.starts_on + dt.timedelta(days=30)}
    assert ProblemEvent.objects.filter(reason="导入").count() == 3
    assert tallies.stored_counts(world.campaign) == +tallies.fresh_counts(world.campaign)


def test_reimport_updates_by_number_instead_of_duplicating(world, tmp_path):
    rows = good_rows(world)
    import_problems(workbook(tmp_path, rows), campaign=world.campaign)
    rows[0][2] = "企业开办环节多、时限长"
    rows[1][1] = Problem.objects.get(title="路灯不亮").number
    result = import_problems(workbook(tmp_path, rows, name="again.xlsx"), campaign=world.campaign)
    # The row whose text changed is updated; the two others are found and left as they are.
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert Problem.objects.count() == 3
    assert Problem.objects.get(number="YD-001").title == "企业开办环节多、时限长"


def test_errors_name_sheet_row_and_column_and_nothing_is_written(world, tmp_path):
    rows = good_rows(world)
    rows.append([4, "", "", "优化营商环境", "尧都区发改局", "", "立行立改", "", ""])
    rows.append([5, "", "问题五", "没有这个领域", "尧都区发该局", "", "马上改", "", "2022-02-30"])
    rows.append([6, "YD-001", "重复编号", "优化营商环境", "尧都区发改局", "", "立行立改", "", ""])
    rows.append([])  # trailing empty rows are not errors
    result = import_problems(workbook(tmp_path, rows), campaign=world.campaign)
    messages = [str(e) for e in result.refused]
    assert "工作表“问题清单”第 5 行“存在问题”列:不能为空" in messages
    assert any(
        "第 6 行“牵头单位”列:找不到单位“尧都区发该局”;您是不是要找:尧都区发改局" in m
        for m in messages
    )
    assert any("第 6 行“聚焦领域”列" in m for m in messages)
    assert any("第 6 行“整改类型”列" in m for m in messages)
    assert any("第 6 行“完成时限”列:“2022-02-30”这个日期不存在" in m for m in messages)
    assert any("第 7 行“编号”列:与第 2 行重复" in m for m in messages)
    assert not result.written and not Problem.objects.exists()


def test_partial_imports_the_good_rows_and_returns_the_rest(world, tmp_path):
    rows = good_rows(world)
    rows.append([4, "", "问题四", "优化营商环境", "不存在的单位", "", "立行立改", "", ""])
    errors = tmp_path / "errors.xlsx"
    result = import_problems(
        workbook(tmp_path, rows), campaign=world.campaign, partial=True, error_file=errors
    )
    assert result.written and result.created == 3 and Problem.objects.count() == 3
    sheet = load_workbook(errors).active
    refused = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert refused[0][2] == "问题四" and "找不到单位“不存在的单位”" in refused[0][-1]


def test_dry_run_writes_nothing(world, tmp_path):
    result = import_problems(
        workbook(tmp_path, good_rows(world)), campaign=world.campaign, dry_run=True
    )
    assert result.created == 3 and not result.written and not Problem.objects.exists()


def test_merged_cells_hidden_sheets_and_formulas(world, tmp_path):
    wb = Workbook()
    hidden = wb.active
    hidden.title = "说明"
    hidden.sheet_state = "hidden"
    hidden.append(["这张表是隐藏的说明"])
    ws = wb.create_sheet("台账")
    ws.append(["问题", "聚焦领域", "责任单位", "整改类型", "整改时限"])
    day = world.campaign.starts_on + dt.timedelta(days=10)
    ws.append(["问题一", "优化营商环境", "尧都区发改局", "立行立改", day])
    ws.append(["问题二", "优化营商环境", None, "立行立改", "=E2+1"])
    ws.merge_cells("C2:C3")  # one unit for both rows, as offices merge it
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    # openpyxl does not compute formulas; LibreOffice or Excel would cache the value. Without
    # a cached value the cell reads empty and the default deadline applies.
    result = import_problems(path, campaign=world.campaign)
    assert result.created == 2, [str(e) for e in result.refused]
    assert set(Problem.objects.values_list("org__code", flat=True)) == {"141002801"}


def test_gbk_csv_and_files_that_are_not_spreadsheets(world, tmp_path):
    csv_path = tmp_path / "ledger.csv"
    csv_path.write_bytes(
        "问题,聚焦领域,责任单位,整改类型\n窗口少,优化营商环境,尧都区发改局,立行立改\n".encode("gbk")
    )
    assert import_problems(csv_path, campaign=world.campaign).created == 1
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"MZ this is not a workbook")
    with pytest.raises(Exception, match="不是电子表格或已损坏"):
        import_problems(fake, campaign=world.campaign)
    no_header = workbook(tmp_path, [["a", "b"]], header=["甲", "乙"], name="noheader.xlsx")
    with pytest.raises(ImportRefused, match="找不到表头"):
        import_problems(no_header, campaign=world.campaign)
    missing = workbook(tmp_path, [], header=["问题", "责任人", "整改时限"], name="missing.xlsx")
    with pytest.raises(ImportRefused, match="缺少必填列"):
        import_problems(missing, campaign=world.campaign)


def test_command_is_all_or_nothing(world, tmp_path, capsys):
    bad = [9, "", "坏行", "优化营商环境", "无此单位", "", "立行立改", "", ""]
    rows = [*good_rows(world), bad]
    path = workbook(tmp_path, rows)
    with pytest.raises(CommandError, match="未导入任何行"):
        call_command("import", str(path), "--campaign", world.campaign.slug)
    assert not Problem.objects.exists()
    call_command("import", str(path), "--campaign", world.campaign.slug, "--partial")
    assert Problem.objects.count() == 3
    assert "已新增 3 条" in capsys.readouterr().out


def test_upload_page_checks_then_imports_in_the_uploaders_scope(world, tmp_path):
    from django.test import Client
    from django.urls import reverse

    rows = good_rows(world)  # the third row belongs to 侯马, outside 尧都区's admin
    path = workbook(tmp_path, rows)
    client = Client()
    client.force_login(world.admin_a)
    url = reverse("ledger_import", args=[world.campaign.slug])
    with path.open("rb") as handle:
        page = client.post(url, {"file": handle, "mode": "check"}).content.decode()
    assert "检查结果" in page and "无权为“侯马市教育局”导入问题" in page
    assert not Problem.objects.exists()
    with path.open("rb") as handle:
        page = client.post(url, {"file": handle, "mode": "partial"}).content.decode()
    assert "已导入" in page and Problem.objects.count() == 2
    token = page.split("/import/errors/")[1].split(".xlsx")[0]
    errors = client.get(reverse("ledger_import_errors", args=[world.campaign.slug, token]))
    assert errors.status_code == 200
    other = Client()
    other.force_login(world.office)
    assert (
        other.get(reverse("ledger_import_errors", args=[world.campaign.slug, token])).status_code
        == 404
    )
    template = client.get(reverse("ledger_import_template", args=[world.campaign.slug]))
    sheet = load_workbook(io.BytesIO(b"".join(template.streaming_content))).active
    assert sheet["B3"].value == "问题" and sheet["B4"].value.startswith("(示例)")
    assert Client().get(url).status_code == 302


def test_a_unit_name_shared_by_two_units_asks_for_the_code(world, tmp_path):
    from taizhang.orgs.models import OrgKind
    from taizhang.orgs.services import create_org

    create_org(code="141081101201", name="东关村党支部", kind=OrgKind.BRANCH, parent=world.county_b)
    rows = [
        [1, "", "问题", "优化营商环境", "东关村党支部", "", "立行立改", "", ""],
        [2, "", "问题二", "优化营商环境", "141002101201", "", "立行立改", "", ""],
    ]
    result = import_problems(workbook(tmp_path, rows), campaign=world.campaign)
    assert [str(e) for e in result.refused] == [
        "工作表“问题清单”第 2 行“牵头单位”列:有多个单位叫“东关村党支部”,请改填单位代码"
    ]


def test_unknown_headers_are_matched_once_and_remembered(world, tmp_path, settings):
    from django.test import Client
    from django.urls import reverse

    settings.VAR_DIR = tmp_path / "var"
    rows = [["窗口少", "优化营商环境", "尧都区发改局", "立行立改"]]
    path = workbook(tmp_path, rows, header=["问题摘要", "聚焦领域", "承办单位", "整改类型"])
    client = Client()
    client.force_login(world.handler_a1)
    url = reverse("ledger_import", args=[world.campaign.slug])
    with path.open("rb") as handle:
        page = client.post(url, {"file": handle, "mode": "all"}).content.decode()
    assert 'id="mapping"' in page and "问题摘要" in page and "承办单位" in page
    page = client.post(
        url,
        {
            "action": "map",
            "map:问题摘要": "title",
            "map:承办单位": "org",
            "map:聚焦领域": "",
            "map:整改类型": "",
        },
    ).content.decode()
    assert "已导入" in page and Problem.objects.get().title == "窗口少"
    assert not list((tmp_path / "var" / "import-uploads").iterdir())  # the upload is gone
    # The same layout again: recognised at once.
    again = workbook(
        tmp_path,
        [["排队久", "优化营商环境", "尧都区发改局", "立行立改"]],
        header=["问题摘要", "聚焦领域", "承办单位", "整改类型"],
        name="again.xlsx",
    )
    with again.open("rb") as handle:
        page = client.post(url, {"file": handle, "mode": "all"}).content.decode()
    assert "已导入" in page and Problem.objects.count() == 2
    # Another user's mappings are their own.
    other = Client()
    other.force_login(world.admin_a)
    with again.open("rb") as handle:
        assert 'id="mapping"' in other.post(url, {"file": handle, "mode": "check"}).content.decode()


def test_progress_is_reported(world, tmp_path):
    seen = []
    import_problems(
        workbook(tmp_path, good_rows(world)),
        campaign=world.campaign,
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    assert seen[-1] == ("写入", 3, 3)


def test_reimport_moving_areas_keeps_the_rollups_exact(
    world, tmp_path, django_assert_max_num_queries
):
    day = world.campaign.starts_on + dt.timedelta(days=30)
    rows = [
        [i, f"N-{i:03d}", f"问题{i}", "破解民生难题", "尧都区发改局", "", "立行立改", "", day]
        for i in range(60)
    ]
    import_problems(workbook(tmp_path, rows), campaign=world.campaign)
    for row in rows:
        row[3] = "优化营商环境"
    # Batched: a few queries a row would be hundreds here.
    with django_assert_max_num_queries(40):
        result = import_problems(
            workbook(tmp_path, rows, name="moved.xlsx"), campaign=world.campaign
        )
    assert result.updated == 60
    assert set(Problem.objects.values_list("focus_area__name", flat=True)) == {"优化营商环境"}
    assert set(Problem.objects.values_list("version", flat=True)) == {2}
    assert tallies.stored_counts(world.campaign) == +tallies.fresh_counts(world.campaign)


def test_a_file_over_100_mb_is_refused_before_it_is_read(world, tmp_path):
    big = tmp_path / "全市台账.xlsx"
    with big.open("wb") as handle:  # sparse: no 100 MB written to the disk
        handle.truncate(100 * 1024 * 1024 + 1)
    with pytest.raises(ValidationError, match="超过 100 MB"):
        import_problems(big, campaign=world.campaign)
    assert Problem.objects.count() == 0
