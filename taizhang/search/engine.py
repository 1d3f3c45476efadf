"""The index itself: PostgreSQL's tsvector under a GIN index, or SQLite's FTS5.

Both store the lexemes of `tokens.positioned` by weight, plus a lexeme for every unit whose
staff may find the entry (`registry.scope_tokens`: its unit, the units above, the co-operating
units), so that a search in a reader's scope is one index lookup rather than a filter over the
results.

A search ranks at most `cap` entries (SQLite: the newest that match; PostgreSQL: the first the
index yields). A query that matches more (two common characters over millions of problems) is
ranked among those `cap` and says so; the ledger list's `q=` lists every match, counted
exactly.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connection, connections, router, transaction

from taizhang.search.models import SearchDocument
from taizhang.search.tokens import Document, Query, positioned

SCOPE = "§"  # before a scope token in a tsvector: no text lexeme starts so
MAX_POSITION = 16383  # PostgreSQL's largest; later ones are stored at it
MAX_POSITIONS = 256  # per lexeme and document, PostgreSQL's limit
RANK_WEIGHTS = "{0.05, 0.2, 0.5, 1.0}"  # D, C, B, A: a title's match over a note's
FTS_WEIGHTS = (10.0, 4.0, 1.0, 0.0)  # a, b, c, s
TABLE = SearchDocument._meta.db_table
T = TypeVar("T")


@dataclass
class Results(Generic[T]):
    """A page of a search as a reader gets it: each found thing with its marked text."""

    query: Query
    found: list[T]
    total: int
    capped: bool


@dataclass
class Hits:
    ids: list[int]  # object ids, best first
    total: int  # matches counted, at most `cap`
    capped: bool  # more than `cap` match


def _tsvector(doc: Document) -> str:
    by_lexeme: dict[str, list[str]] = defaultdict(list)
    for weight, pairs in positioned(doc).items():
        for lexeme, at in pairs:
            spots = by_lexeme[lexeme]
            if len(spots) < MAX_POSITIONS:
                spots.append(f"{min(at, MAX_POSITION)}{weight}")
    parts = [f"'{lexeme}':{','.join(spots)}" for lexeme, spots in by_lexeme.items()]
    parts.extend(f"'{SCOPE}{token}'" for token in sorted(doc.scope))
    return " ".join(parts)


def _fts_columns(doc: Document) -> tuple[str, str, str, str]:
    laid = positioned(doc)
    a, b, c = (" ".join(lx for lx, _ in laid[w]) for w in ("A", "B", "C"))
    return a, b, c, f"c{doc.campaign_id} {' '.join(sorted(doc.scope))}"


def fts_table(kind: str) -> str:
    """SQLite: the kind's FTS5 table (made by the migration), rowid = the object's id."""
    return f"search_fts_{kind}"


def store(docs: Sequence[Document]) -> None:
    """Write (or rewrite) these entries."""
    if not docs:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for start in range(0, len(docs), 500):
                batch = docs[start : start + 500]
                values = ", ".join(["(%s, %s, %s, %s::tsvector)"] * len(batch))
                params: list[Any] = []
                for d in batch:
                    params.extend((d.kind, d.object_id, d.campaign_id, _tsvector(d)))
                cursor.execute(
                    f"INSERT INTO {TABLE} (kind, object_id, campaign_id, tsv) VALUES {values} "
                    "ON CONFLICT (kind, object_id) DO UPDATE "
                    "SET campaign_id = EXCLUDED.campaign_id, tsv = EXCLUDED.tsv",
                    params,
                )
            return
        table = fts_table(docs[0].kind)
        for start in range(0, len(docs), 400):
            batch = docs[start : start + 400]
            rows = [d.object_id for d in batch]
            cursor.execute(
                f"DELETE FROM {table} WHERE rowid IN ({', '.join(['%s'] * len(rows))})", rows
            )
            cursor.executemany(
                f"INSERT INTO {table} (rowid, a, b, c, s) VALUES (%s, %s, %s, %s, %s)",
                [(d.object_id, *_fts_columns(d)) for d in batch],
            )


def remove(kind: str, object_ids: Iterable[int]) -> None:
    ids = list(object_ids)
    if connection.vendor == "postgresql":
        SearchDocument.objects.filter(kind=kind, object_id__in=ids).delete()
        return
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(
                f"DELETE FROM {fts_table(kind)} WHERE rowid IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )


def remove_all(kind: str, campaign_id: int | None = None) -> None:
    """Every entry of a kind (of one campaign)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            where, params = "kind = %s", list[Any]([kind])
            if campaign_id is not None:
                where, params = where + " AND campaign_id = %s", [kind, campaign_id]
            cursor.execute(f"DELETE FROM {TABLE} WHERE {where}", params)
        elif campaign_id is None:
            cursor.execute(f"DELETE FROM {fts_table(kind)}")
        else:
            table = fts_table(kind)
            cursor.execute(
                f"DELETE FROM {table} WHERE rowid IN "
                f"(SELECT rowid FROM {table} WHERE {table} MATCH %s)",
                [f's : "c{campaign_id}"'],
            )


