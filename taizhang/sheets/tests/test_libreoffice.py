"""Workbooks as many offices make them (WPS and LibreOffice), and ours as they open them."""

import csv
import itertools
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from taizhang.ledger.models import Kind, Problem
from taizhang.sheets.ledger_export import export_problems
from taizhang.sheets.problem_import import import_problems
from taizhang.testing import record

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"),
    reason="LibreOffice is not installed (make test installs it)",
)


def convert(path: Path, target: str, folder: Path) -> Path:
    read_utf8 = ["--infilter=CSV:44,34,76"] if path.suffix == ".csv" else []
    subprocess.run(
        [
            SOFFICE or "soffice",
            "--headless",
            f"-env:UserInstallation=file://{folder}/profile",
            *read_utf8,
            "--convert-to",
            target,
            "--outdir",
            str(folder),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return folder / f"{path.stem}.{target.split(':')[0]}"


@pytest.mark.parametrize("target", ["xlsx", "ods", "xls:MS Excel 97"])
def test_a_ledger_saved_by_libreoffice_imports(world, tmp_path, target):
    source = tmp_path / "台账.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["编号", "问题", "聚焦领域", "责任单位", "整改类型", "完成时限"])
        writer.writerow(["LO-1", "办事指南不清晰", "优化营商环境", "尧都区发改局", "立行立改", ""])
        writer.writerow(["LO-2", "路面破损", "破解民生难题", "尧都区大阳镇", "限期整改", ""])
    workbook = convert(source, target, tmp_path)
    result = import_problems(workbook, campaign=world.campaign)
    assert (result.created, result.refused) == (2, [])
    assert set(Problem.objects.values_list("number", flat=True)) == {"LO-1", "LO-2"}


def test_our_export_opens_in_libreoffice(world, tmp_path):
    for i in range(3):
        record(world, title=f"问题 & <{i}>")
    out = tmp_path / "export.xlsx"
    export_problems(Problem.objects.order_by("number"), campaign=world.campaign, org=None, out=out)
    back = convert(out, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path)
    rows = list(csv.reader(back.open(encoding="utf-8")))
    assert rows[2][:3] == ["序号", "编号", "问题"]
    assert [r[2] for r in rows[3:6]] == ["问题 & <0>", "问题 & <1>", "问题 & <2>"]


def test_our_export_prints_like_an_office_ledger(world, tmp_path):
    """A4 landscape at ten points or more, lines of wrapped text that do not overlap, page
    numbers at the foot, the signature line under the table (as LibreOffice prints it)."""
    import re

    long_text = "企业开办环节多,材料需要重复提交," * 4
    for i in range(30):
        record(world, title=f"{i}号{long_text}", measures=["精简环节", "一窗受理", "限时办结"])
    out = tmp_path / "台账.xlsx"
    export_problems(Problem.objects.order_by("number"), campaign=world.campaign, org=None, out=out)
    pdf = convert(out, "pdf", tmp_path)
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    pages = boxes.split("<page ")[1:]
    width, height = (float(v) for v in re.findall(r'width="([\d.]+)" height="([\d.]+)"', boxes)[0])
    assert (round(width), round(height)) == (842, 595)  # A4, landscape
    words = [
        (float(x0), float(y0), float(x1), float(y1), word)
        for x0, y0, x1, y1, word in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)<',
            pages[0],
        )
    ]
    header = next(w for w in words if w[4] == "序号")
    assert (header[2] - header[0]) / 2 >= 10  # two characters, each as wide as the type is big
    column = [w for w in words if w[0] < header[0] + 200 and w[0] > header[2] + 40]
    column.sort(key=lambda w: w[1])
    for above, below in itertools.pairwise(column):
        # Glyph boxes of consecutive lines touch; text printed over itself shares its line.
        assert below[1] >= above[1] + 0.7 * (above[3] - above[1]), f"{below[4]} over {above[4]}"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert re.search(rf"第\s*1\s*页\s*共\s*{len(pages)}\s*页", text) and "填表人:" in text


def _office_unit_sheet(ws, unit: str, problems: list[tuple[str, list[tuple[str, str]], str]]):
    """An office's sheet: a merged title, a 填报单位 line, a two-row header with breaks in its
    cells, an old unit column hidden beside the new one, a section row, problems whose measures
    (each with its deadline) sit in rows under the problem's merged cell, a total line."""
    ws.append([f"{unit}巡察反馈问题整改台账"])
    ws.merge_cells("A1:H1")
    ws.append([f"填报单位:{unit}"])
    ws.append(["序号", "存在\n问题", "责任单位", "责任 单位", "整改措施", "", "完成情况", "备注"])
    ws.append(["", "", "", "", "具体措施", "完成\n时限", "", ""])
    for column in "ABCDGH":
        ws.merge_cells(f"{column}3:{column}4")
    ws.merge_cells("E3:F3")
    ws.column_dimensions["C"].hidden = True
    ws.append(["一、聚焦优化营商环境方面"])
    for n, (title, measures, done) in enumerate(problems, 1):
        top = ws.max_row + 1
        for measure, deadline in measures:
            ws.append([n, title, "侯马市教育局", unit, measure, deadline, done, ""])
        if len(measures) > 1:
            for column in "ABCDGH":
                ws.merge_cells(f"{column}{top}:{column}{top + len(measures) - 1}")
    ws.append(["合计", f"{len(problems)} 个问题"])


@pytest.mark.parametrize("target", ["xlsx", "ods"])
def test_an_office_workbook_saved_by_libreoffice_comes_in_as_it_is(world, tmp_path, target):
    import datetime as dt

    from openpyxl import Workbook

    world.campaign.starts_on, world.campaign.ends_on = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    world.campaign.save()
    wb = Workbook()
    wb.active.title = "发改局"
    _office_unit_sheet(wb.active, "区发改局", [
        ("审批环节多", [("精简环节", "2026年6月底前"), ("一窗受理", "三季度")], "已整改到位"),
        ("窗口排队长", [("增设窗口", "立行立改")], "正在整改"),
    ])  # fmt: skip
    _office_unit_sheet(wb.create_sheet("大阳镇"), "大阳镇", [
        ("社保咨询难", [("开通专线", "年底前")], ""),
    ])  # fmt: skip
    made = tmp_path / "made"
    made.mkdir()
    wb.save(made / "各单位台账.xlsx")
    saved = convert(made / "各单位台账.xlsx", target, tmp_path)
    result = import_problems(saved, campaign=world.campaign, by=world.admin_a)
    assert result.refused == [] and result.created == 3, [str(e) for e in result.refused]
    assert result.sheets == ["发改局", "大阳镇"] and result.closed_before_import == 1
    problems = {p.title: p for p in Problem.objects.select_related("org", "focus_area")}
    first = problems["审批环节多"]
    assert (first.org.name, first.focus_area.name) == ("尧都区发改局", "优化营商环境")
    assert list(first.measures.order_by("order").values_list("content", "deadline")) == [
        ("精简环节", dt.date(2026, 6, 30)),
        ("一窗受理", dt.date(2026, 9, 30)),
    ]
    assert problems["窗口排队长"].kind == Kind.IMMEDIATE
    assert problems["社保咨询难"].org.name == "尧都区大阳镇"
    assert result.ignored == ["序号", "责任单位(隐藏列)", "备注"]
