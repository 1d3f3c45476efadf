"""Read an office's spreadsheet (.xlsx, .xls, .ods or .csv in UTF-8 or GBK) into plain rows.

Every visible sheet is read (hidden ones are skipped, hidden columns are named so that a header
finder prefers the visible ones), formulas give their values, merged cells give their value to
every cell they cover, trailing empty rows are dropped. A file that is not a spreadsheet, or is
damaged, or too big, is refused with a message that says so.

A workbook is read in a child process under a memory cap (`parse_child`), after its unpacked
size and the sizes its sheets declare are checked: a crafted file of a few kilobytes can make
the reader ask for more memory than any server has, and abort the process that asked.
"""

import csv
import io
import json
import logging
import pickle
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from taizhang.sheets.headers import SEARCH_ROWS, header_name
from taizhang.sheets.parse_child import Sheet
from taizhang.sheets.parse_child import trim as _trim
from taizhang.sheets.workbook import FORMULA_STARTS

log = logging.getLogger(__name__)
MAX_BYTES = 100 * 1024 * 1024
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
# A whole city's ledger is about 270 000 rows of 15 columns: 4 million cells.
MAX_CELLS = 30_000_000
DIMENSION = re.compile(
    r'<(?:\w+:)?dimension\s+ref="(?P<first_col>[A-Z]+)(?P<first_row>\d+)'
    r'(?::(?P<last_col>[A-Z]+)(?P<last_row>\d+))?"'
)
SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass
class Table:
    sheet: str
    rows: list[list[Any]]  # rows[0] is the sheet's first row (row 1 in the office's program)
    hidden: frozenset[int] = frozenset()  # columns the sheet hides (0-based)


def as_uploaded(messages: list[str], stored_name: str, file_name: str) -> list[str]:
    """Messages about a stored upload, naming the file as the person who uploaded it knows it."""
    return [m.replace(stored_name, file_name) for m in messages]


def read_table(path: Path, header_words: set[str]) -> Table:
    """The first visible sheet with one of `header_words` in a header cell of its first rows,
    else the first visible sheet."""
    tables = read_tables(path)
    for table in tables:
        if any(header_words & {header_name(v) for v in row} for row in table.rows[:SEARCH_ROWS]):
            return table
    return tables[0]


def read_tables(path: Path) -> list[Table]:
    """Every visible sheet of the file (a CSV is one), in its order; at least one."""
    if not path.exists():
        raise ValidationError(_("文件不存在:%(p)s") % {"p": path})
    if path.stat().st_size > MAX_BYTES:
        raise ValidationError(_("文件超过 100 MB,请拆分后分批导入。"))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [Table(path.name, _read_csv(path))]
    if suffix not in SPREADSHEETS:
        raise ValidationError(
            _("不支持的文件类型“%(s)s”:请上传 .xlsx、.xls、.ods 或 .csv 文件。") % {"s": suffix}
        )
    return _read_workbook(path)


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
    return _trim([[_unquoted(v) for v in row] for row in csv.reader(io.StringIO(text))])


def _unquoted(cell: str) -> str:
    """Our CSV exports quote text that a spreadsheet would run as a formula; read it back."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS else cell


def _read_workbook(path: Path) -> list[Table]:
    _check_zip(path)
    sheets = _parse_in_child(path)
    if not sheets:
        raise ValidationError(_("文件中没有可见的工作表。"))
    return [Table(name, rows, frozenset(hidden)) for name, rows, hidden in sheets]


def _damaged(path: Path) -> ValidationError:
    return ValidationError(_("无法读取“%(n)s”:文件不是电子表格或已损坏。") % {"n": path.name})


def _check_zip(path: Path) -> None:
    """What an .xlsx or .ods says of itself, checked before anything unpacks it: its unpacked
    size and the size of the sheets it declares."""
    if path.suffix.lower() == ".xls":
        return  # not a zip; the child's memory cap is its only guard
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _damaged(path) from exc
    with archive:
        members = archive.infolist()
        unpacked = sum(m.file_size for m in members)
        bomb = next((m for m in members if _is_bomb(m)), None)
        if bomb is not None:
            raise ValidationError(
                _("“%(n)s”中的 %(part)s 从 %(kb)d KB 解压为 %(mb)d MB,不像电子表格,已拒绝。")
                % {
                    "n": path.name,
                    "part": bomb.filename,
                    "kb": bomb.compress_size // 1024,
                    "mb": bomb.file_size // 2**20,
                }
            )
        if unpacked > MAX_UNPACKED_BYTES:
            raise ValidationError(
                _("“%(n)s”解压后有 %(mb)d MB,超出上限 %(max)d MB:请拆分后分批导入。")
                % {
                    "n": path.name,
                    "mb": unpacked // 2**20,
                    "max": MAX_UNPACKED_BYTES // 2**20,
                }
            )
        for member in members:
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                _check_declared_size(path, archive, member)


def _is_bomb(member: zipfile.ZipInfo) -> bool:
    # Sheets compress about 5–20 times; a megabyte that unpacks to a gigabyte is not a sheet.
    return member.file_size > 50 * 2**20 and member.file_size > 200 * max(1, member.compress_size)


def _check_declared_size(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    with archive.open(member) as stream:
        head = stream.read(64 * 1024).decode("utf-8", "replace")
    declared = DIMENSION.search(head)
    if not declared:
        return
    cols = _column_number(declared["last_col"] or declared["first_col"])
    rows = int(declared["last_row"] or declared["first_row"])
    if rows * cols > MAX_CELLS:
        ref = declared[0].split('"')[1]
        raise ValidationError(
            _(
                "“%(n)s”中的一个工作表声明了 %(rows)d 行 × %(cols)d 列(%(ref)s),超出上限"
                " %(max)d 个单元格:请删除表格末尾多余的空行和空列后再导入。"
            )
            % {"n": path.name, "rows": rows, "cols": cols, "ref": ref, "max": MAX_CELLS}
        )


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _parse_in_child(path: Path) -> list[Sheet]:
    request = {
        "path": str(path),
        "memory_mb": settings.SHEET_READER_MEMORY_MB,
    }
    try:
        done = subprocess.run(
            [sys.executable, "-m", "taizhang.sheets.parse_child"],
            input=json.dumps(request).encode(),
            capture_output=True,
            timeout=settings.SHEET_READER_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ValidationError(
            _("读取“%(n)s”超过 %(s)d 秒仍未完成:请拆分后分批导入。")
            % {"n": path.name, "s": settings.SHEET_READER_TIMEOUT}
        ) from exc
    outcome, value = ("memory", None) if done.returncode else _unpickle(done.stdout)
    if outcome == "memory":
        log.warning("reading %s ran out of its memory cap (rc %s)", path.name, done.returncode)
        raise ValidationError(
            _(
                "读取“%(n)s”需要的内存超出上限(%(mb)d MB):表格中可能有大量空行空列或隐藏内容,"
                "请删除后再导入,或拆分成几个文件。"
            )
            % {"n": path.name, "mb": settings.SHEET_READER_MEMORY_MB}
        )
    if outcome == "damaged":
        raise _damaged(path)
    return value or []  # type: ignore[no-any-return]


class _RowsOnly(pickle.Unpickler):
    """The child's answer holds rows of plain values; nothing else may be rebuilt from it."""

    ALLOWED: ClassVar = {("datetime", n) for n in ("date", "datetime", "time", "timedelta")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a cell value")


def _unpickle(data: bytes) -> tuple[str, Any]:
    try:
        outcome, value = _RowsOnly(io.BytesIO(data)).load()
    except Exception:
        return "memory", None  # the child died while writing its answer
    return outcome, value
