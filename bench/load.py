"""Many staff at once: a load generator of our own on asyncio (keep-alive HTTP/1.1, one
connection per session) against taizhang under gunicorn, only on 127.0.0.1, bounded in time.

    .venv/bin/python bench/load.py [--sessions 200] [--seconds 60] [--workers 4] [--threads 4]
        [--servers 2 --redis redis://127.0.0.1:6379/0 --replica postgres://…:5441/taizhang_load]

Needs the demo at scale 1 on PostgreSQL in BENCH_PG_URL (build it with `taizhang demo --scale 1
--no-serve`). Each session is a unit's handler (made for the run, logged in once) who, after a
pause of 0.5–2 s, opens one of: 我的待办, the ledger list filtered to what is being rectified, a
search (by a problem's 编号, or by a word of its title: the full-text search), one of their
problems, the overview, or reports progress on a problem (a POST). With --servers N, N gunicorn
servers on consecutive ports share the sessions (each its own processes, as separate machines
would be), with --redis sharing one cache and --replica reading from a streaming replica.
Prints each page's p50/p95, errors, throughput and the server's CPU. Goal (issue 23):
p95 < 300 ms for every page and no errors.
"""

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/taizhang_load")
HOST = "127.0.0.1"
GOAL_P95_MS = 300.0
MIX = [("todo", 25), ("list", 20), ("search", 10), ("problem", 25), ("overview", 10),
       ("progress", 10)]  # fmt: skip


def prepare(sessions: int) -> list[dict[str, object]]:
    """Users, their logged-in sessions and problems (in a child process with Django)."""
    import django
    import rjieba

    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client

    from taizhang.ledger.models import Problem, Status
    from taizhang.orgs.models import Role, RoleAssignment

    by_org: dict[int, list[Problem]] = {}
    rectifying = Problem.objects.filter(status=Status.RECTIFYING).order_by("pk")
    for p in rectifying.only("pk", "number", "org_id")[:20000]:
        by_org.setdefault(p.org_id, []).append(p)
    orgs = sorted(by_org, key=lambda o: (-len(by_org[o]), o))[:sessions]
    out = []
    for n in range(sessions):
        org = orgs[n % len(orgs)]
        user, _made = User.objects.get_or_create(username=f"load{n:03d}")
        RoleAssignment.objects.filter(user=user).exclude(org_id=org).delete()
        RoleAssignment.objects.get_or_create(user=user, org_id=org, role=Role.HANDLER)
        client = Client()
        client.force_login(user)
        problems = by_org[org][:20]
        words = [w for p in problems for w in rjieba.cut(p.title, False) if len(w) >= 2]
        out.append({"cookie": client.cookies["sessionid"].value,
                    "problems": [(p.pk, p.number) for p in problems],
                    "words": words or ["问题"]})  # fmt: skip
    return out


