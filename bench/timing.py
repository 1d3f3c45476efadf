"""Helpers the benchmarks share: run a call n times and report p50 and p95 in ms; a demo
database to measure on."""

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path


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


def demo_database(
    db: str, folder: Path, name: str, pg_url: str, *, scale: str = "1", reuse: bool = False
) -> dict[str, str]:
    """The environment of a demo database (`db` "sqlite" under `folder`, or PostgreSQL at
    `pg_url`), built afresh at `scale` unless `reuse`."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TAIZHANG_VAR_DIR": str(folder),
           "DJANGO_SETTINGS_MODULE": "taizhang.settings"}  # fmt: skip
    env["DATABASE_URL"] = f"sqlite:///{folder}/{name}.sqlite3" if db == "sqlite" else pg_url
    if reuse:
        return env
    if db == "sqlite":
        for f in folder.glob(f"{name}.sqlite3*"):
            f.unlink()
    else:
        database = pg_url.rsplit("/", 1)[1]
        pg = ["-h", "127.0.0.1", "-U", "postgres"]
        subprocess.run(["dropdb", *pg, "--if-exists", database], check=True)
        subprocess.run(["createdb", *pg, database], check=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "taizhang", "demo", "--scale", scale, "--no-serve"],
                   env=env, check=True, capture_output=True)  # fmt: skip
    print(f"{db}: demo at scale {scale} built in {time.perf_counter() - started:.0f} s")
    return env
