"""Configuration read on every request of a hot path (a campaign, its keywords and models),
kept per process for a few seconds: a change made elsewhere takes effect within that time, and
at once in the process that made it (the signals that call `forget` see to that)."""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any


class FreshFor:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, read: Callable[[], Any]) -> Any:
        now = time.monotonic()
        hit = self._values.get(key)
        if hit is not None and now - hit[0] < self.seconds:
            return hit[1]
        value = read()
        with self._lock:
            self._values[key] = (now, value)
        return value

    def forget(self, matches: Callable[[Hashable], bool] = lambda key: True) -> None:
        with self._lock:
            for key in [k for k in self._values if matches(k)]:
                del self._values[key]
