"""Fast bulk inserts for imports: the hot path of a 100,000-row file.

SQLAlchemy's executemany builds and type-processes a parameter dict per row, which costs more
than SQLite's insert itself. On SQLite we convert values the same way SQLAlchemy's column types
would (naive-UTC datetime strings, JSON text, 0/1 booleans) and hand tuples straight to the
driver. On PostgreSQL the same tuples stream in through COPY (psycopg's copy), with JSON as
text; times may be aware datetimes or the naive-UTC text above, which the server reads in the
session's UTC.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Date, Table, bindparam, insert, update

from leadchase.store.types import UTCDateTime

Converter = Callable[[Any], Any]


def utc_text(value: datetime | str | None) -> str | None:
    # Exactly SQLAlchemy's SQLite storage format ("2026-03-02 18:00:00.000000"), so string
    # comparisons in SQL stay right.
    if value is None or isinstance(value, str):  # str: already converted by the caller
        return value
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database; pass an aware one")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# What JSON text escapes in a string (ensure_ascii off): a string without any is its own body.
_ESCAPED = re.compile(r'["\\\x00-\x1f]')


class JsonText(str):
    """A JSON column's value already encoded, stored as it is (the import's raw rows)."""


def json_object_encoder(keys: Sequence[str]) -> Callable[[Sequence[str]], JsonText]:
    """The JSON text of `dict(zip(keys, values))` for many rows of string values, the same text
    the JSON columns store: a row as long as `keys` and holding nothing to escape (nearly every
    row) is poured into a template made once; any other row goes through the encoder."""
    width = len(keys)
    template = (
        "{" + ",".join(_encode(key).replace("%", "%%") + ':"%s"' for key in keys) + "}"
        if len(set(keys)) == width  # a repeated key keeps only one value in a dict
        else None
    )

    def encode(values: Sequence[str]) -> JsonText:
        if template is not None and len(values) == width and not _ESCAPED.search("".join(values)):
            return JsonText(template % tuple(values))
        return JsonText(_encode(dict(zip(keys, values, strict=False))))

    return encode


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if type(value) is JsonText:
        return str(value)  # the driver binds a plain str faster than a subclass
    # A new lead's sources: one name, which seldom holds anything to escape.
    one = type(value) is list and len(value) == 1 and type(value[0]) is str
    if one and not _ESCAPED.search(value[0]):
        return f'["{value[0]}"]'
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    return _encode(value)


def _flag(value: Any) -> int | None:
    return None if value is None else int(bool(value))


def _day_text(value: date | None) -> str | None:
    return None if value is None else value.isoformat()  # SQLAlchemy's SQLite Date format


def _converter(column: Any) -> Converter | None:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return utc_text
    if isinstance(kind, Date):
        return _day_text
    if isinstance(kind, JSON):
        return _json_text
    if isinstance(kind, Boolean):
        return _flag
    return None


_plans: dict[tuple[str, tuple[str, ...]], tuple[str, list[tuple[int, Converter]]]] = {}

# Values per padded lookup: under SQLite's old limit of 999 bound parameters.
LOOKUP_CHUNK = 900
_MARKS = ", ".join("?" * LOOKUP_CHUNK)


def padded_lookup(connection: Connection, sql: str, values: Sequence[Any]) -> list[Any]:
    """The rows of `sql` on SQLite, whose `IN ({marks})` takes the values a chunk at a time.

    Every chunk is padded with NULLs to the same length, so the statement's text never
    changes and the driver prepares it once for a whole import (SQLAlchemy would compile a
    new IN list for every chunk). NULL matches nothing in an IN list."""
    driver = connection.connection.driver_connection
    assert driver is not None
    statement = sql.format(marks=_MARKS)
    found: list[Any] = []
    for start in range(0, len(values), LOOKUP_CHUNK):
        chunk = [*values[start : start + LOOKUP_CHUNK]]
        chunk += [None] * (LOOKUP_CHUNK - len(chunk))
        found += driver.execute(statement, chunk).fetchall()
    return found


def bulk_insert(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows that all have the same keys."""
    if not rows:
        return
    names = tuple(rows[0])
    pick = itemgetter(*names)
    tuples = [pick(row) for row in rows] if len(names) > 1 else [(row[names[0]],) for row in rows]
    bulk_insert_tuples(connection, table, names, tuples)


