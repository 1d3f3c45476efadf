"""Full-text search (全文检索) on the demo's ledger, against today's substring scan.

    .venv/bin/python bench/search.py [--db sqlite,postgres] [--reuse] [--scale 1] [--requests 100]
    BENCH_PG_URL=postgres://…/taizhang_scale10 .venv/bin/python bench/search.py --db postgres \
        --reuse [--rebuild]

Builds the demo (or reuses the database), then, in-process:
- two- and four-character queries (words drawn from the demo's own titles, common and rare)
  as the city's leader (the whole campaign) and a county's leader (its scope): the first
  page of results, ranked, with the matches marked, against the goal p95 < 50 ms on
  PostgreSQL at 2.7 million problems and < 100 ms on SQLite at 270 000;
- the baseline: the ledger's search before this, `title LIKE '%…%'` counted and its first
  page read, and the ratio (goal ≥ 20× at 2.7 million);
- recall: on a random sample of problems, every one whose text holds the query as a
  substring (title, description, measures, progress, result, people, unit, 编号) must be
  matched by the index; the misses are printed (goal 0);
- with --rebuild, the index written afresh, timed, and its size.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from timing import demo_database, p50, p95, time_ms  # noqa: E402

OUT = ROOT / "bench" / "out" / "search"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/taizhang_search")
GOALS_MS = {"postgresql": 50.0, "sqlite": 100.0}
GOAL_RATIO = 20.0


def _queries(titles: list[str]) -> dict[str, list[str]]:
    """Words of two and of four characters from the titles: the three commonest and two rare
    ones of each length."""
    import rjieba

    counts: dict[str, int] = {}
    for title in titles:
        for word in set(rjieba.cut(title, False)):
            if len(word) in (2, 4) and all("\u4e00" <= c <= "\u9fff" for c in word):
                counts[word] = counts.get(word, 0) + 1
    picked: dict[str, list[str]] = {}
    for length in (2, 4):
        ranked = sorted((w for w in counts if len(w) == length), key=lambda w: -counts[w])
        rare = [w for w in ranked if counts[w] <= 3] or ranked[-2:]
        picked[str(length)] = ranked[:3] + rare[:2]
    return picked


def measure(requests: int, rebuild: bool) -> dict[str, object]:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection

    from taizhang.campaigns.models import Campaign
    from taizhang.ledger.models import Problem
    from taizhang.ledger.searchable import _texts, matching, search_problems
    from taizhang.search import engine, services

    campaign = Campaign.objects.select_related("org").get(slug="linfen-2021")
    result: dict[str, object] = {"vendor": connection.vendor}
    if rebuild:
        started = time.perf_counter()
        counts = services.rebuild()
        result["rebuild"] = {"seconds": round(time.perf_counter() - started, 1), **counts}
    services.flush()
    problems = Problem.objects.filter(campaign=campaign)
    result["sizes"] = {
        "problems": problems.count(),
        "entries": engine.count("problem"),
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size('search_searchdocument'),"
                           " pg_relation_size('search_tsv')")  # fmt: skip
            table, gin = cursor.fetchone()
        result["sizes"]["index_mb"] = round(table / 2**20)  # type: ignore[index]
        result["sizes"]["gin_mb"] = round(gin / 2**20)  # type: ignore[index]
    rng = random.Random(23)
    top = problems.order_by("pk").values_list("pk", flat=True).last() or 0
    sample_ids = sorted({rng.randint(1, top) for _ in range(4000)})
    titles = list(problems.filter(pk__in=sample_ids).values_list("title", flat=True))
    queries = _queries(titles)
    result["queries"] = queries
    readers = {"city": User.objects.get(username="city_leader"),
               "county": User.objects.get(username="yaodu_leader")}  # fmt: skip

    def substring(q: str) -> None:
        rows = problems.filter(title__contains=q)
        rows.count()
        list(rows.order_by("pk")[:20])

    timings: dict[str, object] = {}
    for length, words in queries.items():
        for reader, user in readers.items():
            times: list[float] = []
            hits = []
            for word in words:
                found = search_problems(user, campaign, word)
                hits.append(found.total if not found.capped else f"{found.total}+")
                times += time_ms(partial(search_problems, user, campaign, word), requests)
            times.sort()
            timings[f"{length}/{reader}"] = {"p50_ms": p50(times), "p95_ms": p95(times),
                                             "hits": hits}  # fmt: skip
        base: list[float] = []
        for word in words:
            base += time_ms(partial(substring, word), max(3, requests // 20))
        base.sort()
        timings[f"{length}/substring"] = {"p50_ms": p50(base), "p95_ms": p95(base)}
    result["timings"] = timings

    texts = _texts(sample_ids)
    missed: dict[str, int] = {}
    checked = 0
    for words in queries.values():
        for word in words:
            sql, params = matching(campaign, word)  # type: ignore[misc]
            indexed = set(problems.filter(pk__in=sample_ids).extra(
                where=[f"ledger_problem.id IN ({sql})"], params=params
            ).values_list("pk", flat=True))  # fmt: skip
            holding = {pk for pk, fields in texts.items()
                       if any(word in t for ts in fields.values() for t in ts)}  # fmt: skip
            checked += len(holding)
            missed[word] = len(holding - indexed)
    result["recall"] = {"sample": len(sample_ids), "holding": checked, "missed": missed}
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--reuse", action="store_true", help="use the database already built")
    parser.add_argument("--scale", default="1")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--rebuild", action="store_true", help="time writing the index afresh")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.requests, args.rebuild), ensure_ascii=False))
        return 0
    for db in args.db.split(","):
        env = demo_database(db, OUT / db, "search", PG_URL, scale=args.scale, reuse=args.reuse)
        child = [sys.executable, __file__, "--child", "--requests", str(args.requests)]
        out = subprocess.run(child + (["--rebuild"] if args.rebuild else []),
                             env=env, check=True, capture_output=True, text=True)  # fmt: skip
        r = json.loads(out.stdout.strip().splitlines()[-1])
        goal = GOALS_MS[r["vendor"]]
        print(f"{db}: {r['sizes']}")
        if "rebuild" in r:
            print(f"  index written afresh: {r['rebuild']}")
        for length in ("2", "4"):
            base = r["timings"][f"{length}/substring"]
            print(f"  {length}-character queries {r['queries'][length]}")
            for reader in ("city", "county"):
                t = r["timings"][f"{length}/{reader}"]
                print(
                    f"    {reader:<6} p50 {t['p50_ms']:>6.1f} ms  p95 {t['p95_ms']:>6.1f} ms"
                    f"  (goal < {goal:.0f} ms {'✓' if t['p95_ms'] < goal else '✗'})"
                    f"  hits {t['hits']}"
                )
            city = r["timings"][f"{length}/city"]
            ratio = base["p50_ms"] / max(city["p50_ms"], 0.01)
            print(
                f"    substring scan of titles (before): p50 {base['p50_ms']:.1f} ms"
                f"  p95 {base['p95_ms']:.1f} ms → {ratio:.1f}× (goal ≥ {GOAL_RATIO:.0f}×)"
            )
        rec = r["recall"]
        print(
            f"  recall on {rec['sample']} sampled problems, {rec['holding']} holding a query:"
            f" missed {sum(rec['missed'].values())} {rec['missed']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
