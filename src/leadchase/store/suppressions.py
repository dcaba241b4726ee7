"""Opt-outs and do-not-call entries: who must not get a text, an email or a call."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from leadchase.compliance.optouts import opt_outs_closing
from leadchase.store import read
from leadchase.store.bulk import padded_lookup
from leadchase.store.history_records import Suppression
from leadchase.store.read import suppression_table as table
from leadchase.store.records import Lead

_LIVE = f'FROM "{table.name}" WHERE lifted_at IS NULL AND value IN ({{marks}})'
_LIVE_SCOPES = f"SELECT value, channel {_LIVE}"
_DNC_AMONG = f"SELECT value {_LIVE} AND channel = 'dnc'"


def add(
    connection: Connection,
    value: str,
    *,
    channel: str,
    reason: str,
    now: datetime,
    evidence: str = "",
) -> bool:
    """Suppress a phone or email on a channel; False when it already was."""
    if is_suppressed(connection, value, (channel,)):
        return False
    connection.execute(
        insert(table).values(
            value=value, channel=channel, reason=reason, evidence=evidence, created_at=now
        )
    )
    return True


def is_suppressed(connection: Connection, value: str, channels: Collection[str]) -> bool:
    row = connection.execute(
        select(table.c.id).where(
            table.c.value == value, table.c.channel.in_(list(channels)), table.c.lifted_at.is_(None)
        )
    ).first()
    return row is not None


def live_scopes(connection: Connection, values: Collection[str]) -> dict[str, frozenset[str]]:
    """For each suppressed phone or email among `values`, the scopes of its live entries
    (compliance/optouts.py says which channels they close)."""
    wanted = [v for v in set(values) if v]
    found: dict[str, set[str]] = {}
    if connection.dialect.name == "sqlite":  # the import asks once per batch
        for value, scope in padded_lookup(connection, _LIVE_SCOPES, wanted):
            found.setdefault(value, set()).add(scope)
        return {value: frozenset(scopes) for value, scopes in found.items()}
    for start in range(0, len(wanted), 900):
        rows = connection.execute(
            select(table.c.value, table.c.channel).where(
                table.c.value.in_(wanted[start : start + 900]), table.c.lifted_at.is_(None)
            )
        )
        for value, scope in rows:
            found.setdefault(value, set()).add(scope)
    return {value: frozenset(scopes) for value, scopes in found.items()}


def count_on_dnc(connection: Connection, phones: Collection[str]) -> int:
    """How many of these numbers are on the do-not-call list (for the import summary)."""
    return len(dnc_among(connection, phones))


def add_dnc_many(connection: Connection, numbers: Mapping[str, str], now: datetime) -> None:
    """Put numbers (number -> evidence) on the do-not-call list in one statement.

    The caller has checked they are not listed yet (`dnc_among`): a state's DNC file holds
    hundreds of thousands of numbers, too many for `add` one at a time."""
    from leadchase.store.bulk import bulk_insert_tuples

    bulk_insert_tuples(
        connection,
        table,
        ("value", "channel", "reason", "evidence", "created_at"),
        [(number, "dnc", "dnc", evidence, now) for number, evidence in numbers.items()],
    )


def dnc_among(connection: Connection, phones: Collection[str]) -> set[str]:
    """The numbers among `phones` that are on the do-not-call list now."""
    wanted = sorted(set(phones))
    found: set[str] = set()
    if connection.dialect.name == "sqlite":  # the import asks once per batch
        return {value for (value,) in padded_lookup(connection, _DNC_AMONG, wanted)}
    for start in range(0, len(wanted), 900):
        query = select(table.c.value).where(
            table.c.value.in_(wanted[start : start + 900]),
            table.c.channel == "dnc",
            table.c.lifted_at.is_(None),
        )
        found.update(connection.execute(query).scalars())
    return found


def leads_with_phones(connection: Connection, phones: Sequence[str]) -> list[Lead]:
    """Leads whose texting number is one of these (found through the indexed dedupe keys)."""
    from leadchase.store.models import lead_key_table as keys

    leads = read.lead_table
    found: list[Lead] = []
    for start in range(0, len(phones), 450):
        chunk = list(phones[start : start + 450])
        ids = select(keys.c.lead_id).where(keys.c.key.in_([f"p:{p}" for p in chunk]))
        query = select(*read.LEAD_COLUMNS).where(leads.c.id.in_(ids), leads.c.phone.in_(chunk))
        found.extend(read.lead(row) for row in connection.execute(query.order_by(leads.c.id)))
    return found


def dnc_entries(connection: Connection) -> list[Suppression]:
    query = (
        select(*read.SUPPRESSION_COLUMNS)
        .where(table.c.channel == "dnc", table.c.lifted_at.is_(None))
        .order_by(table.c.created_at, table.c.value)
    )
    return [read.suppression(row) for row in connection.execute(query)]


def lift_dnc(connection: Connection, phone: str, now: datetime) -> int:
    result = connection.execute(
        update(table)
        .where(table.c.value == phone, table.c.channel == "dnc", table.c.lifted_at.is_(None))
        .values(lifted_at=now)
    )
    return result.rowcount


def lift_text_opt_out(connection: Connection, phone: str, now: datetime) -> bool:
    """START after STOP: lift the number's text opt-out (recorded by its lifted_at)."""
    result = connection.execute(
        update(table)
        .where(
            table.c.value == phone,
            table.c.channel.in_(opt_outs_closing("text")),
            table.c.reason == "opt-out",
            table.c.lifted_at.is_(None),
        )
        .values(lifted_at=now)
    )
    return result.rowcount > 0


def lift_hold(connection: Connection, phone: str, now: datetime) -> bool:
    """The officer read a possible opt-out and decided it was not one: texts may go again."""
    result = connection.execute(
        update(table)
        .where(
            table.c.value == phone,
            table.c.reason == "possible-opt-out",
            table.c.lifted_at.is_(None),
        )
        .values(lifted_at=now)
    )
    return result.rowcount > 0
