"""Counters shared by every server process: how often a key was used in the last `window`
seconds.

One statement counts and reads (`INSERT … ON CONFLICT DO UPDATE … RETURNING`), so thirty
parallel requests get thirty distinct counts: nothing counts first and writes later. Counts
are kept per fixed window; the last `window` seconds are estimated as this window's count plus
the previous one's, weighted by how much of it still lies within them, so a burst that
straddles two windows is not let through twice.
"""

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.db import connection
from django.utils import timezone

from taizhang.core.models import ThrottleCount


def _digest(key: str) -> str:
    # Keys may hold an address or a receipt code: store them keyed-hashed, never as they are.
    secret = (settings.SECRET_KEY + ":throttle").encode()
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()[:40]


def _window_start(seconds: int, now: dt.datetime) -> int:
    epoch = int(now.timestamp())
    return epoch - epoch % seconds


def _with_previous(digest: str, current: int, start: int, window: int, now: float) -> float:
    previous = (
        ThrottleCount.objects.filter(key=digest, window_start=start - window)
        .values_list("n", flat=True)
        .first()
    )
    if not previous:
        return float(current)
    return current + previous * (1 - (now - start) / window)


def hit(key: str, *, window: int) -> float:
    """Count one use of `key`; how many uses (this one included) fall in the last `window`
    seconds."""
    now = timezone.now()
    start, digest = _window_start(window, now), _digest(key)
    table = ThrottleCount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, window_start, n) VALUES (%s, %s, 1) "
            f"ON CONFLICT (key, window_start) DO UPDATE SET n = {table}.n + 1 RETURNING n",
            [digest, start],
        )
        (current,) = cursor.fetchone()
    return _with_previous(digest, int(current), start, window, now.timestamp())


def count(key: str, *, window: int) -> float:
    """How many uses of `key` fall in the last `window` seconds, without counting this look."""
    now = timezone.now()
    start, digest = _window_start(window, now), _digest(key)
    current = (
        ThrottleCount.objects.filter(key=digest, window_start=start)
        .values_list("n", flat=True)
        .first()
    )
    return _with_previous(digest, current or 0, start, window, now.timestamp())


def forget_old(before: dt.datetime) -> int:
    """Drop the counts of windows that started before `before` (the nightly run calls this)."""
    cutoff = int(before.timestamp())
    deleted, _by_model = ThrottleCount.objects.filter(window_start__lt=cutoff).delete()
    return deleted


def reset(key: str) -> int:
    """Forget every count of `key` (an administrator lifting a lock early)."""
    deleted, _by_model = ThrottleCount.objects.filter(key=_digest(key)).delete()
    return deleted
