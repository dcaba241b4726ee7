"""Finding, listing and updating leads."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update

from leadchase.store import read
from leadchase.store.bulk import update_many
from leadchase.store.history_records import Event, StageChange
from leadchase.store.read import (
    LEAD_COLUMNS,
    STAGE_CHANGE_COLUMNS,
    event_table,
    lead_table,
    message_table,
    stage_change_table,
)
from leadchase.store.records import Lead, Message, OfficerScope


def get(connection: Connection, lead_id: int) -> Lead | None:
    row = connection.execute(select(*LEAD_COLUMNS).where(lead_table.c.id == lead_id)).first()
    return read.lead(row) if row is not None else None


def raw_columns(connection: Connection, lead_id: int) -> dict[str, Any]:
    """The lead's row as the vendor's file had it (`show` prints it; Lead leaves it out)."""
    value = connection.execute(
        select(lead_table.c.raw).where(lead_table.c.id == lead_id)
    ).scalar_one_or_none()
    return dict(value or {})


def by_key(connection: Connection, phone: str | None, email: str | None) -> list[Lead]:
    """Leads known by this phone (any of their numbers) or this email."""
    from leadchase.store.models import lead_key_table as keys

    wanted = [f"p:{phone}"] if phone else []
    if email:
        wanted.append(f"e:{email}")
    if not wanted:
        return []
    ids = select(keys.c.lead_id).where(keys.c.key.in_(wanted))
    query = select(*LEAD_COLUMNS).where(lead_table.c.id.in_(ids)).limit(5)
    return [read.lead(row) for row in connection.execute(query)]


def search(
    connection: Connection,
    *,
    text: str = "",
    stage: str | None = None,
    source: str | None = None,
    stale_stages: Collection[str] | None = None,
    limit: int = 50,
    scope: OfficerScope | None = None,
) -> tuple[list[Lead], int]:
    """Leads matching all the filters given, newest first, and how many match in all.

    With `stale_stages`: only leads in those stages that have nothing planned (see
    touches.nothing_to_come)."""
    from leadchase.store.officers import owned_by
    from leadchase.store.touches import nothing_to_come

    conditions = []
    if stale_stages is not None:
        conditions.append(nothing_to_come(stale_stages))
    if text:
        conditions.append(_matching(text))
    if stage:
        conditions.append(lead_table.c.stage == stage)
    if source:
        conditions.append(lead_table.c.source.ilike(source))
    if scope is not None:
        conditions.append(owned_by(scope))
    query = select(*LEAD_COLUMNS).where(*conditions)
    found = connection.execute(query.order_by(lead_table.c.id.desc()).limit(limit))
    total = connection.execute(select(func.count()).select_from(lead_table).where(*conditions))
    return [read.lead(row) for row in found], int(total.scalar_one())


def _matching(text: str) -> Any:
    """A name (any case, any accents), part of an email or phone, or "#7"."""
    from leadchase.lead_search import lead_number, name_pattern, phone_digits

    pattern = f"%{text.strip()}%"
    matches = [
        lead_table.c.name.regexp_match(name_pattern(text)),
        lead_table.c.email.ilike(pattern),
        lead_table.c.phone.like(pattern),
    ]
    digits = phone_digits(text)
    if digits is not None:
        matches.append(lead_table.c.phone.like(f"%{digits}%"))
    if text.strip().startswith("#") and (lead_id := lead_number(text)) is not None:
        matches.append(lead_table.c.id == lead_id)
    return or_(*matches)


def update_lead(connection: Connection, lead_id: int, values: Mapping[str, Any]) -> None:
    connection.execute(update(lead_table).where(lead_table.c.id == lead_id).values(**values))


def update_leads(connection: Connection, updates: Sequence[tuple[int, Mapping[str, Any]]]) -> None:
    """update_lead for many leads, a statement for each set of columns."""
    update_many(connection, lead_table, updates)


def add_event(connection: Connection, lead_id: int, at: datetime, kind: str, detail: str) -> None:
    connection.execute(insert(event_table).values(lead_id=lead_id, at=at, kind=kind, detail=detail))


def events(connection: Connection, lead_id: int) -> list[Event]:
    query = (
        select(*read.EVENT_COLUMNS)
        .where(event_table.c.lead_id == lead_id)
        .order_by(event_table.c.at)
    )
    return [read.event(row) for row in connection.execute(query)]


def messages(connection: Connection, lead_id: int) -> list[Message]:
    query = (
        select(*read.MESSAGE_COLUMNS)
        .where(message_table.c.lead_id == lead_id)
        .order_by(message_table.c.created_at)
    )
    return [read.message(row) for row in connection.execute(query)]


def add_stage_change(connection: Connection, values: Mapping[str, Any]) -> None:
    connection.execute(insert(stage_change_table).values(**values))


def stage_changes(connection: Connection, lead_id: int) -> list[StageChange]:
    """The lead's stage history, oldest first (by when each move happened)."""
    query = (
        select(*STAGE_CHANGE_COLUMNS)
        .where(stage_change_table.c.lead_id == lead_id)
        .order_by(stage_change_table.c.at, stage_change_table.c.id)
    )
    return [read.stage_change(row) for row in connection.execute(query)]


def quiet_since(connection: Connection, stage: str, since: datetime) -> list[int]:
    """Leads in `stage` that have neither replied nor entered it (their cadence's start)
    since `since`."""
    query = select(lead_table.c.id).where(
        lead_table.c.stage == stage,
        lead_table.c.stage != "new",  # what ix_lead_in_play (partial) holds
        or_(lead_table.c.replied_at.is_(None), lead_table.c.replied_at < since),
        or_(lead_table.c.cadence_started_at.is_(None), lead_table.c.cadence_started_at < since),
    )
    return [int(row[0]) for row in connection.execute(query.order_by(lead_table.c.id))]
