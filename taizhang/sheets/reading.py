"""Read an office's spreadsheet (.xlsx, .xls, .ods or .csv in UTF-8 or GBK) into plain rows.

Hidden sheets are skipped, formulas give their values, merged cells give their value to every
cell they cover, trailing empty rows are dropped. A file that is not a spreadsheet, or is
damaged, or too big, is refused with a message that says so.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 100 * 1024 * 1024
SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass
class Table:
    sheet: str
    rows: list[list[Any]]  # rows[0] is the sheet's first row (row 1 in the office's program)


def read_table(path: Path, header_words: set[str]) -> Table:
    if not path.exists():
        raise ValidationError(_("文件不存在:%(p)s") % {"p": path})
    if path.stat().st_size > MAX_BYTES:
        raise ValidationError(_("文件超过 100 MB,请拆分后分批导入。"))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return Table(path.name, _read_csv(path))
    if suffix not in SPREADSHEETS:
        raise ValidationError(
            _("不支持的文件类型“%(s)s”:请上传 .xlsx、.xls、.ods 或 .csv 文件。") % {"s": suffix}
        )
    return _read_workbook(path, header_words)


def _read_csv(path: Path) -> list[list[Any]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("无法识别 CSV 文件的编码:请另存为 UTF-8 或 GBK。"))
    return _trim([list(row) for row in csv.reader(io.StringIO(text))])


def _read_workbook(path: Path, header_words: set[str]) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for every kind of damage
        raise ValidationError(
            _("无法读取“%(n)s”:文件不是电子表格或已损坏。") % {"n": path.name}
        ) from exc
    visible = [
        meta.name for meta in workbook.sheets_metadata if str(meta.visible).endswith("Visible")
    ]
    best: Table | None = None
    for name in visible:
        sheet = workbook.get_sheet_by_name(name)
        rows = _trim(sheet.to_python(skip_empty_area=False))  # fresh lists, ours to fill
        _fill_merged(rows, sheet.merged_cell_ranges or [])
        table = Table(name, rows)
        if any(header_words & {str(v).strip() for v in row} for row in rows[:15]):
            return table
        best = best or table
    if best is None:
        raise ValidationError(_("文件中没有可见的工作表。"))
    return best


def _fill_merged(rows: list[list[Any]], ranges: list[Any]) -> None:
    for (top, left), (bottom, right) in ranges:
        if top >= len(rows):
            continue
        value = rows[top][left] if left < len(rows[top]) else ""
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            for c in range(left, right + 1):
                if c < len(rows[r]):
                    rows[r][c] = value


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    while rows and all(str(v).strip() == "" for v in rows[-1]):
        rows.pop()
    return rows
