"""Export of the ledger at the article's scale: the standard 台账 workbook and CSV.

    .venv/bin/python bench/export.py [--db sqlite,postgres]

Uses the databases that `bench/ledger.py` built (270 000 problems at scale 1) and runs
`taizhang export` as an office would, printing time, rows per second and the peak memory of
the process against the Excel issue's goals (under 30 s, under 500 MB).
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/taizhang_bench")
GOAL_SECONDS, GOAL_MB = 30.0, 500.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgres")
    args = parser.parse_args()
    for db in args.db.split(","):
        env = {**os.environ, "TAIZHANG_VAR_DIR": str(OUT / db)}
        env["DATABASE_URL"] = (
            f"sqlite:///{OUT / db / 'bench.sqlite3'}" if db == "sqlite" else PG_URL
        )
        for suffix in ("xlsx", "csv"):
            target = OUT / f"ledger-{db}.{suffix}"
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            started = time.perf_counter()
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "taizhang",
                    "export",
                    "--campaign",
                    "linfen-2021",
                    "--out",
                    str(target),
                ],
                env=env,
                cwd=OUT,
                capture_output=True,
                text=True,
                check=True,
            )
            seconds = time.perf_counter() - started
            peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
            rows = int(result.stdout.split("已导出 ")[1].split(" ")[0])
            print(
                f"[{db}] {suffix}: {rows} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows/s,"
                f" {seconds / GOAL_SECONDS:.2f}× of the 30 s goal), peak {peak_mb:.0f} MB "
                f"({peak_mb / GOAL_MB:.2f}× of 500 MB), {target.stat().st_size / 1e6:.1f} MB file"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
