"""The import pipeline's reads and writes: dedupe keys, new leads, merges, batches."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from leadchase.store.bulk import bulk_insert, bulk_insert_tuples, padded_lookup, update_by_id
from leadchase.store.models import import_batch_table as batch_table
from leadchase.store.models import lead_key_table as key_table
from leadchase.store.read import event_table, lead_table

# Fields a later file may fill in when the lead we already have left them empty.
FILLABLE = (
    "name", "first_name", "last_name", "phone", "phone_ext", "phone_label", "email", "address",
    "city", "state", "zip", "timezone", "time_zones", "offer", "loan_purpose", "loan_amount",
    "property_value", "credit_rating", "external_id", "consent_at", "consent_url",
    "consent_text", "consent_ip", "note_rate", "closing_date", "birthday", "co_borrower_name",
)  # fmt: skip
# What merging a duplicate into a lead reads of it (records.merge_changes).
MERGED = ("id", *FILLABLE, "lead_date", "sources", "other_phones")
# Lookup chunk size: well under SQLite's bound-parameter limit.
_CHUNK = 900
_FIND_KEYS = f'SELECT "key", lead_id FROM "{key_table.name}" WHERE "key" IN ({{marks}})'  # noqa: S608 - names of ours


def find_keys(connection: Connection, keys: Iterable[str]) -> dict[str, int]:
    wanted = list(dict.fromkeys(keys))
    found: dict[str, int] = {}
    if connection.dialect.name == "sqlite":
        return dict(padded_lookup(connection, _FIND_KEYS, wanted))
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = connection.execute(
            select(key_table.c.key, key_table.c.lead_id).where(key_table.c.key.in_(chunk))
        )
        found.update(rows.all())
    return found


def next_lead_id(connection: Connection) -> int:
    """The id the next new lead gets. Safe because imports hold the write lock for the whole file."""
    return (
        int(connection.execute(select(func.coalesce(func.max(lead_table.c.id), 0))).scalar_one())
        + 1
    )


def insert_leads(connection: Connection, leads: Sequence[Mapping[str, Any]]) -> None:
    bulk_insert(connection, lead_table, leads)


def insert_keys(connection: Connection, keys: Mapping[str, int]) -> None:
    bulk_insert_tuples(connection, key_table, ("key", "lead_id"), list(keys.items()))


def load_leads(connection: Connection, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The fields merging reads (MERGED) of these leads: not the raw rows, the bulk of a lead."""
    wanted = list(set(ids))
    loaded: dict[int, dict[str, Any]] = {}
    columns = [lead_table.c[name] for name in MERGED]
    for start in range(0, len(wanted), _CHUNK):
        rows = connection.execute(
            select(*columns).where(lead_table.c.id.in_(wanted[start : start + _CHUNK]))
        )
        loaded.update({row.id: dict(row._mapping) for row in rows})
    return loaded


def update_lead(connection: Connection, lead_id: int, changes: Mapping[str, Any]) -> None:
    if changes:
        update_by_id(connection, lead_table, lead_id, changes)


def add_events(connection: Connection, events: Sequence[Mapping[str, Any]]) -> None:
    if events:
        connection.execute(insert(event_table), list(events))


def start_batch(connection: Connection, values: Mapping[str, Any]) -> int:
    result = connection.execute(insert(batch_table).values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def finish_batch(connection: Connection, batch_id: int, values: Mapping[str, Any]) -> None:
    connection.execute(update(batch_table).where(batch_table.c.id == batch_id).values(**values))


@dataclass(frozen=True)
class EarlierBatch:
    """A finished import of a file with the same bytes."""

    id: int
    finished_at: datetime | None
    rows: int
    encoding: str
    delimiter: str


def earlier_batch(connection: Connection, sha256: str) -> EarlierBatch | None:
    """The first batch that imported a file with these exact bytes, if any."""
    row = connection.execute(
        select(
            batch_table.c.id,
            batch_table.c.finished_at,
            batch_table.c.rows,
            batch_table.c.encoding,
            batch_table.c.delimiter,
        )
        .where(batch_table.c.file_sha256 == sha256)
        .order_by(batch_table.c.id)
        .limit(1)
    ).first()
    return EarlierBatch(*row) if row else None
