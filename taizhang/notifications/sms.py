"""Text messages through a pluggable backend, like Django's e-mail backends.

TAIZHANG_SMS_BACKEND names a class with `send(numbers, text) -> int`. The default writes to the
log (numbers masked); a city plugs in its operator's gateway with a class of its own.
"""

import logging
from collections.abc import Sequence
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("taizhang.sms")


class Backend(Protocol):
    def send(self, numbers: Sequence[str], text: str) -> int: ...


class ConsoleBackend:
    """Writes each message to the log instead of sending it; numbers stay masked there."""

    def send(self, numbers: Sequence[str], text: str) -> int:
        for number in numbers:
            log.info("SMS to %s: %s", number[:3] + "****" + number[-4:], text)
        return len(numbers)


class MemoryBackend:
    """Keeps messages in `outbox`, for tests."""

    outbox: list[tuple[str, str]] = []

    def send(self, numbers: Sequence[str], text: str) -> int:
        MemoryBackend.outbox.extend((n, text) for n in numbers)
        return len(numbers)


@cache
def _backend(path: str) -> Backend:
    return import_string(path)()


def send_sms(numbers: Sequence[str], text: str) -> int:
    numbers = [n for n in numbers if n]
    if not numbers:
        return 0
    path = getattr(settings, "SMS_BACKEND", "taizhang.notifications.sms.ConsoleBackend")
    return _backend(path).send(numbers, text)
