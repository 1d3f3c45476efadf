"""我的待办 at the article's scale, as the city office and a county administrator open it.

    .venv/bin/python bench/todo.py [--db sqlite,postgres] [--data bench/out/study]
                                   [--requests 100]

Uses the scale-1 databases that bench/study.py builds (270 000 problems), requests the to-do
page in-process through Django's test client and prints p50/p95 against the handling issue's
goal (p95 < 100 ms). Baseline: the same lists read naively, every visible open problem loaded
and each one asked `available_actions` (what a to-do list without the candidates' cap and the
status filters would do).
"""

import argparse
import json
import os
import subprocess
import sys
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from timing import p50, p95, time_ms  # noqa: E402

PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/taizhang_study")
GOAL_MS = 100.0
USERS = ["office", "yaodu_admin", "yaodu_handler"]


def measure(requests: int) -> dict[str, object]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from taizhang.campaigns.models import Campaign
    from taizhang.ledger.models import OPEN_STATUSES, Problem
    from taizhang.ledger.permissions import available_actions, visible_problems
    from taizhang.todo.services import todo_for

    campaign = Campaign.objects.select_related("org").get()
    url = f"/c/{campaign.slug}/todo/"
    result: dict[str, object] = {"problems": Problem.objects.count()}
    for username in USERS:
        user = get_user_model().objects.get(username=username)
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 200
        times = time_ms(partial(client.get, url), requests)

        def naive(user: object = user) -> None:
            for p in visible_problems(user, campaign).filter(status__in=OPEN_STATUSES):
                available_actions(user, p)

        base = time_ms(naive, 3)
        counts = {s.key: s.count for s in todo_for(user, campaign)}
        result[username] = {"p50": p50(times), "p95": p95(times), "naive": p50(base),
                            "counts": counts}  # fmt: skip
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "out" / "study")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.requests)))
        return 0
    for db in args.db.split(","):
        folder = args.data / db
        env = {
            **os.environ,
            "TAIZHANG_VAR_DIR": str(folder),
            "TAIZHANG_ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "taizhang.settings",
        }
        env["DATABASE_URL"] = f"sqlite:///{folder}/study.sqlite3" if db == "sqlite" else PG_URL
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--requests", str(args.requests)],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        if out.returncode:
            print(out.stderr[-3000:], file=sys.stderr)
            return out.returncode
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{db}: {r['problems']} problems")
        for username in USERS:
            x = r[username]
            print(
                f"  {username:<14} p50 {x['p50']:>6.1f} ms  p95 {x['p95']:>6.1f} ms"
                f" (goal < {GOAL_MS:.0f})   naive {x['naive']:>8.1f} ms"
                f" → {x['naive'] / x['p50']:.0f}×   lists {x['counts']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
