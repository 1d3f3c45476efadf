"""The standard 台账 workbook: a title, a frozen styled header, print settings for A4 landscape.

Written row by row in constant memory, however long the ledger.
"""

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.http import FileResponse

from taizhang.sheets.issued import current as issued_now
from taizhang.sheets.issued import issuer_line, issuing
from taizhang.sheets.xlsx import Sheet, write_sheets


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
    """Streamed straight into the zip, row by row, in constant memory (see sheets/xlsx.py)."""
    return write_workbook(out, [Part(sheet, columns)], rows, title=title, subtitle=subtitle)


@dataclass(frozen=True)
class Part:
    """A sheet of a workbook and the columns it shows, by their header (each row holds a
    value for every column of every part, in the order of `all_columns`)."""

    sheet: str
    columns: Sequence[Column]
    title: str = ""  # the workbook's title when empty


def write_workbook(
    out: Path,
    parts: Sequence[Part],
    rows: Iterable[Sequence[Any]],
    *,
    title: str,
    subtitle: str,
    all_columns: Sequence[Column] | None = None,
    footer_line: str = "",
) -> int:
    """Bordered, printable sheets from one pass over the rows: every part shows the values of
    its columns (found by header in `all_columns`, or all of them when there is one part)."""
    headers = [c.header for c in all_columns] if all_columns else None
    issued = issued_now()
    if issued:
        subtitle = f"{subtitle}  {issued}" if subtitle else issued
    sheets = [
        Sheet(
            part.sheet,
            part.title or title,
            subtitle,
            headers=[c.header for c in part.columns],
            widths=[c.width for c in part.columns],
            wrapped=[c.wrap for c in part.columns],
            values=[headers.index(c.header) for c in part.columns] if headers else None,
            footer_line=footer_line,
            borders=True,
            issued=issued,
        )
        for part in parts
    ]
    with _replacing(out) as partial:
        return write_sheets(partial, sheets, rows)


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
        if issued_now():  # a line above the header: importing the file back finds the header
            writer.writerow([issued_now()])
        writer.writerow([c.header for c in columns])
        for row in rows:
            writer.writerow(["" if v is None else _csv_cell(v) for v in row])
            count += 1
    return count


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


# A spreadsheet opening a CSV runs a cell that starts with one of these as a formula
# (=HYPERLINK(…) sends the sheet's data away); OWASP: quote such text so it stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> str:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return _text(value)


# Quotes (a campaign is named “争先、进位、崛起”…) and characters no file system takes.
_NOT_IN_FILE_NAMES = str.maketrans(
    {**dict.fromkeys("“”‘’\"'「」", None), **dict.fromkeys("/\\:*?<>|", "_")}
)


def safe_file_name(name: str) -> str:
    """A file name every system and mail program keeps as it is."""
    return name.translate(_NOT_IN_FILE_NAMES).strip() or "taizhang"


def download(filename: str, write: Callable[[Path], Any], *, issued_to: Any = None) -> FileResponse:
    """Write a file to a private temporary place and hand it to the browser; nothing stays.
    `issued_to`: the person it is written for, named in its header or footer (sheets.issued)."""
    filename = safe_file_name(filename)
    folder = Path(tempfile.mkdtemp(prefix="taizhang-"))
    out = folder / filename
    try:
        with issuing(issuer_line(issued_to) if issued_to is not None else ""):
            write(out)
        handle = out.open("rb")  # the open handle keeps the data until the response is sent
    finally:
        out.unlink(missing_ok=True)
        folder.rmdir()
    return FileResponse(handle, as_attachment=True, filename=filename)
