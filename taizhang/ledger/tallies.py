"""Rolled-up counts of the ledger (ProblemTally), kept equal to a fresh count.

Each problem counts once in the tally of every org on its path (its lead unit and each ancestor),
under the key (focus area, kind, source, status, closed on time). The ledger services call
`track_change` after each write; `rebuild` recounts a campaign from the ledger.
"""

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count

from taizhang.campaigns.models import Campaign
from taizhang.ledger.models import Problem, ProblemTally

KEY_FIELDS = ("campaign_id", "org_path", "focus_area_id", "kind", "source", "status", "on_time")
Key = tuple[Any, ...]
# The columns of KEY_FIELDS, then n, as PostgreSQL's unnest needs them typed.
_PG_ARRAY_TYPES = (
    "bigint",
    "varchar",
    "bigint",
    "varchar",
    "varchar",
    "varchar",
    "smallint",
    "integer",
)


def on_time_code(closed_on_time: bool | None) -> int:
    return -1 if closed_on_time is None else int(closed_on_time)


def ancestor_paths(path: str) -> list[str]:
    """'/a/b/c/' → ['/a/', '/a/b/', '/a/b/c/']."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def leaf_key(problem: Problem) -> Key:
    return (
        problem.campaign_id,
        problem.org_path,
        problem.focus_area_id,
        problem.kind,
        problem.source,
        problem.status,
        on_time_code(problem.closed_on_time),
    )


def _expand(leaf: Key, weight: int, into: Counter[Key]) -> None:
    campaign_id, path, *rest = leaf
    for prefix in ancestor_paths(path):
        into[(campaign_id, prefix, *rest)] += weight


def _apply(deltas: Counter[Key]) -> None:
    # In key order: two writers moving counts between the same keys in opposite directions then
    # lock these rows in the same order instead of each waiting for the other.
    rows = sorted((*key, n) for key, n in deltas.items() if n)
    if not rows:
        return
    table = ProblemTally._meta.db_table
    columns = ", ".join((*KEY_FIELDS, "n"))
    upsert = f"ON CONFLICT ({', '.join(KEY_FIELDS)}) DO UPDATE SET n = {table}.n + excluded.n"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement for the lot: an import moves tens of thousands of keys, and a
            # statement each costs ten times as much on the server as one set-based upsert.
            arrays = ", ".join(f"%s::{kind}[]" for kind in _PG_ARRAY_TYPES)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) {upsert}",
                [list(column) for column in zip(*rows, strict=True)],
            )
            return
        placeholders = ", ".join(["%s"] * (len(KEY_FIELDS) + 1))
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) {upsert}", rows
        )


def track_change(before: Key | None, after: Key | None) -> None:
    """Move one problem's count from its old key to its new one (None: not counted)."""
    track_changes([(before, after)])


def track_changes(changes: Iterable[tuple[Key | None, Key | None]]) -> None:
    """Many moves at once, written in one statement."""
    deltas: Counter[Key] = Counter()
    for before, after in changes:
        if before == after:
            continue
        if before is not None:
            _expand(before, -1, deltas)
        if after is not None:
            _expand(after, +1, deltas)
    _apply(deltas)


def track_added(leaves: Counter[Key]) -> None:
    """New problems counted by their keys (a bulk import knows them without reading back)."""
    deltas: Counter[Key] = Counter()
    for leaf, n in leaves.items():
        _expand(leaf, n, deltas)
    _apply(deltas)


def track_new(problems: Iterable[Problem]) -> None:
    deltas: Counter[Key] = Counter()
    for problem in problems:
        _expand(leaf_key(problem), +1, deltas)
    _apply(deltas)


def fresh_counts(campaign: Campaign) -> Counter[Key]:
    """The tallies as a fresh count of the ledger would make them."""
    counts: Counter[Key] = Counter()
    rows = (
        Problem.objects.filter(campaign=campaign)
        .order_by()
        .values_list("org_path", "focus_area_id", "kind", "source", "status", "closed_on_time")
        .annotate(n=Count("pk"))
    )
    for path, area, kind, source, status, on_time, n in rows:
        _expand((campaign.pk, path, area, kind, source, status, on_time_code(on_time)), n, counts)
    return counts


def stored_counts(campaign: Campaign) -> Counter[Key]:
    rows = ProblemTally.objects.filter(campaign=campaign, n__gt=0).values_list(*KEY_FIELDS, "n")
    return Counter({tuple(row[:-1]): row[-1] for row in rows})


@transaction.atomic
def rebuild(campaign: Campaign) -> int:
    ProblemTally.objects.filter(campaign=campaign).delete()
    counts = fresh_counts(campaign)
    _apply(counts)
    return len(counts)
