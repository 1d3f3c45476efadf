"""项目库 at the article's scale (1 031 projects, 4 190亿) beside the demo's full ledger.

    .venv/bin/python bench/projects.py [--db sqlite,postgres] [--reuse] [--scale 1] [--requests 200]

Builds the demo (or reuses the database with --reuse), then, in-process:
- the project figures of the city and of a county (what the projects overview computes), and
  the whole overview page as the office gets it, against the goal p95 < 50 ms; the baseline is
  a fresh count: every project row loaded and summed in Python;
- the import of the demo's 1 031-project workbook (exported first) into a new campaign, and the
  same workbook again (every row found, nothing changed), against the goal < 5 s.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from timing import demo_database, p50, p95, time_ms  # noqa: E402

OUT = ROOT / "bench" / "out" / "projects"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/taizhang_projects")
GOAL_MS = 50.0
GOAL_IMPORT_S = 5.0


def measure(requests: int) -> dict[str, object]:
    import django

    django.setup()
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    from taizhang.campaigns.models import Campaign
    from taizhang.orgs.models import Org
    from taizhang.projects.models import Project
    from taizhang.reports.projects import project_figures
    from taizhang.sheets.project_export import export_projects
    from taizhang.sheets.project_import import import_projects

    settings.ALLOWED_HOSTS = ["*"]
    campaign = Campaign.objects.select_related("org").get(slug="linfen-2021")
    county = Org.objects.get(code="141002")
    office = User.objects.get(username="office")
    sizes = {"projects": Project.objects.filter(campaign=campaign).count()}

    def fresh(org: Org) -> None:
        rows = [
            p for p in Project.objects.filter(campaign=campaign) if p.org_path.startswith(org.path)
        ]
        sum((p.investment_total for p in rows), Decimal(0))
        sum((p.done_year for p in rows), Decimal(0))
        len([p for p in rows if p.stage in ("started", "completed")])

    result: dict[str, object] = {"sizes": sizes}
    for label, org in (("city", campaign.org), ("county", county)):
        project_figures(campaign, org, user=office)
        times = time_ms(partial(project_figures, campaign, org, user=office), requests)
        base = time_ms(partial(fresh, org), max(3, requests // 20))
        result[label] = {"p50_ms": p50(times), "p95_ms": p95(times), "naive_ms": p50(base)}
    client = Client()
    client.force_login(office)
    url = reverse("project_overview", args=[campaign.slug])
    assert client.get(url).status_code == 200
    page = time_ms(lambda: client.get(url), max(20, requests // 4))
    result["page"] = {"p50_ms": p50(page), "p95_ms": p95(page)}
    # The first view after a write (a monthly report): the figures are computed again.
    from django.utils import timezone

    from taizhang.projects.services import report_month

    project = Project.objects.filter(campaign=campaign, status="active").order_by("pk").first()
    assert project is not None
    after = []
    for i in range(10):
        report_month(project, by=office, month=timezone.localdate().replace(day=1),
                     done=str(i), progress_note="基准测试")  # fmt: skip
        after += time_ms(lambda: client.get(url), 1)
    result["page_after_write"] = {"p50_ms": p50(sorted(after)), "p95_ms": p95(sorted(after))}

    with tempfile.TemporaryDirectory() as folder:
        book = Path(folder) / "重点项目.xlsx"
        export_projects(Project.objects.filter(campaign=campaign), campaign=campaign, out=book)
        target = Campaign.objects.create(
            slug="bench-projects", name="项目导入测试", org=campaign.org,
            starts_on=campaign.starts_on, ends_on=campaign.ends_on,
        )  # fmt: skip
        started = time.perf_counter()
        first = import_projects(book, campaign=target, by=office)
        created_s = time.perf_counter() - started
        started = time.perf_counter()
        again = import_projects(book, campaign=target, by=office)
        again_s = time.perf_counter() - started
        result["import"] = {
            "rows": first.created,
            "seconds": round(created_s, 2),
            "again_unchanged": again.unchanged,
            "again_seconds": round(again_s, 2),
        }
        Project.objects.filter(campaign=target).delete()
        target.delete()
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--reuse", action="store_true", help="use the database already built")
    parser.add_argument(
        "--scale", default="1", help="the demo's ledger scale (projects: always 1 031)"
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.requests)))
        return 0
    for db in args.db.split(","):
        env = demo_database(db, OUT / db, "projects", PG_URL, scale=args.scale, reuse=args.reuse)
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
                f"  figures {label:<6} p50 {r['p50_ms']:>6.1f} ms  p95 {r['p95_ms']:>6.1f} ms"
                f"  (goal p95 < {GOAL_MS:.0f} ms)   fresh count in Python {r['naive_ms']:>7.1f} ms"
                f" → {ratio:.1f}× faster"
            )
        page = result["page"]
        print(
            f"  overview page (office, city) p50 {page['p50_ms']:.1f} ms"
            f"  p95 {page['p95_ms']:.1f} ms"
        )
        w = result["page_after_write"]
        print(f"  the first view after a write  p50 {w['p50_ms']:.1f} ms  p95 {w['p95_ms']:.1f} ms")
        imp = result["import"]
        print(
            f"  import {imp['rows']} projects into a new campaign: {imp['seconds']:.2f} s"
            f" (goal < {GOAL_IMPORT_S:.0f} s, {GOAL_IMPORT_S / max(imp['seconds'], 0.01):.1f}×"
            " under);"
            f" again, {imp['again_unchanged']} unchanged: {imp['again_seconds']:.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
