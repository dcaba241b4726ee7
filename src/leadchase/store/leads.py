"""Finding, listing and updating leads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, or_, select, update

from leadchase.store.models import Event, Lead, Message

lead_table = Lead.__table__  # type: ignore[attr-defined]
event_table = Event.__table__  # type: ignore[attr-defined]
message_table = Message.__table__  # type: ignore[attr-defined]


def get(connection: Connection, lead_id: int) -> Row[Any] | None:
    return connection.execute(select(lead_table).where(lead_table.c.id == lead_id)).first()


def by_key(connection: Connection, phone: str | None, email: str | None) -> list[Row[Any]]:
    """Leads known by this phone (any of their numbers) or this email."""
    from leadchase.store.models import LeadKey

    keys = LeadKey.__table__  # type: ignore[attr-defined]
    wanted = [f"p:{phone}"] if phone else []
    if email:
        wanted.append(f"e:{email}")
    if not wanted:
        return []
    ids = select(keys.c.lead_id).where(keys.c.key.in_(wanted))
    return list(connection.execute(select(lead_table).where(lead_table.c.id.in_(ids)).limit(5)))


def search(
    connection: Connection,
    *,
    text: str = "",
    stage: str | None = None,
    source: str | None = None,
    limit: int = 50,
) -> tuple[list[Row[Any]], int]:
    conditions = []
    if text:
        conditions.append(_matching(text))
    if stage:
        conditions.append(lead_table.c.stage == stage)
    if source:
        conditions.append(lead_table.c.source.ilike(source))
    query = select(lead_table).where(*conditions)
    rows = list(connection.execute(query.order_by(lead_table.c.id.desc()).limit(limit)))
    total = connection.execute(select(func.count()).select_from(lead_table).where(*conditions))
    return rows, int(total.scalar_one())


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


def add_event(connection: Connection, lead_id: int, at: datetime, kind: str, detail: str) -> None:
    connection.execute(insert(event_table).values(lead_id=lead_id, at=at, kind=kind, detail=detail))


def events(connection: Connection, lead_id: int) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(event_table).where(event_table.c.lead_id == lead_id).order_by(event_table.c.at)
        )
    )


def messages(connection: Connection, lead_id: int) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(message_table)
            .where(message_table.c.lead_id == lead_id)
            .order_by(message_table.c.created_at)
        )
    )


def many(connection: Connection, ids: Sequence[int]) -> list[Row[Any]]:
    return list(connection.execute(select(lead_table).where(lead_table.c.id.in_(list(ids)))))