async def request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, method: str, path: str,
    cookies: str, body: bytes = b"", extra: str = "",
) -> int:  # fmt: skip
    head = (f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nCookie: {cookies}\r\n{extra}"
            f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n")  # fmt: skip
    writer.write(head.encode() + body)
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    length, chunked = 0, False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "transfer-encoding" and "chunked" in value:
            chunked = True
    if chunked:
        while (size := int((await reader.readline()).strip() or b"0", 16)) > 0:
            await reader.readexactly(size + 2)
        await reader.readline()
    else:
        await reader.readexactly(length)
    return status


async def session(
    port: int, me: dict, until: float, times: dict[str, list[float]], errors: list[str]
) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    csrf = secrets.token_hex(16)
    cookies = f"sessionid={me['cookie']}; csrftoken={csrf}"
    kinds, weights = zip(*MIX, strict=True)
    rng = random.Random(me["cookie"])
    try:
        while time.monotonic() < until:
            await asyncio.sleep(rng.uniform(0.5, 2.0))
            kind = rng.choices(kinds, weights)[0]
            pk, number = rng.choice(me["problems"])
            method, body, extra = "GET", b"", ""
            path = {
                "todo": "/c/linfen-2021/todo/",
                "list": "/c/linfen-2021/problems/?status=rectifying",
                "search": (
                    f"/c/linfen-2021/find/?q={number}"
                    if rng.random() < 0.5
                    else f"/c/linfen-2021/search/?q={quote(rng.choice(me['words']))}"
                ),
                "problem": f"/problems/{pk}/",
                "overview": "/c/linfen-2021/",
                "progress": f"/problems/{pk}/progress/",
            }[kind]
            if kind == "progress":
                method = "POST"
                body = f"percent={rng.randint(10, 90)}&text=load+test+progress".encode()
                extra = (f"X-CSRFToken: {csrf}\r\n"
                         "Content-Type: application/x-www-form-urlencoded\r\n")  # fmt: skip
            started = time.perf_counter()
            try:
                status = await request(reader, writer, method, path, cookies, body, extra)
            except (ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
                errors.append(f"{kind}: {exc!r}")
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
                continue
            times.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            # A page answers 200; a progress report redirects to its problem (302), or shows
            # the form again (400) when the problem has moved on; a search by 编号 opens the one
            # problem it finds (302). Anything else is an error (a 302 on a page would be a lost
            # session).
            allowed = {"progress": (302, 400), "search": (200, 302)}.get(kind, (200,))
            if status not in allowed:
                errors.append(f"{kind} {path}: HTTP {status}")
    finally:
        writer.close()


def cpu_seconds(processes: list[int]) -> float:
    """User and system time of these processes (that have not ended)."""
    total = 0.0
    for pid in processes:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def pids(*pgrep: str) -> list[int]:
    return [int(p) for p in subprocess.run(["pgrep", *pgrep], capture_output=True,
                                           text=True).stdout.split()]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument(
        "--servers", type=int, default=1, help="gunicorn servers, ports from --port"
    )
    parser.add_argument("--redis", default="", help="TAIZHANG_REDIS_URL for every server")
    parser.add_argument("--replica", default="", help="DATABASE_REPLICA_URLS for every server")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    env = {**os.environ, "DATABASE_URL": PG_URL, "DJANGO_SETTINGS_MODULE": "taizhang.settings",
           "TAIZHANG_VAR_DIR": str(ROOT / "bench" / "out" / "load")}  # fmt: skip
    if args.prepare:
        print(json.dumps(prepare(args.sessions)))
        return 0
    made = subprocess.run([sys.executable, __file__, "--prepare", "--sessions",
                           str(args.sessions)], env=env, check=True, capture_output=True,
                          text=True)  # fmt: skip
    people = json.loads(made.stdout.strip().splitlines()[-1])
    serving = {**env, "TAIZHANG_REDIS_URL": args.redis, "DATABASE_REPLICA_URLS": args.replica}
    ports = [args.port + n for n in range(args.servers)]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "taizhang.wsgi:application", "--bind",
             f"{HOST}:{port}", "--workers", str(args.workers), "--threads", str(args.threads),
             "--keep-alive", "30", "--log-level", "warning"], env=serving, cwd=ROOT,
        )
        for port in ports
    ]  # fmt: skip
    try:
        time.sleep(4 + 2 * args.servers)
        times: dict[str, list[float]] = {}
        errors: list[str] = []
        app = [p for s in servers for p in (s.pid, *pids("-P", str(s.pid)))]
        cpu_before, started = cpu_seconds(app), time.monotonic()
        db_before = cpu_seconds(pids("-x", "postgres"))
        until = started + args.seconds

        async def run() -> None:
            await asyncio.gather(*(session(ports[n % len(ports)], me, until, times, errors)
                                   for n, me in enumerate(people)))  # fmt: skip

        asyncio.run(run())
        elapsed = time.monotonic() - started
        cpu = cpu_seconds(app) - cpu_before
        db_cpu = cpu_seconds(pids("-x", "postgres")) - db_before
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(20)
    total = sum(len(t) for t in times.values())
    print(f"{args.sessions} sessions for {elapsed:.0f} s against {args.servers} gunicorn "
          f"({args.workers} workers × {args.threads} threads each), PostgreSQL at {PG_URL}"
          f"{', Redis' if args.redis else ''}{', a replica' if args.replica else ''}")  # fmt: skip
    for kind, _weight in MIX:
        t = sorted(times.get(kind, []))
        if not t:
            continue
        p95 = t[max(0, int(len(t) * 0.95) - 1)]
        mark = "✓" if p95 < GOAL_P95_MS else "✗"
        print(f"  {kind:<9} {len(t):>6} requests  p50 {statistics.median(t):7.1f} ms"
              f"  p95 {p95:7.1f} ms  {mark} (goal p95 < {GOAL_P95_MS:.0f} ms)")  # fmt: skip
    print(f"  {total} requests, {total / elapsed:.1f} a second; errors {len(errors)}")
    print(f"  CPU over {elapsed:.0f} s: the app {cpu:.0f} s, PostgreSQL {db_cpu:.0f} s (2 cores)")
    for error in errors[:10]:
        print("   ", error)
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
