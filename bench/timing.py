"""Timing helpers the benchmarks share: run a call n times, report p50 and p95 in ms."""

import statistics
import time
from collections.abc import Callable


def time_ms(call: Callable[[], object], times: int) -> list[float]:
    """Milliseconds of each of `times` runs of `call`, sorted (warm up before calling this)."""
    out = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return sorted(out)


def p50(times: list[float]) -> float:
    return round(statistics.median(times), 1)


def p95(times: list[float]) -> float:
    return round(times[max(0, int(len(times) * 0.95) - 1)], 1)
