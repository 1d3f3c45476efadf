"""What the page shows when it cannot tell a sheet's header by itself: the sheets, the real
cells of the first rows, and the cells of the row the user says is the header, to match with
our fields."""

from pathlib import Path
from typing import Any

from taizhang.sheets.headers import SEARCH_ROWS, header_candidates, header_name
from taizhang.sheets.reading import read_tables
from taizhang.sheets.values import text

PREVIEW_COLUMNS = 16


def mapping_choices(
    path: Path,
    headers: dict[str, tuple[str, ...]],
    sheet: str = "",
    row: int | None = None,
) -> dict[str, Any]:
    """JSON-ready: {sheets, sheet, row (from 1), preview (the first rows as text), cells
    [(header as written, its name for matching, the field it is known as or "")]}. The sheet
    is the one asked for, else the first; the row the one asked for, else the one that most
    looks like a header."""
    tables = read_tables(path)
    table = next((t for t in tables if t.sheet == sheet), tables[0])
    index, cells = header_candidates(table.rows, row)
    return {
        "sheets": [t.sheet for t in tables],
        "sheet": table.sheet,
        "row": index + 1,
        "preview": [[text(v) for v in r[:PREVIEW_COLUMNS]] for r in table.rows[:SEARCH_ROWS]],
        "cells": [
            (written, name, next((k for k, words in headers.items() if name in words), ""))
            for _column, written in cells
            if (name := header_name(written))
        ],
    }
