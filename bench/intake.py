"""Intake under a burst: concurrent submissions against the production server.

    .venv/bin/python bench/intake.py [--requests 2000] [--concurrency 50] [--db postgres|sqlite]
                                     [--runs N]

Builds a fresh database with one campaign and a hotline account, starts `taizhang serve` on
loopback, fires the submissions from many concurrent keep-alive clients at the JSON API, then
checks that every submission is stored exactly once with its own receipt code, and prints
throughput and p50/p99 latency against the intake issue's goals (≥ 300/s, p99 < 300 ms).
"""

import argparse
import asyncio
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "intake"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/taizhang_intake")
GOAL_RATE, GOAL_P99_MS = 300.0, 300.0
SLUG = "bench-intake"


def django_child(mode: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, __file__, mode],
        env=env,
        check=True,
        cwd=OUT,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1]


def setup() -> None:
    """Inside a child process: migrate, one campaign, an operator with an API token."""
    import datetime as dt

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from taizhang.campaigns.services import create_campaign
    from taizhang.orgs.models import OrgKind, Role
    from taizhang.orgs.services import assign_role, create_org

    call_command("migrate", verbosity=0)
    city = create_org(code="141000", name="临汾市", kind=OrgKind.CITY)
    today = dt.date.today()
    create_campaign(
        slug=SLUG,
        name="压力测试",
        org=city,
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=30),
        focus_areas=["破解民生难题"],
    )
    user = get_user_model().objects.create_user("bench-hotline", password="x")
    assign_role(user, city, Role.OPERATOR)
    print(Token.objects.create(user=user).key)


def verify() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
    django.setup()
    from taizhang.intake.models import Suggestion

    rows = list(Suggestion.objects.values_list("title", "receipt_code"))
    print(
        json.dumps(
            {
                "stored": len(rows),
                "distinct_titles": len({t for t, _ in rows}),
                "distinct_codes": len({c for _, c in rows}),
            }
        )
    )


def fresh_env(db: str) -> dict[str, str]:
    env = {**os.environ, "TAIZHANG_VAR_DIR": str(OUT)}
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{OUT / 'intake.sqlite3'}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{OUT / 'intake.sqlite3'}"
    else:
        base, name = PG_URL.rsplit("/", 1)
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(["psql", f"{base}/postgres", "-qc", sql], check=True)
        env["DATABASE_URL"] = PG_URL
    return env


def fire(
    port: int, token: str, total: int, concurrency: int, prefix: str = "bench"
) -> tuple[list[float], list[str]]:
    """`concurrency` keep-alive HTTP/1.1 clients posting `total` submissions between them.

    The clients share one asyncio loop: on a two-core machine every cycle the load generator
    spends is taken from the server it measures, and threads would spend several times more.
    """
    return asyncio.run(_fire(port, token, total, concurrency, prefix))


async def _fire(
    port: int, token: str, total: int, concurrency: int, prefix: str
) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    failures: list[str] = []
    counter = iter(range(total))
    path = f"/api/campaigns/{SLUG}/suggestions/"

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for n in counter:
            body = json.dumps(
                {
                    "channel": "hotline",
                    "title": f"{prefix}-{n}",
                    "text": f"第 {n} 条:小区路灯不亮,夜间出行不便",
                }
            ).encode()
            request = (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Authorization: Token {token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            started = time.perf_counter()
            status: int | str
            try:
                writer.write(request)
                status, closing = await asyncio.wait_for(_read_response(reader), timeout=30)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                status, closing = str(exc) or type(exc).__name__, True
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 201:
                failures.append(f"{n}: {status}")
            if closing:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return latencies, failures


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """The status and whether the server will close the connection; the body is read and
    dropped."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    parts = head[0].split()
    if len(parts) < 2 or not parts[1].isdigit():
        raise ValueError(f"not an HTTP response: {head[0]!r}")
    status = int(parts[1])
    fields = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:])}
    await reader.readexactly(int(fields.get("content-length", "0")))
    return status, fields.get("connection", "").lower() == "close"


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("server did not start")


def main() -> int:
    if sys.argv[1:2] == ["--setup"]:
        setup()
        return 0
    if sys.argv[1:2] == ["--verify"]:
        verify()
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--db", default="postgres")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--warmup", type=int, default=200, help="untimed requests first")
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="repeat on a fresh database and print the median (a shared machine's speed varies)",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(
        f"[{args.db}] {args.requests} submissions, {args.concurrency} concurrent clients, "
        f"{os.cpu_count()} cores"
    )
    results = [run_once(args) for _ in range(args.runs)]
    if args.runs > 1:
        rates, p99s = sorted(r[0] for r in results), sorted(r[1] for r in results)
        rate, p99 = statistics.median(rates), statistics.median(p99s)
        print(
            f"[{args.db}] median of {args.runs} runs: throughput {rate:.0f}/s "
            f"({rates[0]:.0f}–{rates[-1]:.0f}; goal {GOAL_RATE:.0f}/s: {rate / GOAL_RATE:.2f}×), "
            f"p99 {p99:.0f} ms ({p99s[0]:.0f}–{p99s[-1]:.0f}; goal {GOAL_P99_MS:.0f} ms: "
            f"{p99 / GOAL_P99_MS:.2f}×)"
        )
    return 0 if all(r[2] for r in results) else 1


def run_once(args: argparse.Namespace) -> tuple[float, float, bool]:
    """One burst on a fresh database: (throughput, p99 in ms, every submission stored once)."""
    env = fresh_env(args.db)
    token = django_child("--setup", env)
    serve = [sys.executable, "-m", "taizhang", "serve", "--port", str(args.port)]
    if args.workers:
        serve += ["--workers", str(args.workers)]
    if args.threads:
        serve += ["--threads", str(args.threads)]
    server = subprocess.Popen(
        serve, env=env, cwd=OUT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(args.port)
        fire(args.port, token, args.warmup, args.concurrency, prefix="warmup")
        started = time.perf_counter()
        latencies, failures = fire(args.port, token, args.requests, args.concurrency)
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    checked = json.loads(django_child("--verify", env))
    rate = args.requests / elapsed
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(f"[{args.db}] throughput {rate:.0f}/s (goal {GOAL_RATE:.0f}/s: {rate / GOAL_RATE:.2f}×)")
    print(
        f"[{args.db}] latency p50 {statistics.median(latencies):.0f} ms, p99 {p99:.0f} ms "
        f"(goal p99 {GOAL_P99_MS:.0f} ms: {p99 / GOAL_P99_MS:.2f}×)"
    )
    print(
        f"[{args.db}] failures {len(failures)}; stored {checked['stored']} "
        f"(= {args.warmup} warm-up + {args.requests} timed), distinct titles "
        f"{checked['distinct_titles']}, distinct receipt codes {checked['distinct_codes']}"
    )
    expected = args.warmup + args.requests
    whole = (
        not failures
        and checked["stored"] == expected
        and checked["distinct_titles"] == checked["distinct_codes"] == expected
    )
    print(f"[{args.db}] every submission stored exactly once: {'yes' if whole else 'NO'}")
    return rate, p99, whole


if __name__ == "__main__":
    raise SystemExit(main())
