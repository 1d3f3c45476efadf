"""A past day's figures recomputed from the history at the article's scale.

    .venv/bin/python bench/history.py [--db sqlite,postgres]

Uses the scale-1 demo in bench/out/study/<db> (build it first with bench/study.py, or
`taizhang demo --scale 1 --no-serve` with TAIZHANG_VAR_DIR and DATABASE_URL pointing there).
Times `reports.history.stats_at` for the city and for 尧都区, a month ago and today, the trend's
weekly points recomputed in one pass, and checks today's snapshot against its history. Goals
(issue: verifiable figures, item 1): a past day's city figures < 2 s, a county's < 0.5 s.
Baseline: the present figures (`campaign_stats`' ledger part, from the tallies).
"""

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "study"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/taizhang_study")
GOALS = {"city": 2.0, "county": 0.5}


def _timed(work, runs: int = 3) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    took, result = [], None
    for _run in range(runs):
        started = time.perf_counter()
        result = work()
        took.append(time.perf_counter() - started)
    return statistics.median(took), result


def measure() -> dict[str, object]:
    import django

    django.setup()
    from django.utils import timezone

    from taizhang.campaigns.models import Campaign
    from taizhang.ledger.models import ProblemEvent
    from taizhang.orgs.models import Org
    from taizhang.reports import history
    from taizhang.reports.stats import tallied_breakdown

    campaign = Campaign.objects.select_related("org").get(previous__isnull=True)
    county = Org.objects.get(code="141002")
    today = timezone.localdate()
    result: dict[str, object] = {"events": ProblemEvent.objects.count()}
    for label, org in (("city", campaign.org), ("county", county)):
        base, _ = _timed(lambda org=org: tallied_breakdown(campaign, org, today))
        for when in ("month_ago", "today"):
            day = today - dt.timedelta(days=30) if when == "month_ago" else today
            at = history.moment(day.isoformat())
            took, figures = _timed(lambda org=org, at=at: history.stats_at(campaign, at, org=org))
            result[f"{label}_{when}"] = {
                "s": round(took, 2), "present_s": round(base, 3),
                "total": figures["problems_total"],  # type: ignore[index]
                "rate": figures["rectification_rate"],  # type: ignore[index]
            }  # fmt: skip
    days = []
    day = campaign.starts_on
    while day < today:
        days.append(day)
        day += dt.timedelta(days=7)
    took, _points = _timed(lambda: history.trend_points(campaign, campaign.org, days), runs=1)
    result["trend"] = {"days": len(days), "s": round(took, 2)}
    took, compared = _timed(
        lambda: history.against_snapshot(campaign, campaign.org, history.moment(today.isoformat())),
        runs=1,
    )  # fmt: skip
    result["snapshot_check"] = {"s": round(took, 2), "result": compared}
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(), ensure_ascii=False, default=str))
        return 0
    for db in args.db.split(","):
        folder = OUT / db
        env = {**os.environ, "TAIZHANG_VAR_DIR": str(folder),
               "DJANGO_SETTINGS_MODULE": "taizhang.settings"}  # fmt: skip
        env["DATABASE_URL"] = f"sqlite:///{folder}/study.sqlite3" if db == "sqlite" else PG_URL
        out = subprocess.run([sys.executable, __file__, "--child"], env=env, check=True,
                             capture_output=True, text=True)  # fmt: skip
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{db}: {result['events']} history rows")
        for label in ("city", "county"):
            for when in ("month_ago", "today"):
                r = result[f"{label}_{when}"]
                print(f"  {label:<6} {when:<9} {r['s']:>6.2f} s  (goal {GOALS[label]} s: "
                      f"{r['s'] / GOALS[label]:.2f} of it; present figures {r['present_s']} s, "
                      f"{r['s'] / max(r['present_s'], 0.001):.0f}×)  total {r['total']} "
                      f"rate {r['rate']}")  # fmt: skip
        print(f"  trend  {result['trend']['days']} weekly points in one pass: "
              f"{result['trend']['s']} s")  # fmt: skip
        print(f"  today's snapshot against its history: {result['snapshot_check']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
