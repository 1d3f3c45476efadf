"""Fast bulk inserts (the demo, imports): COPY on PostgreSQL, executemany on SQLite.

Django's bulk_create spends most of its time preparing each value; the demo and a city-sized
import write hundreds of thousands of rows, so they hand plain tuples to the driver instead.
"""

import datetime as dt
import itertools
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Model
from psycopg.copy import QueuedLibpqWriter


def _for_sqlite(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def insert_rows(
    model: type[Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Insert plain tuples in one statement.

    `rows` may be a generator: PostgreSQL then stores each row while the generator works out
    the next (an import checks its file while the rows already checked are being written), so
    the generator must not query the database, whose connection is busy with the COPY. A
    generator's JSON columns are found from its first row.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_sql = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor.cursor, f"COPY {table} ({column_sql}) FROM STDIN", rows)
            return
        listed = rows if isinstance(rows, list) else list(rows)
        if listed:
            cursor.executemany(
                f"INSERT INTO {table} ({column_sql}) VALUES ({_placeholders(columns)})",
                _sqlite_rows(listed),
            )


def _copy(cursor: Any, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """COPY, with the data sent by a second thread: the server stores one batch while this
    thread formats the next."""
    if isinstance(rows, list):
        if not rows:
            return
        json_columns = _columns_holding(rows, dict)
    else:
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return
        json_columns = [i for i, value in enumerate(first) if isinstance(value, dict)]
        rows = itertools.chain([first], rows)
    with cursor.copy(sql, writer=QueuedLibpqWriter(cursor)) as copy:
        if not json_columns:
            for row in rows:
                copy.write_row(row)
            return
        for row in rows:
            values = list(row)
            for i in json_columns:
                value = values[i]
                if value is not None:  # None stays NULL
                    values[i] = json.dumps(value, ensure_ascii=False) if value else "{}"
            copy.write_row(values)


def _columns_holding(rows: list[tuple[Any, ...]], *types: type) -> list[int]:
    """Each column holds one type (the callers build them so): its first value decides."""
    found = []
    for i in range(len(rows[0])):
        first = next((row[i] for row in rows if row[i] is not None), None)
        if isinstance(first, types):
            found.append(i)
    return found


def _sqlite_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Convert only the columns that hold dates, times or JSON; the rest go as they are."""
    needs = _columns_holding(rows, dt.date, dict)
    if not needs:
        return rows
    # A bulk write repeats a few values (one time of writing, a few hundred deadlines, empty
    # data): convert each once.
    done: dict[Any, Any] = {}
    converted = []
    for row in rows:
        values = list(row)
        for i in needs:
            value = values[i]
            if isinstance(value, dict):
                values[i] = _for_sqlite(value) if value else "{}"
                continue
            hit = done.get(value)
            if hit is None:
                hit = done[value] = _for_sqlite(value)
            values[i] = hit
        converted.append(tuple(values))
    return converted


def next_id(model: type[Model]) -> int:
    """The first free primary key, for rows inserted with explicit ids."""
    last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


# Ids others may take between our two sequence calls below: far fewer than this in the
# microseconds between them.
_RESERVE_MARGIN = 1000


def reserve_ids(model: type[Model], count: int) -> int:
    """The first of `count` consecutive ids that no other writer will take, for rows inserted
    with explicit ids while others insert theirs (a large import beside people's work).

    PostgreSQL: the sequence is moved past the range at once, so a problem recorded during a
    long import gets an id after it. SQLite lets one writer at a time, so the first free id
    is enough (and the sequence follows the rows by itself).
    """
    if connection.vendor != "postgresql":
        return next_id(model)
    sequence = "pg_get_serial_sequence(%s, %s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval({sequence}, nextval({sequence}) + %s)",
            [model._meta.db_table, model._meta.pk.column] * 2 + [_RESERVE_MARGIN + count],
        )
        (last,) = cursor.fetchone()
    return int(last) - count + 1


def reset_sequences(*models: type[Model]) -> None:
    """After explicit ids, move PostgreSQL's sequences past them (a no-op on SQLite)."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


def insert_with_child(
    parent: Model,
    child: Model,
    link: str,
    *,
    also: tuple[type[Model], str, dict[str, Any]] | None = None,
) -> None:
    """Insert a new row and one new row pointing at it (its `link` field) in one statement;
    `also` (model, column, values): a third row, with the parent's key in `column`.

    PostgreSQL only (SQLite has no INSERT inside WITH). One round trip instead of four (BEGIN,
    two INSERTs, COMMIT), atomic without a transaction: under a burst of submissions each round
    trip is another wait for the scheduler on a busy machine. Sets both rows' primary keys.
    """
    quote = connection.ops.quote_name
    parent_key, child_key = _column(parent._meta.pk), _column(child._meta.pk)
    link_field: Any = child._meta.get_field(link)
    parent_columns, parent_params = _column_values(parent, exclude=())
    child_columns, child_params = _column_values(child, exclude=(link_field.attname,))
    link_column = _column(link_field)
    third, third_params = "", []
    if also is not None:
        model, column, values = also
        names = ", ".join(quote(name) for name in [column, *values])
        third = (
            f", third AS (INSERT INTO {quote(model._meta.db_table)} ({names}) "
            f"VALUES ((SELECT {parent_key} FROM parent), {_placeholders(list(values))})) "
        )
        third_params = list(values.values())
    sql = (
        f"WITH parent AS (INSERT INTO {quote(parent._meta.db_table)} ({parent_columns}) "
        f"VALUES ({_placeholders(parent_params)}) RETURNING {parent_key}){third} "
        f"INSERT INTO {quote(child._meta.db_table)} ({link_column}, {child_columns}) "
        f"VALUES ((SELECT {parent_key} FROM parent), {_placeholders(child_params)}) "
        f"RETURNING {child_key}, {link_column}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*parent_params, *third_params, *child_params])
        child.pk, parent.pk = cursor.fetchone()
    for row in (parent, child):
        row._state.adding, row._state.db = False, connection.alias
    setattr(child, link, parent)


def _column_values(row: Model, exclude: Sequence[str]) -> tuple[str, list[Any]]:
    """The quoted columns of a new row (all but its primary key) and their database values."""
    fields = [
        f for f in row._meta.concrete_fields if not f.primary_key and f.attname not in exclude
    ]
    columns = ", ".join(_column(f) for f in fields)
    return columns, [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]


def _column(field: Any) -> str:
    return connection.ops.quote_name(field.column)


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))
