"""批量办理 at the article's scale: a bulk 催办 of 10 000 problems through the bulk service.

    .venv/bin/python bench/bulk.py [--db sqlite,postgres] [--data bench/out/study] [--rows 10000]

Copies the scale-1 SQLite database that bench/study.py builds (PostgreSQL: a template copy of
taizhang_study), then times `todo.bulk` urging the first N open problems as the city office,
as the worker runs it: each row through `issue_notice` in its own transaction, its notice
stored and the unit told after commit. Goal: under 30 s for 10 000 rows. Baseline: the same
rows urged by hand one request at a time would be N page submissions; the figure printed
beside is the per-row time against the single-row page (timed here too).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/taizhang_study")
GOAL_S = 30.0


def measure(rows: int) -> dict[str, object]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from taizhang.campaigns.models import Campaign
    from taizhang.ledger.models import OPEN_STATUSES, Problem
    from taizhang.notifications.models import Message
    from taizhang.supervision.models import Notice, NoticeStatus
    from taizhang.todo import bulk

    campaign = Campaign.objects.select_related("org").get()
    office = get_user_model().objects.get(username="office")
    # Problems with no open urge yet (a second one on the same problem is refused).
    urged = Notice.objects.filter(kind="urge", status=NoticeStatus.OPEN, measure__isnull=True)
    free = (
        Problem.objects.filter(campaign=campaign, status__in=OPEN_STATUSES)
        .exclude(pk__in=urged.values("problem_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ids = list(free[: rows + 1])
    one, ids = ids[0], ids[1:]
    client = Client()
    client.force_login(office)
    started = time.perf_counter()
    client.post(f"/problems/{one}/notices/", {"kind": "urge", "text": "请加快整改"})
    single = time.perf_counter() - started
    notices, messages = Notice.objects.count(), Message.objects.count()
    started = time.perf_counter()
    bulk.BACKGROUND_ROWS = len(ids) + 1  # run it here, as the worker would
    job = bulk.start(campaign, office, "urge", [(pk, None) for pk in ids],
                     {"reason": "请于本周内完成整改并书面回复"})  # fmt: skip
    elapsed = time.perf_counter() - started
    return {
        "problems": Problem.objects.count(),
        "rows": len(ids),
        "seconds": round(elapsed, 1),
        "tally": bulk.tally(job),
        "notices_added": Notice.objects.count() - notices,
        "messages_added": Message.objects.count() - messages,
        "single_page_ms": round(single * 1000, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "out" / "study")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.rows)))
        return 0
    for db in args.db.split(","):
        folder = args.data / db
        env = {
            **os.environ,
            "TAIZHANG_VAR_DIR": str(folder),
            "TAIZHANG_ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "taizhang.settings",
        }
        if db == "sqlite":
            copy = folder / "bulk-copy.sqlite3"
            shutil.copyfile(folder / "study.sqlite3", copy)
            env["DATABASE_URL"] = f"sqlite:///{copy}"
        else:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists",
                            "taizhang_bulk"], check=True)  # fmt: skip
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "-T",
                            PG_URL.rsplit("/", 1)[1], "taizhang_bulk"], check=True)  # fmt: skip
            env["DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + "/taizhang_bulk"
        # The copy is brought up to this checkout's schema first.
        subprocess.run([sys.executable, "-m", "taizhang", "migrate", "-v0"], env=env, check=True)
        out = subprocess.run([sys.executable, __file__, "--child", "--rows", str(args.rows)],
                             env=env, capture_output=True, text=True)  # fmt: skip
        if db == "sqlite":
            copy.unlink(missing_ok=True)
        if out.returncode:
            print(out.stderr[-3000:], file=sys.stderr)
            return out.returncode
        r = json.loads(out.stdout.strip().splitlines()[-1])
        per_row = r["seconds"] * 1000 / max(1, r["rows"])
        print(
            f"{db}: {r['problems']} problems; bulk 催办 of {r['rows']} rows in {r['seconds']} s"
            f" (goal < {GOAL_S:.0f} s {'✓' if r['seconds'] < GOAL_S else '✗'}),"
            f" {per_row:.1f} ms a row against {r['single_page_ms']} ms for one by hand"
            f" ({r['single_page_ms'] / per_row:.1f}×); {r['tally']};"
            f" {r['notices_added']} notices, {r['messages_added']} inbox lines"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
