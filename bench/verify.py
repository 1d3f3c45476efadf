"""`taizhang verify` at the article's scale: the scale-1 demo's history chain followed end to end.

    .venv/bin/python bench/verify.py [--db sqlite,postgres] [--reuse]

Builds the demo at scale 1 into bench/out/study (the databases bench/study.py and bench/todo.py
use; --reuse takes them as they are), then times a full verification of the campaign: every
history row re-hashed in chain order, every problem row compared with the state its history
recorded, every frozen day's head looked up. Goal (issue: verifiable figures): < 60 s for the
≈ 800 000 history rows. Baseline: reading the same rows in the same order without checking
anything (the floor any verification pays).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "study"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/taizhang_study")
GOAL_S = 60.0


def measure() -> dict[str, object]:
    import django

    django.setup()
    from django.db.models import F

    from taizhang.campaigns.models import Campaign
    from taizhang.ledger.models import ProblemEvent
    from taizhang.ledger.verify import EVENT_VALUES, verify
    from taizhang.reports.snapshots import frozen_heads

    campaign = Campaign.objects.select_related("org").get(previous__isnull=True)
    started = time.perf_counter()
    rows = (
        ProblemEvent.objects.filter(problem__campaign=campaign)
        .order_by(F("seq").asc(nulls_first=True), "pk")
        .values_list(*EVENT_VALUES)
    )
    read = sum(1 for _row in rows.iterator(chunk_size=20000))
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    report = verify(campaign, frozen_heads(campaign))
    took = time.perf_counter() - started
    return {"rows": report.rows, "read": read, "problems": report.problems,
            "frozen": report.snapshots, "intact": report.intact, "seconds": took,
            "baseline": baseline, "algorithm": report.algorithm}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--reuse", action="store_true", help="use the database already built")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure()))
        return 0
    for db in args.db.split(","):
        folder = OUT / db
        folder.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "TAIZHANG_VAR_DIR": str(folder),
               "DJANGO_SETTINGS_MODULE": "taizhang.settings"}  # fmt: skip
        env["DATABASE_URL"] = f"sqlite:///{folder}/study.sqlite3" if db == "sqlite" else PG_URL
        if not args.reuse:
            if db == "sqlite":
                for f in folder.glob("study.sqlite3*"):
                    f.unlink()
            else:
                name = PG_URL.rsplit("/", 1)[1]
                subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists",
                                name], check=True)  # fmt: skip
                subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name],
                               check=True)  # fmt: skip
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "taizhang", "demo", "--scale", "1", "--no-serve"],
                           env=env, check=True, capture_output=True)  # fmt: skip
            print(f"{db}: demo at scale 1 built in {time.perf_counter() - started:.0f} s")
        out = subprocess.run([sys.executable, __file__, "--child"], env=env, check=True,
                             capture_output=True, text=True)  # fmt: skip
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{db}: {r['rows']} history rows, {r['problems']} problems, {r['frozen']} frozen "
            f"heads, {r['algorithm']}, intact={r['intact']}\n"
            f"  verify {r['seconds']:.1f} s (goal < {GOAL_S:.0f} s: {r['seconds'] / GOAL_S:.2f} of "
            f"it); reading the rows alone {r['baseline']:.1f} s "
            f"({r['seconds'] / max(r['baseline'], 0.01):.1f}× the read)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
