"""Reads for `stats`, `export` and the call calendar. Nothing here writes.

Stats read one cohort of leads (imported in a period, optionally from one source: a superset of
the leads that arrived in it, which reporting narrows) and the touches, messages and events that
belong to it, each as plain tuples of the columns its docstring names. Each query is one pass
the caller consumes while the connection is open, fetched in batches, so a large cohort or
export streams instead of piling up in memory.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, func, or_, select

from leadchase.store import read
from leadchase.store.officers import owned_by
from leadchase.store.read import (
    LEAD_COLUMNS,
    MESSAGE_COLUMNS,
    TOUCH_COLUMNS,
    event_table,
    lead_table,
    message_table,
    touch_table,
)
from leadchase.store.records import Lead, Message, OfficerScope, Touch

MADE = ("done", "sent")  # a touch that happened: logged by the officer or accepted by a provider
# An outbound message that never reached the lead does not count as sent.
NOT_SENT = ("failed", "undelivered", "claimed", "retry", "unconfirmed", "unknown")
_CHUNK = 900  # ids per IN (...): well under SQLite's bound-parameter limit
_BATCH = 1000  # rows fetched at a time by a streamed query


def _cohort(
    imported_since: datetime | None,
    until: datetime,
    source: str | None,
    officer: OfficerScope | None = None,
) -> list[Any]:
    """Lead conditions: imported in [imported_since, until], from `source` (any case), of
    `officer` (one officer's leads)."""
    conditions = [lead_table.c.imported_at <= until]
    if officer is not None:
        conditions.append(owned_by(officer))
    if imported_since is not None:
        conditions.append(lead_table.c.imported_at >= imported_since)
    if source is not None:
        conditions.append(func.lower(lead_table.c.source) == source.strip().lower())
    return conditions


def _stream(connection: Connection, query: Select[Any]) -> Iterator[Row[Any]]:
    """The query's rows, fetched a batch at a time as the caller walks them. A caller that
    stops early closes the cursor (on PostgreSQL a server-side one) when it drops the rows."""
    result = connection.execute(query.execution_options(yield_per=_BATCH))
    try:
        yield from result
    finally:
        result.close()


def _tuples(connection: Connection, query: Select[Any]) -> Iterator[tuple[Any, ...]]:
    return (tuple(row) for row in _stream(connection, query))


def cohort_leads(
    connection: Connection,
    imported_since: datetime | None,
    until: datetime,
    source: str | None,
    officer: OfficerScope | None = None,
) -> Iterator[tuple[int, str, str, datetime | None, datetime, datetime | None]]:
    """The cohort's leads: id, source, stage, lead_date, imported_at, contacted_at."""
    query = select(
        lead_table.c.id,
        lead_table.c.source,
        lead_table.c.stage,
        lead_table.c.lead_date,
        lead_table.c.imported_at,
        lead_table.c.contacted_at,
    ).where(*_cohort(imported_since, until, source, officer))
    return _tuples(connection, query)


def cohort_touches(
    connection: Connection,
    imported_since: datetime | None,
    until: datetime,
    source: str | None,
    officer: OfficerScope | None = None,
) -> Iterator[tuple[int, str, datetime, str | None]]:
    """Touches made to the cohort's leads: lead_id, channel, done_at, outcome."""
    query = (
        select(
            touch_table.c.lead_id,
            touch_table.c.channel,
            touch_table.c.done_at,
            touch_table.c.outcome,
        )
        .select_from(touch_table.join(lead_table, lead_table.c.id == touch_table.c.lead_id))
        .where(
            touch_table.c.status.in_(MADE),
            touch_table.c.done_at.is_not(None),
            *_cohort(imported_since, until, source, officer),
        )
    )
    return _tuples(connection, query)


def cohort_sent_messages(
    connection: Connection,
    imported_since: datetime | None,
    until: datetime,
    source: str | None,
    officer: OfficerScope | None = None,
) -> Iterator[tuple[int, str, str, int | None, datetime]]:
    """Templated texts and emails that went out to the cohort: lead_id, channel, template,
    variant, sent_at."""
    query = (
        select(
            message_table.c.lead_id,
            message_table.c.channel,
            message_table.c.template,
            message_table.c.variant,
            message_table.c.sent_at,
        )
        .select_from(message_table.join(lead_table, lead_table.c.id == message_table.c.lead_id))
        .where(
            message_table.c.direction == "out",
            message_table.c.template.is_not(None),
            message_table.c.sent_at.is_not(None),
            message_table.c.status.notin_(NOT_SENT),
            *_cohort(imported_since, until, source, officer),
        )
    )
    return _tuples(connection, query)


def cohort_inbound_texts(
    connection: Connection,
    imported_since: datetime | None,
    until: datetime,
    source: str | None,
    officer: OfficerScope | None = None,
) -> Iterator[tuple[int, datetime, str]]:
    """Texts the cohort's leads sent us: lead_id, created_at, status (the kind of reply)."""
    query = (
        select(message_table.c.lead_id, message_table.c.created_at, message_table.c.status)
        .select_from(message_table.join(lead_table, lead_table.c.id == message_table.c.lead_id))
        .where(
            message_table.c.direction == "in",
            message_table.c.created_at.is_not(None),
            *_cohort(imported_since, until, source, officer),
        )
    )
    return _tuples(connection, query)


def cohort_events(
    connection: Connection,
    imported_since: datetime | None,
    until: datetime,
    source: str | None,
    officer: OfficerScope | None,
    kinds: Collection[str],
) -> Iterator[tuple[int, datetime, str, str]]:
    """Timeline events of some kinds for the cohort, oldest first: lead_id, at, kind, detail."""
    query = (
        select(event_table.c.lead_id, event_table.c.at, event_table.c.kind, event_table.c.detail)
        .select_from(event_table.join(lead_table, lead_table.c.id == event_table.c.lead_id))
        .where(
            event_table.c.kind.in_(list(kinds)),
            event_table.c.at.is_not(None),
            *_cohort(imported_since, until, source, officer),
        )
        .order_by(event_table.c.at, event_table.c.id)
    )
    return _tuples(connection, query)


# -- exports --------------------------------------------------------------------------------

_EXPORTS = {"leads": lead_table, "touches": touch_table, "messages": message_table}


def export_rows(
    connection: Connection, kind: str, columns: Collection[str]
) -> Iterator[dict[str, Any]]:
    """Every row of one table (leads, touches or messages) in id order, fetched in batches.

    Each row is a dict from each of `columns` the table has to its stored value (datetimes
    aware, JSON decoded). Touches and messages also carry "lead_name", their lead's name, so a
    spreadsheet needs no lookup.
    """
    table = _EXPORTS[kind]
    chosen = [table.c[name] for name in columns if name in table.c]
    query: Select[Any]
    if kind == "leads":
        query = select(*chosen)
    else:
        query = select(*chosen, lead_table.c.name.label("lead_name")).select_from(
            table.outerjoin(lead_table, lead_table.c.id == table.c.lead_id)
        )
    return (dict(row._mapping) for row in _stream(connection, query.order_by(table.c.id)))


# -- the call calendar ----------------------------------------------------------------------


def leads_with_calls_ahead(
    connection: Connection, started_after: Mapping[str, datetime]
) -> Iterator[Lead]:
    """Leads with a phone on a cadence whose calls are not all behind them.

    `started_after` maps each cadence to the earliest start that can still have a call to come,
    so leads whose cadence's calls all fell in the past are never read.
    """
    if not started_after:
        return iter(())
    query = select(*LEAD_COLUMNS).where(
        lead_table.c.phone.is_not(None),
        lead_table.c.phone != "",
        or_(
            *(
                and_(lead_table.c.cadence == name, lead_table.c.cadence_started_at >= earliest)
                for name, earliest in started_after.items()
            )
        ),
    )
    return (read.lead(row) for row in _stream(connection, query.order_by(lead_table.c.id)))


def call_touches(connection: Connection, lead_ids: Collection[int]) -> list[Touch]:
    """The leads' cadence calls made or open (not cancelled)."""
    wanted = list(lead_ids)
    touches: list[Touch] = []
    for start in range(0, len(wanted), _CHUNK):
        touches.extend(
            read.touch(row)
            for row in connection.execute(
                select(*TOUCH_COLUMNS).where(
                    touch_table.c.lead_id.in_(wanted[start : start + _CHUNK]),
                    touch_table.c.channel == "call",
                    touch_table.c.step_key != "",
                    touch_table.c.status != "cancelled",
                )
            )
        )
    return touches


def automated_texts_since(connection: Connection, since: datetime) -> list[tuple[Message, Lead]]:
    """Every automated text that went out since `since`, with its lead (compliance report)."""
    messages, touches, leads = message_table, touch_table, lead_table
    query = (
        select(*MESSAGE_COLUMNS, *LEAD_COLUMNS)
        .select_from(
            messages.join(touches, touches.c.id == messages.c.touch_id).join(
                leads, leads.c.id == messages.c.lead_id
            )
        )
        .where(
            messages.c.direction == "out",
            messages.c.channel == "text",
            touches.c.automated.is_(True),
            messages.c.sent_at.is_not(None),
            messages.c.sent_at >= since,
            messages.c.status.notin_(("failed", "claimed", "retry", "unconfirmed")),
        )
        .order_by(messages.c.sent_at)
    )
    size = len(MESSAGE_COLUMNS)
    return [(read.message(row), read.lead(row[size:])) for row in connection.execute(query)]
