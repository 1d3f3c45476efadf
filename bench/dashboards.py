"""The overview (总览) as leaders open it, against a naive GROUP BY over the ledger.

    .venv/bin/python bench/dashboards.py [--db sqlite,postgres] [--data bench/out/study]
                                         [--requests 200]

Uses the scale-1 databases that bench/study.py builds (270 000 problems and everything else),
requests the overview of the city and of a county in-process through Django's test client as
the city office, and prints p50/p95 against the dashboards issue's goal (p95 < 50 ms at scale 1)
and the ratio to the baseline: the same headline figures by child unit counted with one GROUP
BY over the problems table. Each page is also timed as the first view after a ledger write
(when nothing the page computed before can be reused).

At scale 10 (2.7 million problems, PostgreSQL only), build the demo first, then point here:

    createdb taizhang_scale10
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/taizhang_scale10 \
        TAIZHANG_VAR_DIR=bench/out/scale10/postgres .venv/bin/taizhang demo --scale 10 --no-serve
    BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/taizhang_scale10 \
        .venv/bin/python bench/dashboards.py --db postgres --data bench/out/scale10 --goal-ms 150
"""

import argparse
import itertools
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
GOAL_MS = 50.0
PAGES = [("city", "/c/linfen-2021/"), ("county", "/c/linfen-2021/?org=141002")]


def measure(requests: int) -> dict[str, object]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q
    from django.test import Client
    from django.utils import timezone

    from taizhang.campaigns.models import Campaign
    from taizhang.ledger.models import OPEN_STATUSES, Problem, Status
    from taizhang.orgs.models import Org
    from taizhang.reports.figures import child_path_expression

    campaign = Campaign.objects.select_related("org").get()
    client = Client()
    client.force_login(get_user_model().objects.get(username="office"))
    today = timezone.localdate()

    def naive(org: Org) -> None:
        list(
            Problem.objects.filter(campaign=campaign, org_path__startswith=org.path)
            .annotate(child=child_path_expression(org.path))
            .values("child")
            .annotate(
                total=Count("pk"),
                closed=Count("pk", filter=Q(status=Status.CLOSED)),
                overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)),
            )
        )

    import taizhang.reports.views as overview

    held_version = overview.ledger_version
    changes = itertools.count(10**9)

    def just_changed() -> tuple[int, int, int]:
        """As if someone had written to the ledger just before each view."""
        _event, tally, snapshot = held_version()
        return next(changes), tally, snapshot

    result: dict[str, object] = {"problems": Problem.objects.count()}
    for label, url in PAGES:
        org = campaign.org if label == "city" else Org.objects.get(code="141002")
        assert client.get(url).status_code == 200
        times = time_ms(partial(client.get, url), requests)
        overview.ledger_version = just_changed
        changed = time_ms(partial(client.get, url), max(5, requests // 10))
        overview.ledger_version = held_version
        base = time_ms(partial(naive, org), max(3, requests // 20))
        result[label] = {
            "p50": p50(times),
            "p95": p95(times),
            "changed_p50": p50(changed),
            "changed_p95": p95(changed),
            "naive": p50(base),
        }
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "out" / "study")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--goal-ms", type=float, default=GOAL_MS, help="150 at scale 10")
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
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{db}: {r['problems']} problems")
        for label, _url in PAGES:
            x = r[label]
            print(
                f"  {label:<6} p50 {x['p50']:>6.1f} ms  p95 {x['p95']:>6.1f} ms"
                f" (goal < {args.goal_ms:.0f})"
                f"   naive GROUP BY {x['naive']:>7.1f} ms → {x['naive'] / x['p50']:.0f}×"
            )
            print(
                f"  {'':<6} just after a ledger write: p50 {x['changed_p50']:>6.1f} ms"
                f"  p95 {x['changed_p95']:>6.1f} ms"
                f" → {x['naive'] / x['changed_p50']:.1f}× the baseline"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
