"""Reads on PostgreSQL streaming replicas (DATABASE_REPLICA_URLS), everything else on the
primary.

Only what cannot need a write just made reads from a replica: a GET or HEAD request (not one
within `REPLICA_PIN_SECONDS` of the same browser's last write, so the page after a POST shows
it), and the read-only commands that ask for it (`stats`, `export`). Inside a transaction every
read stays on the primary (the services' version checks and locks), and so does anything not
marked (the worker, the other commands). A replica that lags more than `REPLICA_MAX_LAG`
seconds, or does not answer, is left out for a few seconds; with none left, the primary reads.
"""

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
PIN_COOKIE = "tz_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CHECK_EVERY = 2.0  # seconds between two looks at a replica's lag, per process
DOWN_FOR = 10.0  # seconds a replica that failed to answer is left alone

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)
_status: dict[str, tuple[float, bool]] = {}  # alias → (checked at, usable)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


@contextmanager
def replica_reads(allowed: bool = True) -> Iterator[None]:
    """Reads in this block may go to a replica (or, with allowed=False, may not)."""
    token = _replica_reads.set(allowed)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def lag_seconds(alias: str) -> float:
    """How far the replica's replay is behind what it has received (0 when caught up)."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
            " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)"
            " END"
        )
        return float(cursor.fetchone()[0])


def usable(alias: str, now: float | None = None) -> bool:
    now = time.monotonic() if now is None else now
    checked = _status.get(alias)
    if checked is not None and now - checked[0] < (CHECK_EVERY if checked[1] else DOWN_FOR):
        return checked[1]
    try:
        ok = lag_seconds(alias) <= float(settings.REPLICA_MAX_LAG)
    except DatabaseError:
        connections[alias].close()
        ok = False
    _status[alias] = (now, ok)
    return ok


def forget_status() -> None:
    _status.clear()


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        if not _replica_reads.get() or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        healthy = [alias for alias in replica_aliases() if usable(alias)]
        return random.choice(healthy) if healthy else PRIMARY

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same rows on every copy

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


class ReplicaReadsMiddleware:
    """GET and HEAD requests read from a replica, unless this browser wrote a moment ago."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        safe = request.method in SAFE_METHODS
        with replica_reads(safe and PIN_COOKIE not in request.COOKIES):
            response = self.get_response(request)
        if not safe:
            response.set_cookie(
                PIN_COOKIE, "1", max_age=int(settings.REPLICA_PIN_SECONDS), httponly=True,
                samesite="Lax", secure=request.is_secure(),
            )  # fmt: skip
        return response