def optimize(kind: str) -> None:
    """After a rebuild: SQLite merges the FTS5 table's segments into one (its inserts leave
    many, and a query reads each); PostgreSQL's GIN needs nothing."""
    if connection.vendor != "postgresql":
        table = fts_table(kind)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")


def count(kind: str) -> int:
    """Entries of a kind."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE kind = %s", [kind])
        else:
            cursor.execute(f"SELECT count(*) FROM {fts_table(kind)}")
        return int(cursor.fetchone()[0])


def _tsquery(query: Query, scope: set[str] | None) -> str:
    terms = [f"'{lx}'" for lx in query.lexemes] + [f"'{p}':*" for p in query.prefixes]
    text = " & ".join(terms)
    if scope is not None:
        text += " & (" + " | ".join(f"'{SCOPE}{t}'" for t in sorted(scope) or ["none"]) + ")"
    return text


def _fts_query(campaign_id: int, query: Query, scope: set[str] | None) -> str:
    terms = [f'"{lx}"' for lx in query.lexemes] + [f'"{p}" *' for p in query.prefixes]
    text = "{a b c} : (" + " AND ".join(terms) + f') AND s : "c{campaign_id}"'
    if scope is not None:
        text += " AND s : (" + " OR ".join(f'"{t}"' for t in sorted(scope) or ["none"]) + ")"
    return text


def search(
    kind: str,
    campaign_id: int,
    query: Query,
    *,
    scope: set[str] | None,
    limit: int,
    offset: int = 0,
    cap: int = 1000,
) -> Hits:
    """The best `limit` matches after `offset`. `scope`: the scope tokens of the units whose
    entries the reader may find (None: the whole campaign)."""
    if not query:
        return Hits([], 0, False)
    alias = router.db_for_read(SearchDocument)
    if connection.vendor == "postgresql":
        # Enough memory that the bitmap of a common pair's 100 000 rows stays exact: a lossy
        # one makes PostgreSQL read and check every row of the pages it lost (4 MB default).
        with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '32MB'")
            return _search_postgres(cursor, kind, campaign_id, _tsquery(query, scope), limit,
                                    offset, cap)  # fmt: skip
    with connections[alias].cursor() as cursor:
        fts, table = _fts_query(campaign_id, query, scope), fts_table(kind)
        cursor.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH %s "
            "ORDER BY rowid DESC LIMIT 1 OFFSET %s",
            [fts, cap],
        )
        past_cap = cursor.fetchone()
        cursor.execute(
            f"""SELECT rowid, count(*) OVER () FROM (
                SELECT rowid, bm25({table}, {", ".join(map(str, FTS_WEIGHTS))}) AS score
                FROM {table} WHERE {table} MATCH %s AND rowid > %s)
            ORDER BY score, rowid DESC LIMIT %s OFFSET %s""",
            [fts, past_cap[0] if past_cap else 0, limit, offset],
        )
        rows = cursor.fetchall()
        return Hits([r[0] for r in rows], rows[0][1] if rows else 0, past_cap is not None)


def _search_postgres(
    cursor: Any, kind: str, campaign_id: int, tsq: str, limit: int, offset: int, cap: int
) -> Hits:
    """The first `cap` matches the GIN index yields, ranked. Asking for the newest instead
    would make PostgreSQL read every match's row to sort them by key (a common pair of
    characters: a hundred thousand rows at a province's size); the first `cap` cost at most
    `cap` rows, and a query that matches fewer is ranked whole."""
    cursor.execute(
        f"""WITH hits AS (
            SELECT id, object_id, tsv FROM {TABLE}
            WHERE kind = %s AND campaign_id = %s AND tsv @@ %s::tsquery LIMIT %s)
        SELECT object_id FROM hits ORDER BY ts_rank(%s, tsv, %s::tsquery) DESC, id DESC""",
        [kind, campaign_id, tsq, cap + 1, RANK_WEIGHTS, tsq],
    )
    ranked = [row[0] for row in cursor.fetchall()]
    capped = len(ranked) > cap
    if capped:  # the one past the cap only tells that there are more
        ranked = ranked[:cap]
    return Hits(ranked[offset : offset + limit], len(ranked), capped)


def matching_ids_sql(kind: str, campaign_id: int, query: Query) -> tuple[str, list[Any]]:
    """SQL for the object ids of every match, uncapped: for `pk__in` under a list's filters
    (which apply the reader's scope themselves)."""
    if connection.vendor == "postgresql":
        return (
            f"SELECT object_id FROM {TABLE} WHERE kind = %s AND campaign_id = %s "
            "AND tsv @@ %s::tsquery",
            [kind, campaign_id, _tsquery(query, None)],
        )
    table = fts_table(kind)
    return (
        f"SELECT rowid FROM {table} WHERE {table} MATCH %s",
        [_fts_query(campaign_id, query, None)],
    )
