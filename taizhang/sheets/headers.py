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


def _fields(
    names: list[str], headers: dict[str, tuple[str, ...]], hidden: frozenset[int] = frozenset()
) -> dict[str, int]:
    """Field → column; a visible column wins over a hidden one of the same name (an office
    hides the old 责任单位 column and types the new one beside it)."""
    found: dict[str, int] = {}
    order = sorted(range(len(names)), key=lambda c: c in hidden)
    for column in order:
        name = names[column]
        for key, words in headers.items():
            if name in words and key not in found:
                found[key] = column
    # Then names that hold a known name of three characters or more (具体整改措施, 整改责任单位
    # 及责任人, 巡察反馈问题): the longest one they hold says the field.
    for column in order:
        if column in found.values() or not names[column]:
            continue
        held = [
            (len(word), key)
            for key, words in headers.items()
            if key not in found
            for word in words
            if len(word) >= 3 and word in names[column]
        ]
        if held:
            found[max(held)[1]] = column
    return found


def _two_rows(upper: list[str], lower: list[str]) -> list[str]:
    """Column names of a header over two rows: the lower name where there is one (整改措施
    over 具体措施 and 完成时限), else the upper one."""
    width = max(len(upper), len(lower))
    upper, lower = upper + [""] * (width - len(upper)), lower + [""] * (width - len(lower))
    return [below or above for above, below in zip(upper, lower, strict=True)]


def _is_second_header_row(upper: list[str], lower: list[str], headers: Any) -> bool:
    """The row under a header belongs to it when it names a field under a group header (an
    upper cell merged across several columns, or empty), or when it only repeats the header's
    cells (cells merged down over both rows). A data row does neither: its cells sit under
    names of their own."""
    width = max(len(upper), len(lower))
    upper, lower = upper + [""] * (width - len(upper)), lower + [""] * (width - len(lower))
    filled = [c for c in range(width) if lower[c]]
    if not filled:
        return False
    if all(lower[c] == upper[c] for c in filled):
        return True

    def grouped(c: int) -> bool:
        return (
            not upper[c]
            or (c > 0 and upper[c - 1] == upper[c])
            or (c + 1 < width and upper[c + 1] == upper[c])
        )

    return any(lower[c] != upper[c] and grouped(c) and _fields([lower[c]], headers) for c in filled)


def locate_header(
    sheet: str,
    rows: list[list[Any]],
    headers: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    *,
    hidden: frozenset[int] = frozenset(),
    at: int | None = None,
) -> tuple[int, dict[str, int]]:
    """(index of the last header row, field → column). The first row naming two fields is the
    header (or row `at`, counted from 1, when the user said which); when the row below it names
    a field too, the header has two rows (a merged group over its columns) and the names are
    read from both."""
    first = 0 if at is None else max(0, at - 1)
    last = SEARCH_ROWS if at is None else first + 1
    for index in range(first, min(last, len(rows))):
        names = [header_name(v) for v in rows[index]]
        found = _fields(names, headers, hidden)
        if len(found) < (1 if at else 2):
            continue
        below = [header_name(v) for v in rows[index + 1]] if index + 1 < len(rows) else []
        if _is_second_header_row(names, below, headers):
            combined = _fields(_two_rows(names, below), headers, hidden)
            for key, column in found.items():
                combined.setdefault(key, column)
            found, index = combined, index + 1
        missing = [headers[key][0] for key in required if key not in found]
        if missing:
            listed = "、".join(f"“{m}”" for m in missing)
            raise HeaderNotFound([RowError(sheet, index + 1, "", f"缺少必填列:{listed}")])
        return index, found
    examples = "”“".join(words[0] for words in list(headers.values())[:2])
    if at is not None:
        raise HeaderNotFound(
            [RowError(sheet, at, "", f"第 {at} 行没有可识别的列名:请在下方为各列选择对应字段")]
        )
    raise HeaderNotFound(
        [RowError(sheet, 1, "", f"找不到表头:前 {SEARCH_ROWS} 行里没有“{examples}”等列名")]
    )


def header_candidates(
    rows: list[list[Any]], at: int | None = None
) -> tuple[int, list[tuple[int, str]]]:
    """The row that most looks like a header (or row `at`, from 1), and its non-empty cells,
    for the user to match by hand: of the first rows, the one with the most different names
    (a title merged across the sheet has one name in every cell, and is not it)."""
    if at is not None and 0 < at <= len(rows):
        return at - 1, [(column, text(v)) for column, v in enumerate(rows[at - 1]) if text(v)]
    best, best_cells, best_count = 0, [], 1
    for index, row in enumerate(rows[:SEARCH_ROWS]):
        cells = [(column, text(v)) for column, v in enumerate(row) if text(v)]
        distinct = len({name for _column, name in cells})
        if distinct > best_count:
            best, best_cells, best_count = index, cells, distinct
    return best, best_cells
