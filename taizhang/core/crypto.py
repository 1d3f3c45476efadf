"""Citizens' names and phone numbers encrypted at rest (个人信息加密存储): an authenticated
cipher (AES-256-GCM by default, SM4-GCM for 国密) with a key kept outside the database
(`settings.DATA_KEY`). A stored value reads `enc1:<cipher>:<key id>:<nonce+ciphertext+tag>`;
anything else is a value written before encryption, read as it is. Lookups never need the
plain value: they use the keyed hashes beside it (intake.privacy)."""

import base64
import hashlib
import os
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1:"
CIPHERS = {"aes-256-gcm": "a", "sm4-gcm": "s"}
NONCE = 12
TAG = 16


class DecryptionError(ValueError):
    pass


@cache
def _master(encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded, validate=True)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise ImproperlyConfigured("TAIZHANG_DATA_KEY must be 32 bytes in base64 (44 characters)")
    return key


def _key(kind: str, encoded: str) -> bytes:
    master = _master(encoded)
    if kind == "a":
        return master
    return HKDF(hashes.SHA256(), 16, salt=None, info=b"taizhang sm4").derive(master)


def key_id(encoded: str | None = None) -> str:
    """Names the key a value was written with (not the key): a wrong key is told at once."""
    return hashlib.sha256(_master(encoded or settings.DATA_KEY)).hexdigest()[:8]


def encrypt(plain: str) -> str:
    if not plain or plain.startswith(PREFIX):
        return plain
    name = getattr(settings, "DATA_CIPHER", "aes-256-gcm")
    if name not in CIPHERS:
        raise ImproperlyConfigured(f"TAIZHANG_DATA_CIPHER must be one of {sorted(CIPHERS)}")
    kind, nonce = CIPHERS[name], os.urandom(NONCE)
    key = _key(kind, settings.DATA_KEY)
    if kind == "a":
        sealed = AESGCM(key).encrypt(nonce, plain.encode(), None)
    else:
        encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
        sealed = encryptor.update(plain.encode()) + encryptor.finalize() + encryptor.tag
    body = base64.urlsafe_b64encode(nonce + sealed).decode()
    return f"{PREFIX}{kind}:{key_id()}:{body}"


def decrypt(stored: str) -> str:
    if not stored or not stored.startswith(PREFIX):
        return stored
    try:
        kind, kid, body = stored[len(PREFIX) :].split(":", 2)
        raw = base64.urlsafe_b64decode(body)
    except ValueError as exc:
        raise DecryptionError("a damaged encrypted value") from exc
    if kid != key_id():
        raise DecryptionError(
            f"written with data key {kid}, but this server's TAIZHANG_DATA_KEY is {key_id()}"
        )
    nonce, sealed = raw[:NONCE], raw[NONCE:]
    key = _key(kind, settings.DATA_KEY)
    try:
        if kind == "a":
            return AESGCM(key).decrypt(nonce, sealed, None).decode()
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, sealed[-TAG:])).decryptor()
        return (decryptor.update(sealed[:-TAG]) + decryptor.finalize()).decode()
    except InvalidTag as exc:
        raise DecryptionError("an encrypted value was changed") from exc


class EncryptedTextField(models.TextField):
    """A text stored encrypted; the application reads and writes it in the clear. Empty stays
    empty (so `phone=""` still finds those without a number); it cannot be searched."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value) if isinstance(value, str) else value

    def to_python(self, value: Any) -> Any:
        return decrypt(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt(value) if isinstance(value, str) else value
