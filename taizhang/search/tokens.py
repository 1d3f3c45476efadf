"""Chinese text cut into what the full-text index stores, and a query into what it matches.

Chinese has no spaces, so every run of Chinese characters is indexed as its character
bigrams (小区停车 → 小区 区停 停车), which finds any two-character word or name wherever it
stands, plus jieba's words of three characters or more (停车场), which rank a whole word above
its pieces. The last character of a run is indexed alone too, so that a one-character query
finds it as a prefix (水 → 水:*) wherever it stands. Latin letters and digits are indexed as
lower-case words (编号 and receipt codes split at their dashes).

A query matches every bigram of its Chinese runs and every word of its letters and digits
(the last as a prefix): every text containing the query as a substring is found (the recall
test holds search to a substring scan), and a text must hold all of the query's pieces.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import rjieba

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
RUNS = re.compile(rf"([{HAN}]+)|([0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+)")
# Past this many characters a document's text is not indexed: what is pasted beyond it
# (a whole report into a progress note) would only swell the index.
MAX_INDEXED = 20_000
# Positions between two fields, so that no match runs from one field into the next.
FIELD_GAP = 2
WEIGHTS = ("A", "B", "C")
FULL_WIDTH = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF5B) if chr(c - 0xFEE0).isalnum()}
)


@dataclass
class Document:
    """What one problem or suggestion is found by: text per weight (A ranks highest), and the
    units whose staff may find it (scope)."""

    kind: str
    object_id: int
    campaign_id: int
    fields: dict[str, list[str]] = field(default_factory=dict)
    scope: set[str] = field(default_factory=set)  # registry.scope_tokens


@dataclass(frozen=True)
class Query:
    """A query as the index matches it: all of `lexemes` must occur (the last of `prefixes`
    as the start of a lexeme). `runs` are the pieces highlighted in what is shown."""

    lexemes: tuple[str, ...]
    prefixes: tuple[str, ...]
    runs: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.lexemes or self.prefixes)


def _runs(text: str) -> Iterator[tuple[int, str, bool]]:
    """(offset, run, is_han) for every run of Chinese characters or of letters and digits."""
    for m in RUNS.finditer(text):
        if m.group(1):
            yield m.start(), m.group(1), True
        else:
            yield m.start(), m.group(2).translate(FULL_WIDTH).lower(), False


def lexemes(text: str, start: int = 1) -> Iterator[tuple[str, int]]:
    """(lexeme, position) pairs of one field's text; positions count characters from `start`."""
    text = text[:MAX_INDEXED]
    for offset, run, han in _runs(text):
        at = start + offset
        if not han:
            yield run, at
            continue
        for i in range(len(run) - 1):
            yield run[i : i + 2], at + i
        yield run[-1], at + len(run) - 1
        if len(run) > 2:
            i = 0
            for word in rjieba.cut(run, False):
                if len(word) > 2:
                    yield word, at + i
                i += len(word)


def parse_query(text: str) -> Query:
    found: list[str] = []
    prefixes: list[str] = []
    runs: list[str] = []
    pieces = list(_runs(text[:200]))
    for n, (_offset, run, han) in enumerate(pieces):
        runs.append(run)
        if han and len(run) == 1:
            prefixes.append(run)
        elif han:
            found.extend(run[i : i + 2] for i in range(len(run) - 1))
        elif n == len(pieces) - 1:
            prefixes.append(run)  # what is being typed: 2021 finds 2021-00123
        else:
            found.append(run)
    return Query(tuple(dict.fromkeys(found)), tuple(dict.fromkeys(prefixes)), tuple(runs))


def positioned(doc: Document) -> dict[str, list[tuple[str, int]]]:
    """Each weight's (lexeme, position) pairs, fields laid end to end with a gap between."""
    out: dict[str, list[tuple[str, int]]] = {}
    at = 1
    for weight in WEIGHTS:
        pairs: list[tuple[str, int]] = []
        for text in doc.fields.get(weight, ()):
            pairs.extend(lexemes(text, at))
            at += min(len(text), MAX_INDEXED) + FIELD_GAP
        out[weight] = pairs
    return out
