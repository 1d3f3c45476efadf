"""Receipt codes (回执码): short, unguessable, easy to read out and checked for typos.

Ten random symbols of Crockford's base-32 alphabet — digits and capitals with no I, L, O or U,
so nothing reads as another symbol — and a check symbol from the same alphabet (Damm's method
over the field of 32 elements), shown as XXXX-XXXX-XXX. 32¹⁰ ≈ 1.1 × 10¹⁵ codes: guessing
one that exists is hopeless, and the check symbol catches any single mistyped symbol and any
swap of neighbours before the database is asked.

Codes given out before 2026-12 have nine symbols and a check symbol modulo 37 that may be one of
* ~ $ = U (XXXX-XXXX-XX); they keep working, told apart by their length. What people type is
forgiven: lower case, spaces and dashes, full-width characters (ＡＢ１２, ＊, ＄, and ￥ for
the $ a Chinese keyboard gives), O for 0 and I or L for 1.
"""

import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
# The earlier codes: nine symbols and a check symbol modulo 37.
OLD_LENGTH = 9
OLD_CHECK_ALPHABET = ALPHABET + "*~$=U"
# What people type for what they mean (after full-width characters are made plain).
READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "¥": "$"})
_KEPT = set(ALPHABET) | set("*~$=U")


def _times_x(value: int) -> int:
    """Multiplication by x in GF(2⁵), modulo x⁵ + x² + 1."""
    value <<= 1
    return value ^ 0b100101 if value & 0b100000 else value


def check_symbol(body: str) -> str:
    """Damm's check over the quasigroup a∘b = a·x + b of GF(32): it is totally anti-symmetric
    (x ≠ 1), so a changed symbol or two swapped neighbours never leave the check in place."""
    interim = 0
    for char in body:
        interim = _times_x(interim) ^ ALPHABET.index(char)
    return ALPHABET[_times_x(interim)]


def _old_check_symbol(body: str) -> str:
    value = 0
    for char in body:
        value = value * 32 + ALPHABET.index(char)
    return OLD_CHECK_ALPHABET[value % 37]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return body + check_symbol(body)


def normalise(typed: str) -> str | None:
    """The canonical code for what a citizen or an operator typed, or None when it cannot be
    one (wrong length, a symbol outside the alphabet, a check symbol that does not fit)."""
    plain = unicodedata.normalize("NFKC", typed).upper().translate(READS_AS)
    cleaned = "".join(c for c in plain if c in _KEPT)
    if len(cleaned) != len([c for c in plain if not (c.isspace() or c in "-—–_.·")]):
        return None  # something that is neither a code symbol nor a separator
    body, check = cleaned[:-1], cleaned[-1:]
    if any(c not in ALPHABET for c in body):
        return None
    if len(body) == LENGTH and check == check_symbol(body):
        return cleaned
    if len(body) == OLD_LENGTH and check == _old_check_symbol(body):
        return cleaned
    return None


def display(code: str) -> str:
    """XXXX-XXXX-XXX (earlier codes XXXX-XXXX-XX): the same everywhere it is shown."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}" if len(code) > 8 else code
