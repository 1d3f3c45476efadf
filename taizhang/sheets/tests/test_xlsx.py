import datetime as dt

from openpyxl import load_workbook

from taizhang.sheets.xlsx import column_letter, write_table


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_values_of_every_kind_survive(tmp_path):
    out = tmp_path / "t.xlsx"
    moment = dt.datetime(2026, 2, 14, 12, 30)
    rows = [['<b>&"引号"</b>', 3, 2.5, dt.date(2026, 2, 14), moment, True, None, "a\x07b\nc"]]
    headers = [f"列{i}" for i in range(28)]
    count = write_table(
        out,
        sheet="表",
        title="标题",
        subtitle="副标题",
        headers=headers,
        widths=[10] * 28,
        wrapped=[True] * 28,
        rows=rows,
    )
    assert count == 1
    sheet = load_workbook(out)["表"]
    values = [c.value for c in sheet[4]][:8]
    assert values[:3] == ['<b>&"引号"</b>', 3, 2.5]
    assert values[3] == dt.datetime(2026, 2, 14) and values[4] == moment
    assert values[5] is True and values[6] is None and values[7] == "ab\nc"
    assert sheet["AB3"].value == "列27"
    assert {r.coord for r in sheet.merged_cells.ranges} == {"A1:AB1", "A2:AB2"}
