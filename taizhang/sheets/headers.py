"""Finding the header row of an office's sheet and which column holds which field."""

import re
from typing import Any

from taizhang.sheets.errors import HeaderNotFound, RowError
from taizhang.sheets.values import text

SEARCH_ROWS = 15
# A bracketed note (整改时限（截止日期）), a required-field star, a trailing colon.
_NOTE = re.compile(r"[（(【\[〔][^）)】\]〕]*[）)】\]〕]")
_MARKS = re.compile(r"[*＊※:：]")


def header_name(value: Any) -> str:
    """A header cell as its bare name: Alt+Enter breaks, spaces (full-width ones too),
    bracketed notes, stars and colons taken out. 整改\n时限（截止日期）* → 整改时限."""
    name = "".join(str(value or "").split()).replace("\u3000", "")
    return _MARKS.sub("", _NOTE.sub("", name))


def locate_header(
    sheet: str,
    rows: list[list[Any]],
    headers: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
) -> tuple[int, dict[str, int]]:
    """(index of the header row, field → column). The first row naming two fields wins."""
    for index, row in enumerate(rows[:SEARCH_ROWS]):
        found: dict[str, int] = {}
        for column, name in enumerate(header_name(v) for v in row):
            for key, words in headers.items():
                if name in words and key not in found:
                    found[key] = column
        if len(found) >= 2:
            missing = [headers[key][0] for key in required if key not in found]
            if missing:
                listed = "、".join(f"“{m}”" for m in missing)
                raise HeaderNotFound([RowError(sheet, index + 1, "", f"缺少必填列:{listed}")])
            return index, found
    examples = "”“".join(words[0] for words in list(headers.values())[:2])
    raise HeaderNotFound(
        [RowError(sheet, 1, "", f"找不到表头:前 {SEARCH_ROWS} 行里没有“{examples}”等列名")]
    )


def header_candidates(rows: list[list[Any]]) -> tuple[int, list[tuple[int, str]]]:
    """The row that most looks like a header (the first with two or more filled cells) and its
    non-empty cells, for the user to match by hand."""
    for index, row in enumerate(rows[:SEARCH_ROWS]):
        cells = [(column, text(v)) for column, v in enumerate(row) if text(v)]
        if len(cells) >= 2:
            return index, cells
    return 0, []
