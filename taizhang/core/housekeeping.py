"""Work done once a night beside the supervision run: each app connects what it must tidy
(old upload leftovers, expired rate-limit counts) to `nightly`, sent by the daily task."""

import datetime as dt
from typing import Any

from django.db import connection
from django.dispatch import Signal
from django.utils import timezone

from taizhang.core import throttle

# Sent with `now` (an aware datetime); receivers return how many things they removed.
nightly = Signal()


def forget_old_counts(*, now: dt.datetime, **_signal: Any) -> int:
    return throttle.forget_old(now - dt.timedelta(days=2))


def refresh_statistics(**_signal: Any) -> int:
    """SQLite keeps no statistics of its own, and a migration that rebuilds a table drops that
    table's: without them the planner may read a whole campaign's overdue problems for one
    unit's list. A sampled ANALYZE (under a second at the article's scale) after migrating and
    each night; PostgreSQL's autovacuum does this itself."""
    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")
    return 1


def run_nightly(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    done: dict[str, int] = {}
    for receiver, removed in nightly.send(sender=None, now=now):
        done[getattr(receiver, "__qualname__", str(receiver))] = int(removed or 0)
    return done
