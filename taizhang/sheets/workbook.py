"""The standard 台账 workbook: a title, a frozen styled header, print settings for A4 landscape.

Written row by row in constant memory, however long the ledger.
"""

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    wrap: bool = False


def write_xlsx(
    out: Path,
    *,
    sheet: str,
    title: str,
    subtitle: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
) -> int:
    """XlsxWriter in constant-memory mode: each row goes to disk as it is written."""
    count = 0
    with _replacing(out) as partial:
        workbook = xlsxwriter.Workbook(str(partial), {"constant_memory": True})
        ws = workbook.add_worksheet(sheet)
        header = workbook.add_format(
            {
                "bold": True,
                "font_color": "#FFFFFF",
                "bg_color": "#B42318",
                "border": 1,
                "border_color": "#999999",
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        )
        heading = workbook.add_format({"bold": True, "font_size": 16, "align": "center"})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        for index, column in enumerate(columns):
            ws.set_column(index, index, column.width, wrap if column.wrap else None)
        ws.freeze_panes(3, 0)
        ws.repeat_rows(0, 2)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        last = len(columns) - 1
        ws.set_row(0, 28)
        ws.merge_range(0, 0, 0, last, title, heading)
        ws.merge_range(1, 0, 1, last, subtitle)
        for index, column in enumerate(columns):
            ws.write_string(2, index, column.header, header)
        for number, row in enumerate(rows, start=3):
            for index, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, dt.date):
                    ws.write_datetime(number, index, dt.datetime.combine(value, dt.time()), day)
                elif isinstance(value, int | float):
                    ws.write_number(number, index, value)
                else:
                    ws.write_string(number, index, str(value))
            count += 1
        workbook.close()
    return count


@contextmanager
def _replacing(out: Path) -> Iterator[Path]:
    """Write beside the target and rename at the end: a failed export leaves no half file."""
    partial = out.with_name(f".{out.name}.part")
    try:
        yield partial
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def write_csv(out: Path, *, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> int:
    """UTF-8 with a BOM, so that Excel and WPS open the Chinese text correctly."""
    count = 0
    with _replacing(out) as partial, partial.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.header for c in columns])
        for row in rows:
            writer.writerow(["" if v is None else _text(v) for v in row])
            count += 1
    return count


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)
