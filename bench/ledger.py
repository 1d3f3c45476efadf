"""Ledger benchmark at the article's scale: demo build, `stats`, overview and list latency.

    .venv/bin/python bench/ledger.py [--scale 1] [--db sqlite,postgres] [--requests 200]

For each database: builds the demo from scratch (timed), runs `taizhang stats --json` (timed),
then requests the overview and filtered ledger lists in-process through Django's test client
as the city office (the largest scope) and a county leader, and prints p50/p95 against the goals
of the ledger issue (overview p95 < 100 ms, list p95 < 150 ms). Run by hand; record the output
in docs/benchmarks.md.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
TAIZHANG = [sys.executable, "-m", "taizhang"]
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/taizhang_bench")
GOALS_MS = {"overview": 100.0, "list": 150.0}
PAGES = [
    ("overview", "office", "/c/linfen-2021/"),
    ("overview", "yaodu_leader", "/c/linfen-2021/"),
    ("overview", "office", "/c/linfen-2021/?org=141002"),
    ("list", "office", "/c/linfen-2021/problems/"),
    ("list", "office", "/c/linfen-2021/problems/?org=141002&status=rectifying&sort=deadline"),
    ("list", "office", "/c/linfen-2021/problems/?figure=overdue&area={area}"),
    ("list", "yaodu_leader", "/c/linfen-2021/problems/?deadline=overdue&page=3"),
    ("list", "office", "/c/linfen-2021/problems/?q=审批&kind=immediate"),
]


def run(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, cwd=OUT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def fresh_database(db: str) -> dict[str, str]:
    env = {**os.environ, "TAIZHANG_VAR_DIR": str(OUT / db)}
    if db == "sqlite":
        target = OUT / db / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{target}"
    else:
        name = PG_URL.rsplit("/", 1)[1]
        base = PG_URL.rsplit("/", 1)[0]
        subprocess.run(
            ["psql", f"{base}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True
        )
        subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
        env["DATABASE_URL"] = PG_URL
    return env


def measure_pages(requests: int) -> dict[str, dict[str, float]]:
    """Runs inside a child process whose DATABASE_URL names the built database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from taizhang.campaigns.models import FocusArea

    area = FocusArea.objects.filter(campaign__slug="linfen-2021").first()
    clients = {}
    for username in {user for _, user, _ in PAGES}:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(get_user_model().objects.get(username=username))
        clients[username] = client
    results: dict[str, dict[str, float]] = {}
    for kind, username, path in PAGES:
        url = path.format(area=area.pk if area else "")
        client = clients[username]
        for _ in range(5):  # warm caches and connections
            client.get(url)
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        results[f"{kind} {username} {url}"] = {
            "p50": statistics.median(timings),
            "p95": timings[int(len(timings) * 0.95) - 1],
        }
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--skip-build", action="store_true", help="reuse the last build")
    parser.add_argument("--measure-pages", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_pages:
        print(json.dumps(measure_pages(args.requests)))
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    failed = False
    for db in args.db.split(","):
        (OUT / db).mkdir(exist_ok=True)
        if args.skip_build:
            env = {**os.environ, "TAIZHANG_VAR_DIR": str(OUT / db)}
            env["DATABASE_URL"] = (
                f"sqlite:///{OUT / db / 'bench.sqlite3'}" if db == "sqlite" else PG_URL
            )
        else:
            env = fresh_database(db)
            build = run([*TAIZHANG, "demo", "--scale", str(args.scale), "--no-serve"], env)
            print(f"[{db}] demo --scale {args.scale} (migrate + build): {build:.1f} s")
        stats = run([*TAIZHANG, "stats", "--json"], env)
        print(f"[{db}] taizhang stats --json: {stats * 1000:.0f} ms (process start included)")
        child = subprocess.run(
            [sys.executable, __file__, "--measure-pages", "--requests", str(args.requests)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=OUT,
        )
        for name, figures in json.loads(child.stdout.splitlines()[-1]).items():
            goal = GOALS_MS[name.split()[0]]
            ratio = figures["p95"] / goal
            failed |= ratio > 1
            print(
                f"[{db}] {name}: p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms "
                f"(goal {goal:.0f} ms: {ratio:.2f}× of goal)"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
