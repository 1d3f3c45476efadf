"""Work done once a night beside the supervision run: each app connects what it must tidy
(old upload leftovers, expired rate-limit counts) to `nightly`, sent by the daily task."""

import datetime as dt
from typing import Any

from django.dispatch import Signal
from django.utils import timezone

from taizhang.core import throttle

# Sent with `now` (an aware datetime); receivers return how many things they removed.
nightly = Signal()


def forget_old_counts(*, now: dt.datetime, **_signal: Any) -> int:
    return throttle.forget_old(now - dt.timedelta(days=2))


def run_nightly(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    done: dict[str, int] = {}
    for receiver, removed in nightly.send(sender=None, now=now):
        done[getattr(receiver, "__qualname__", str(receiver))] = int(removed or 0)
    return done
