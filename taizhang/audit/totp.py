"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), as every
authenticator app computes them, offline; and single-use recovery codes."""

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

STEP, DIGITS, DRIFT = 30, 6, 1  # a code is accepted one step early or late (clock drift)


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def code_at(secret: str, step: int) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def matching_step(secret: str, typed: str, after: int, now: float | None = None) -> int | None:
    """The step whose code was typed, if any and later than `after` (a code works once)."""
    typed = "".join(c for c in typed if c.isdigit())
    if len(typed) != DIGITS:
        return None
    current = int((now if now is not None else time.time()) // STEP)
    for step in range(current - DRIFT, current + DRIFT + 1):
        if step > after and hmac.compare_digest(code_at(secret, step), typed):
            return step
    return None


def uri(secret: str, account: str, issuer: str = "taizhang") -> str:
    """otpauth:// for apps that take a link (or a QR code made from it)."""
    return (f"otpauth://totp/{quote(issuer)}:{quote(account)}?secret={secret}"
            f"&issuer={quote(issuer)}&digits={DIGITS}&period={STEP}")  # fmt: skip


def grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def recovery_codes(n: int = 10) -> list[str]:
    return [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}"
            for _ in range(n)]  # fmt: skip


def code_digest(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()
