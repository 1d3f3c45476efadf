"""Keeping the index current: writers mark what they changed, `flush` writes it after commit.

A writer calls `mark(kind, ids)` inside its transaction; the marks commit with the change or
not at all, so a change the index has not followed yet is never forgotten. Once the
transaction has committed, `flush` rewrites the marked entries in the same process, up to
`FLUSH_BUDGET` (settings.SEARCH_ON_WRITE = "inline"), or leaves them all to the worker's clock,
every two seconds ("deferred": what `taizhang serve` sets, so that a burst of submissions
costs no more per request); every search first writes what is still marked, so a change is
found by the next search either way.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import connection, router, transaction

from taizhang.core.bulk import insert_rows
from taizhang.search import engine
from taizhang.search.models import SearchPending
from taizhang.search.registry import SOURCES

CHUNK = 500
FLUSH_BUDGET = 2000  # entries written right after a commit; the rest by the worker's clock


def mark(kind: str, object_ids: Iterable[int]) -> None:
    """These objects changed in the current transaction: their entries are rewritten after it
    commits."""
    rows = [(kind, i) for i in dict.fromkeys(object_ids)]
    if not rows:
        return
    insert_rows(SearchPending, ("kind", "object_id"), rows)
    after_commit()


def mark_row(kind: str) -> tuple[type[SearchPending], str, dict[str, str]]:
    """A mark as `core.bulk.insert_with_child` writes it beside a new row (object_id: its key);
    call `after_commit` then."""
    return SearchPending, "object_id", {"kind": kind}


def after_commit() -> None:
    """Flush once the current transaction commits (at once outside one)."""
    if settings.SEARCH_ON_WRITE == "deferred":
        return
    waiting = [entry[1] for entry in connection.run_on_commit]  # (savepoints, callback, robust)
    if _flush_soon not in waiting:
        transaction.on_commit(_flush_soon, robust=True)


def _flush_soon() -> None:
    flush(budget=FLUSH_BUDGET)


def pending() -> bool:
    return SearchPending.objects.using(router.db_for_write(SearchPending)).exists()


def flush(budget: int | None = None) -> bool:
    """Write the marked entries, `CHUNK` at a time, each chunk one transaction; several
    processes may flush at once (each takes marks the others have not locked). True if marks
    remain after `budget` entries."""
    db = router.db_for_write(SearchPending)
    written = 0
    while budget is None or written < budget:
        with transaction.atomic(using=db):
            marks = list(
                SearchPending.objects.using(db)
                .select_for_update(skip_locked=True)
                .order_by("id")
                .values_list("id", "kind", "object_id")[:CHUNK]
            )
            if not marks:
                return False
            by_kind: dict[str, set[int]] = defaultdict(set)
            for _id, kind, object_id in marks:
                by_kind[kind].add(object_id)
            for kind, ids in by_kind.items():
                _write(kind, sorted(ids))
            SearchPending.objects.using(db).filter(id__in=[m[0] for m in marks]).delete()
        written += len(marks)
    return pending()


def optimize() -> None:
    """After a bulk load (the demo, a rebuild): the index compacted for reading."""
    for kind in SOURCES:
        engine.optimize(kind)


def _write(kind: str, ids: list[int]) -> None:
    source = SOURCES[kind]
    docs = source.documents(ids)
    engine.store(docs)
    gone = set(ids) - {d.object_id for d in docs}
    if gone:
        engine.remove(kind, gone)


def rebuild(
    kind: str | None = None,
    *,
    campaign_id: int | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Write every entry again (of one kind, of one campaign): after an upgrade that changes
    what is indexed, or to check the kept index against a fresh one. Returns entries per kind."""
    counts: dict[str, int] = {}
    for name, source in SOURCES.items():
        if kind is not None and name != kind:
            continue
        with transaction.atomic():
            if campaign_id is None:  # what is marked so far is written below; later marks stay
                SearchPending.objects.filter(kind=name).delete()
            engine.remove_all(name, campaign_id)
            ids = list(source.ids(campaign_id))
            for start in range(0, len(ids), CHUNK):
                _write(name, ids[start : start + CHUNK])
                if progress is not None:
                    progress(name, min(start + CHUNK, len(ids)))
        engine.optimize(name)
        counts[name] = len(ids)
    return counts
