"""Receipt codes (回执码): short, unguessable, and checked for typos.

Nine random symbols of Crockford's base-32 alphabet (no I, L, O or U, so nothing reads as a
digit) plus a check symbol modulo 37, shown as XXXX-XXXX-XX. 32⁹ ≈ 3.5 × 10¹³ codes: guessing
one that exists is hopeless, and the check symbol catches any single mistyped character and
most swapped neighbours before the database is asked.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
# What people type for what they mean.
READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
LENGTH = 9


def _check_symbol(body: str) -> str:
    value = 0
    for char in body:
        value = value * 32 + ALPHABET.index(char)
    return CHECK_ALPHABET[value % 37]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return body + _check_symbol(body)


def normalise(typed: str) -> str | None:
    """The canonical code for what a citizen typed, or None when it cannot be a code."""
    cleaned = "".join(c for c in typed.upper() if c not in " -").translate(READS_AS)
    if len(cleaned) != LENGTH + 1 or any(c not in ALPHABET for c in cleaned[:LENGTH]):
        return None
    body, check = cleaned[:LENGTH], cleaned[LENGTH]
    return cleaned if _check_symbol(body) == check else None


def display(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"
