"""What a result shows: a stretch of its text around the first match, the matches marked."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from taizhang.search.tokens import FULL_WIDTH, Query


def spans(text: str, query: Query) -> list[tuple[int, int]]:
    """Where the query's pieces stand in `text`: a Chinese run where it occurs whole, else its
    bigrams (the index matched them apart); letters and digits in any case and width."""
    folded = text.translate(FULL_WIDTH).lower()
    found: list[tuple[int, int]] = []
    for run in query.runs:
        whole = [(m.start(), m.end()) for m in re.finditer(re.escape(run), folded)]
        if not whole and len(run) > 2:
            for i in range(len(run) - 1):
                pair = re.escape(run[i : i + 2])
                whole.extend((m.start(), m.end()) for m in re.finditer(pair, folded))
        found.extend(whole)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def snippet(text: str, query: Query, width: int = 80) -> SafeString:
    """Up to `width` characters around the first match, HTML-escaped, matches in <mark>."""
    marks = spans(text, query)
    first = marks[0][0] if marks else 0
    start = max(0, min(first - width // 4, len(text) - width))
    end = min(len(text), start + width)
    out: list[str] = ["…" if start else ""]
    at = start
    for s, e in marks:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(text[at:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        at = e
    out.append(escape(text[at:end]))
    out.append("…" if end < len(text) else "")
    return mark_safe("".join(out))  # every piece is escaped above
