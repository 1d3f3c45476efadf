"""Configuration read on every request of a hot path (a campaign, its keywords and models, API
tokens), kept per process for a few seconds.

Each holder has a generation in the default cache. A change (the signals that call `forget`)
moves it on once the change commits; every process compares its copy's generation with the
cache's on each read, so when the cache is shared (Redis, `TAIZHANG_REDIS_URL`) a change made
on one server is seen on every other at once, not a few seconds later. Without a shared cache
the generation lives in each process: the process that made the change sees it at once, the
others within `seconds`, as on a single server."""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from django.core.cache import cache
from django.db import transaction


class FreshFor:
    def __init__(self, name: str, seconds: float) -> None:
        self.name = name
        self.seconds = seconds
        self._values: dict[Hashable, tuple[float, int, Any]] = {}
        self._lock = threading.Lock()

    @property
    def _key(self) -> str:
        return f"fresh:{self.name}"

    def generation(self) -> int:
        return int(cache.get(self._key) or 0)

    def get(self, key: Hashable, read: Callable[[], Any]) -> Any:
        now = time.monotonic()
        generation = self.generation()
        hit = self._values.get(key)
        if hit is not None and hit[1] == generation and now - hit[0] < self.seconds:
            return hit[2]
        value = read()
        with self._lock:
            self._values[key] = (now, generation, value)
        return value

    def forget(
        self, matches: Callable[[Hashable], bool] = lambda key: True, *, everywhere: bool = True
    ) -> None:
        """Drop this process's copies now; with `everywhere`, every process's once the change
        that called this commits (a process reading before the commit would keep the old
        value under the new generation)."""
        self._drop(matches)
        if not everywhere:
            return
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(self._advance)
        else:
            self._advance()

    def _drop(self, matches: Callable[[Hashable], bool]) -> None:
        with self._lock:
            for key in [k for k in self._values if matches(k)]:
                del self._values[key]

    def _advance(self) -> None:
        if not cache.add(self._key, 1, timeout=None):
            try:
                cache.incr(self._key)
            except ValueError:  # expired or evicted between the two calls
                cache.set(self._key, 1, timeout=None)
        self._drop(lambda key: True)
