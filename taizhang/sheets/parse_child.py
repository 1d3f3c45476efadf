"""Reads a workbook in a process of its own, under a memory cap, for `sheets.reading`.

A workbook can declare a sheet of 16 384 × 1 048 576 cells in 1.6 KB; the reader then asks for
half a terabyte and the process aborts (not an exception: nothing can catch it). Here that
process is this child, capped by RLIMIT_AS, and its parent only sees it fail. It imports
nothing of Django, reads the request from stdin and writes the rows, pickled, to stdout.
"""

import json
import pickle
import resource
import sys
from typing import Any


def cap_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def parse(path: str, header_words: set[str]) -> tuple[str, list[list[Any]]] | None:
    """The first visible sheet whose first 15 rows hold a header word, else the first visible
    sheet; None when no sheet is visible. Merged cells give their value to every cell."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(path)
    visible = [m.name for m in workbook.sheets_metadata if str(m.visible).endswith("Visible")]
    best: tuple[str, list[list[Any]]] | None = None
    for name in visible:
        sheet = workbook.get_sheet_by_name(name)
        rows = trim(sheet.to_python(skip_empty_area=False))  # fresh lists, ours to fill
        fill_merged(rows, sheet.merged_cell_ranges or [])
        if any(header_words & {str(v).strip() for v in row} for row in rows[:15]):
            return name, rows
        best = best or (name, rows)
    return best


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


def shared(found: tuple[str, list[list[Any]]] | None) -> tuple[str, list[list[Any]]] | None:
    """Equal texts as one object: a ledger repeats its units, areas and leaders on every row,
    and the answer then pickles to a fifth of its size and loads twice as fast
    (bench/sheet_reader.py), and the rows take less of the server's memory."""
    if found is None:
        return None
    seen: dict[str, str] = {}
    name, rows = found
    return name, [[seen.setdefault(v, v) if type(v) is str else v for v in row] for row in rows]


def main() -> None:
    request = json.loads(sys.stdin.read())
    cap_memory(int(request["memory_mb"]))
    try:
        result: Any = ("ok", shared(parse(request["path"], set(request["header_words"]))))
    except MemoryError:
        result = ("memory", None)
    except Exception as exc:  # calamine raises its own types for every kind of damage
        result = ("damaged", type(exc).__name__)
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main()
