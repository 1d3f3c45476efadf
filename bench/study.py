"""Participation figures at the article's scale (1.11万 branches, 24.9万 members, 6万 meetings).

    .venv/bin/python bench/study.py [--db sqlite,postgres] [--reuse] [--requests 200]

Builds the demo at scale 1 (or reuses the database with --reuse), then times the study figures
for the city and for a county, in-process, against the meetings issue's goal (p95 < 100 ms),
and a naive count over the meetings and attendance rows as the baseline.
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

from timing import demo_database, p50, p95, time_ms  # noqa: E402

OUT = ROOT / "bench" / "out" / "study"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/taizhang_study")
GOAL_MS = 100.0


def measure(requests: int) -> dict[str, object]:
    import django

    django.setup()
    from django.db.models import Count, Q

    from taizhang.campaigns.models import Campaign
    from taizhang.meetings.models import Attendance, Meeting, Member
    from taizhang.orgs.models import Org
    from taizhang.reports.study import study_figures

    campaign = Campaign.objects.select_related("org").get()
    county = Org.objects.get(code="141002")
    sizes = {
        "branches": Org.objects.filter(kind="branch").count(),
        "members": Member.objects.count(),
        "meetings": Meeting.objects.count(),
        "attendance": Attendance.objects.count(),
    }

    def naive(org: Org) -> None:
        held = Meeting.objects.filter(
            campaign=campaign, org_path__startswith=org.path, status="held"
        )
        held.values("kind_id").annotate(n=Count("pk")).count()
        Attendance.objects.filter(meeting__in=held, member__isnull=False).aggregate(
            present=Count("pk", filter=Q(presence="present")), all=Count("pk")
        )
        Member.objects.filter(org_path__startswith=org.path).count()

    result: dict[str, object] = {"sizes": sizes}
    for label, org in (("city", campaign.org), ("county", county)):
        study_figures(campaign, org)
        times = time_ms(partial(study_figures, campaign, org), requests)
        base = time_ms(partial(naive, org), max(3, requests // 20))
        result[label] = {"p50_ms": p50(times), "p95_ms": p95(times), "naive_ms": p50(base)}
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--reuse", action="store_true", help="use the database already built")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.requests)))
        return 0
    for db in args.db.split(","):
        env = demo_database(db, OUT / db, "study", PG_URL, scale="1", reuse=args.reuse)
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--requests", str(args.requests)],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{db}: {result['sizes']}")
        for label in ("city", "county"):
            r = result[label]
            ratio = r["naive_ms"] / max(r["p50_ms"], 0.01)
            print(
                f"  {label:<6} p50 {r['p50_ms']:>6.1f} ms  p95 {r['p95_ms']:>6.1f} ms"
                f"  (goal p95 < {GOAL_MS:.0f} ms)   naive count {r['naive_ms']:>7.1f} ms"
                f" → {ratio:.0f}× faster"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