def bulk_insert_tuples(
    connection: Connection,
    table: Table,
    names: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
    *,
    stored: bool = False,
) -> None:
    """Insert rows given as tuples in the order of `names`. `stored`: every value is already
    in a form both drivers store as they are (times as utc_text, JSON as text, flags as
    bools), so no value is looked at again (the import's touches: 3 a lead)."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        _copy_tuples(connection, table, names, rows, stored)
    elif connection.dialect.name == "sqlite":
        _insert_tuples(connection, table, names, rows, stored)
    else:
        connection.execute(insert(table), [dict(zip(names, row, strict=True)) for row in rows])


def _insert_tuples(
    connection: Connection,
    table: Table,
    names: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
    stored: bool,
) -> None:
    plan = _plans.get((table.name, names))
    if plan is None:
        columns = ", ".join(f'"{name}"' for name in names)
        marks = ", ".join("?" for _ in names)
        sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})'  # noqa: S608 - names come from the table
        converters = [(i, c) for i, name in enumerate(names) if (c := _converter(table.c[name]))]
        plan = _plans[(table.name, names)] = (sql, converters)
    sql, converters = plan
    if converters and not stored:
        # A batch's rows mostly share their import time: each time converted once.
        converters = [(i, _remembering(c) if c is utc_text else c) for i, c in converters]
        converted = []
        for row in rows:
            values = list(row)
            for index, convert in converters:
                values[index] = convert(values[index])
            converted.append(tuple(values))
        rows = converted
    connection.exec_driver_sql(sql, list(rows))


def update_by_id(
    connection: Connection, table: Table, row_id: int, changes: Mapping[str, Any]
) -> None:
    """Set some columns of one row. On SQLite straight through the driver, with the values
    converted as an insert's are: the import updates every lead a file merges into, and
    SQLAlchemy would compile an UPDATE for each."""
    if connection.dialect.name != "sqlite":
        connection.execute(update(table).where(table.c.id == row_id).values(**changes))
        return
    names = tuple(changes)
    settings = ", ".join(f'"{name}" = ?' for name in names)
    values = list(changes.values())
    for index, name in enumerate(names):
        if convert := _converter(table.c[name]):
            values[index] = convert(values[index])
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(f'UPDATE "{table.name}" SET {settings} WHERE id = ?', [*values, row_id])  # noqa: S608 - names come from the table


def update_many(
    connection: Connection, table: Table, updates: Sequence[tuple[int, Mapping[str, Any]]]
) -> None:
    """Set some columns of many rows by id: one executemany for each set of columns changed
    (the send run records a batch of texts so). On SQLite straight through the driver, the
    values converted as update_by_id's are."""
    groups: dict[tuple[str, ...], list[tuple[int, Mapping[str, Any]]]] = {}
    for row_id, changes in updates:
        groups.setdefault(tuple(changes), []).append((row_id, changes))
    for names, rows in groups.items():
        if connection.dialect.name == "sqlite":
            _update_rows(connection, table, names, rows)
            continue
        statement = (
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values({name: bindparam(f"new_{name}", type_=table.c[name].type) for name in names})
        )
        connection.execute(
            statement,
            [
                {"row_id": row_id, **{f"new_{name}": changes[name] for name in names}}
                for row_id, changes in rows
            ],
        )


def _update_rows(
    connection: Connection,
    table: Table,
    names: tuple[str, ...],
    rows: list[tuple[int, Mapping[str, Any]]],
) -> None:
    converters = [(name, _converter(table.c[name])) for name in names]
    settings = ", ".join(f'"{name}" = ?' for name in names)
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.executemany(
        f'UPDATE "{table.name}" SET {settings} WHERE id = ?',  # noqa: S608 - names come from the table
        [
            [
                *(
                    convert(changes[name]) if convert else changes[name]
                    for name, convert in converters
                ),
                row_id,
            ]
            for row_id, changes in rows
        ],
    )


def _remembering(convert: Converter) -> Converter:
    """`convert`, answering at once when given the very value it was given last."""
    last: list[Any] = [object(), None]

    def run(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return run


def _aware_or_text(value: datetime | str | None) -> datetime | str | None:
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError("naive datetime given to the database; pass an aware one")
    return value


def _truth(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _pg_converter(column: Any) -> Converter | None:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return _aware_or_text
    if isinstance(kind, JSON):
        return _json_text
    if isinstance(kind, Boolean):
        return _truth
    return None


def _copy_tuples(
    connection: Connection,
    table: Table,
    names: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
    stored: bool,
) -> None:
    columns = ", ".join(f'"{name}"' for name in names)
    converters = (
        []
        if stored
        else [(i, c) for i, name in enumerate(names) if (c := _pg_converter(table.c[name]))]
    )
    driver = connection.connection.driver_connection
    assert driver is not None
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy,
    ):
        for row in rows:
            if converters:
                values = list(row)
                for index, convert in converters:
                    values[index] = convert(values[index])
                row = tuple(values)
            copy.write_row(row)
    if "id" in names:
        reset_sequence(connection, table.name)


def reset_sequence(connection: Connection, table_name: str) -> None:
    """After rows came in with their ids given (an import numbers its leads itself, `db copy`
    keeps every id), move PostgreSQL's id sequence past the largest, so the next row the
    database numbers does not collide."""
    connection.exec_driver_sql(
        f"SELECT setval(pg_get_serial_sequence('\"{table_name}\"', 'id'), "  # noqa: S608 - a table name of ours
        f'coalesce((SELECT max(id) FROM "{table_name}"), 0) + 1, false)'
    )
