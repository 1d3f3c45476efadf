"""Reads a workbook in a process of its own, under a memory cap, for `sheets.reading`.

A workbook can declare a sheet of 16 384 × 1 048 576 cells in 1.6 KB; the reader then asks for
half a terabyte and the process aborts (not an exception: nothing can catch it). Here that
process is this child, capped by RLIMIT_AS, and its parent only sees it fail. It imports
nothing of Django, reads the request from stdin and writes the rows, pickled, to stdout.
"""

import json
import pickle
import posixpath
import re
import resource
import sys
import zipfile
from typing import Any
from xml.etree import ElementTree

Sheet = tuple[str, list[list[Any]], list[int]]  # name, rows, hidden columns (0-based)

_COL = re.compile(r"<(?:\w+:)?col\b([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_OFFICE_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def cap_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def parse(path: str) -> list[Sheet]:
    """Every visible sheet, in the workbook's order, with the columns it hides. Merged cells
    give their value to every cell they cover."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(path)
    visible = [m.name for m in workbook.sheets_metadata if str(m.visible).endswith("Visible")]
    hidden = hidden_columns(path)
    ods_hidden, ods_merged = _ods_layout(path) if path.lower().endswith(".ods") else ({}, {})
    hidden.update(ods_hidden)
    sheets: list[Sheet] = []
    for name in visible:
        sheet = workbook.get_sheet_by_name(name)
        rows = trim(sheet.to_python(skip_empty_area=False))  # fresh lists, ours to fill
        fill_merged(rows, sheet.merged_cell_ranges or ods_merged.get(name, []))
        sheets.append((name, rows, sorted(hidden.get(name, ()))))
    return sheets


def hidden_columns(path: str) -> dict[str, set[int]]:
    """Sheet name → the columns an .xlsx hides, read from the file (the reader does not say).
    An old column an office hid keeps its header, and must not win over the one it shows."""
    if not zipfile.is_zipfile(path):
        return {}  # .xls: its reader does not give column widths
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" in names:
            return _xlsx_hidden(archive)
    return {}


def _xlsx_hidden(archive: zipfile.ZipFile) -> dict[str, set[int]]:
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    found: dict[str, set[int]] = {}
    for sheet in book.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        target = targets.get(rid, "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        part = posixpath.normpath(part)
        if part in archive.namelist():
            columns = _cols_hidden(archive, part)
            if columns:
                found[sheet.get("name", "")] = columns
    return found


def _cols_hidden(archive: zipfile.ZipFile, part: str) -> set[int]:
    """The <cols> of a sheet come before its rows: only the head of the part is read."""
    head = ""
    with archive.open(part) as stream:
        while "<sheetData" not in head and len(head) < 4 * 2**20:
            chunk = stream.read(64 * 1024).decode("utf-8", "replace")
            if not chunk:
                break
            head += chunk
    hidden: set[int] = set()
    for match in _COL.finditer(head.split("<sheetData", 1)[0]):
        attrs = dict(_ATTR.findall(match[1]))
        if attrs.get("hidden") in ("1", "true"):
            first, last = int(attrs.get("min", 0)), int(attrs.get("max", 0))
            hidden.update(range(first - 1, min(last, first + 16_384)))
    return hidden


def _ods_layout(path: str) -> tuple[dict[str, set[int]], dict[str, list[Any]]]:
    """An .ods file's hidden columns and merged cells by sheet, from its content.xml (the
    reader gives neither for this format). Rows are cleared as they are passed."""
    if not zipfile.is_zipfile(path):
        return {}, {}
    with zipfile.ZipFile(path) as archive:
        if "content.xml" not in archive.namelist():
            return {}, {}
        with archive.open("content.xml") as stream:
            return _walk_ods(stream)


def _walk_ods(stream: Any) -> tuple[dict[str, set[int]], dict[str, list[Any]]]:
    def attr(element: Any, name: str, default: int = 1) -> int:
        return min(int(element.get(f"{{{_OFFICE_TABLE}}}{name}", default)), 1_048_576)

    hidden: dict[str, set[int]] = {}
    merged: dict[str, list[Any]] = {}
    sheet, row, column, position = "", 0, 0, 0
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        tag = element.tag.rpartition("}")[2]
        if event == "start":
            if tag == "table":
                sheet = element.get(f"{{{_OFFICE_TABLE}}}name", "")
                row = position = 0
            elif tag == "table-row":
                column = 0
            elif tag in ("table-cell", "covered-table-cell"):
                rows, columns = (
                    attr(element, "number-rows-spanned"),
                    attr(element, "number-columns-spanned"),
                )
                if rows > 1 or columns > 1:
                    merged.setdefault(sheet, []).append(
                        ((row, column), (row + rows - 1, column + columns - 1))
                    )
                column += attr(element, "number-columns-repeated")
        elif tag == "table-column":
            count = min(attr(element, "number-columns-repeated"), 16_384)
            if element.get(f"{{{_OFFICE_TABLE}}}visibility") == "collapse":
                hidden.setdefault(sheet, set()).update(range(position, position + count))
            position += count
        elif tag == "table-row":
            row += attr(element, "number-rows-repeated")
            element.clear()
    return hidden, merged


def fill_merged(rows: list[list[Any]], ranges: list[Any]) -> None:
    for (top, left), (bottom, right) in ranges:
        if top >= len(rows):
            continue
        value = rows[top][left] if left < len(rows[top]) else ""
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            for c in range(left, right + 1):
                if c < len(rows[r]):
                    rows[r][c] = value


def trim(rows: list[list[Any]]) -> list[list[Any]]:
    while rows and all(str(v).strip() == "" for v in rows[-1]):
        rows.pop()
    return rows


def shared(sheets: list[Sheet]) -> list[Sheet]:
    """Equal texts as one object: a ledger repeats its units, areas and leaders on every row,
    and the answer then pickles to a fifth of its size and loads twice as fast
    (bench/sheet_reader.py), and the rows take less of the server's memory."""
    seen: dict[str, str] = {}
    return [
        (
            name,
            [[seen.setdefault(v, v) if type(v) is str else v for v in row] for row in rows],
            hidden,
        )
        for name, rows, hidden in sheets
    ]


def main() -> None:
    request = json.loads(sys.stdin.read())
    cap_memory(int(request["memory_mb"]))
    try:
        result: Any = ("ok", shared(parse(request["path"])))
    except MemoryError:
        result = ("memory", None)
    except Exception as exc:  # calamine raises its own types for every kind of damage
        result = ("damaged", type(exc).__name__)
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main()
