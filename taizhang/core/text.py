"""Chinese text as the triage engine sees it: one normal form, and personal data found and masked.

Citizens write the same complaint in full-width and half-width characters, in traditional and
simplified script, with or without punctuation. Matching works on the normal form; what people
read keeps the original text, with phone and ID numbers masked.
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources


@cache
def _traditional_to_simplified() -> dict[int, str]:
    # OpenCC's character table (one traditional character → its simplified forms, the first
    # being the usual one). Phrase-level conversion is not needed for matching.
    table: dict[int, str] = {}
    text = resources.files("opencc").joinpath("dictionary/TSCharacters.txt").read_text("utf-8")
    for line in text.splitlines():
        traditional, _, simplified = line.partition("\t")
        if len(traditional) == 1 and simplified:
            table[ord(traditional)] = simplified.split()[0]
    return table


def to_simplified(text: str) -> str:
    return text.translate(_traditional_to_simplified())


_NOT_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff]+")


def normalise(text: str) -> str:
    """Half-width, simplified, lower case; punctuation and spaces kept as single spaces."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return " ".join(_NOT_WORD.sub(" ", to_simplified(text)).split())


def compact(text: str) -> str:
    """The normal form without any separators: what duplicate detection compares."""
    return normalise(text).replace(" ", "")


_NOT_WORD_OR_NUL = re.compile(r"[^0-9a-z\u3400-\u9fff\0]+")


@cache
def _fold_table() -> dict[int, str]:
    """Full width to half width, upper to lower case and traditional to simplified, in one table:
    the parts of NFKC that matter for Chinese messages, at a fraction of its cost."""
    table = dict(_traditional_to_simplified())
    for code in range(0xFF01, 0xFF5F):
        table[code] = chr(code - 0xFEE0).lower()
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code).lower()
    table[0x3000] = " "
    return table


def fold(text: str) -> str:
    """normalise() up to rare NFKC cases (circled digits, ㎡ …), several times faster: what
    the classifiers read of every message."""
    return " ".join(_NOT_WORD.sub(" ", (text or "").translate(_fold_table())).split())


def compact_many(texts: Sequence[str]) -> list[str]:
    """compact() of each text (up to rare NFKC cases), for all of them in one pass."""
    joined = "\0".join(t.replace("\0", "") for t in texts).translate(_fold_table())
    return _NOT_WORD_OR_NUL.sub("", joined).split("\0")


# Personal data typed into free text. A masked digit (*) may stand for any digit.
# \d matches full-width digits too, so offsets stay those of the original text.
_D = r"[\d*＊]"
_MOBILE = re.compile(rf"(?<!{_D})[1１][3-9３-９]{_D}{{9}}(?!{_D})")
_LANDLINE = re.compile(rf"(?<!{_D})[0０]\d{{2,3}}[-—－ ]?{_D}{{7,8}}(?!{_D})")
_ID_CARD = re.compile(rf"(?<!{_D})\d{{6}}{_D}{{11}}[\dxXｘＸ*＊](?!{_D})")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_checksum_ok(number: str) -> bool:
    """GB 11643: the 18th character checks the first 17."""
    number = unicodedata.normalize("NFKC", number)
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def _plausible_birth(number: str) -> bool:
    digits = unicodedata.normalize("NFKC", number)[6:14]
    if not digits.isdigit():
        return "*" in number or "＊" in number
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    return 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31


@dataclass(frozen=True)
class Found:
    kind: str  # "phone", "landline" or "id"
    start: int
    end: int
    text: str


def find_personal_data(text: str) -> list[Found]:
    """Phone, landline and ID-card numbers in free text, partly masked ones included."""
    text = text or ""
    found: list[Found] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in _ID_CARD.finditer(text):
        value = m.group()
        # Citizens mistype: a number with a plausible birth date is masked even when its check
        # digit is wrong, and a partly masked one cannot be checked at all.
        if _plausible_birth(value) or id_checksum_ok(value):
            found.append(Found("id", m.start(), m.end(), value))
            taken.append(m.span())
    for kind, pattern in (("phone", _MOBILE), ("landline", _LANDLINE)):
        for m in pattern.finditer(text):
            if free(*m.span()):
                found.append(Found(kind, m.start(), m.end(), m.group()))
                taken.append(m.span())
    return sorted(found, key=lambda f: f.start)


# Digits kept at the start and at the end, as on a bank statement: 138****5678.
_KEEP = {"phone": (3, 4), "landline": (4, 2), "id": (6, 4)}


def mask_personal_data(text: str) -> str:
    """The text with the middle of each phone and ID number masked."""
    text = text or ""
    parts: list[str] = []
    at = 0
    for f in find_personal_data(text):
        head, tail = _KEEP[f.kind]
        hidden = len(f.text) - head - tail
        parts += [text[at : f.start], f.text[:head], "*" * hidden, f.text[head + hidden :]]
        at = f.end
    parts.append(text[at:])
    return "".join(parts)
