"""The send run's reads and writes: due automated touches, claims, messages, reconciliation."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from leadchase.store.models import Lead, Message, Touch

touch_table = Touch.__table__  # type: ignore[attr-defined]
lead_table = Lead.__table__  # type: ignore[attr-defined]
message_table = Message.__table__  # type: ignore[attr-defined]


def due_automated(
    connection: Connection, now: datetime, channels: Collection[str], limit: int | None
) -> list[Row[Any]]:
    """Automated touches due by now on the channels the tool sends, never-touched leads first."""
    query = (
        select(
            touch_table.c.id.label("touch_id"),
            touch_table.c.channel,
            touch_table.c.template,
            touch_table.c.step_key,
            touch_table.c.cadence.label("touch_cadence"),
            touch_table.c.day,
            touch_table.c.due_at,
            touch_table.c.outcome.label("touch_outcome"),
            lead_table,
        )
        .select_from(touch_table.join(lead_table, lead_table.c.id == touch_table.c.lead_id))
        .where(
            touch_table.c.status == "planned",
            touch_table.c.automated.is_(True),
            touch_table.c.due_at <= now,
            touch_table.c.channel.in_(list(channels)),
        )
        .order_by(touch_table.c.rank, touch_table.c.due_at, touch_table.c.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(connection.execute(query))


def claim(connection: Connection, touch_id: int, at: datetime) -> bool:
    """Take a planned touch for this run; False when another run (or a reply) got there first."""
    result = connection.execute(
        update(touch_table)
        .where(touch_table.c.id == touch_id, touch_table.c.status == "planned")
        .values(status="claimed", done_at=at)
    )
    return result.rowcount == 1


def add_message(connection: Connection, values: Mapping[str, Any]) -> int:
    result = connection.execute(insert(message_table).values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def update_message(connection: Connection, message_id: int, values: Mapping[str, Any]) -> None:
    connection.execute(
        update(message_table).where(message_table.c.id == message_id).values(**values)
    )


def update_touch(connection: Connection, touch_id: int, values: Mapping[str, Any]) -> None:
    connection.execute(update(touch_table).where(touch_table.c.id == touch_id).values(**values))


def claimed(connection: Connection) -> list[Row[Any]]:
    """Touches a crashed run claimed and never recorded, with their message and lead."""
    query = (
        select(
            touch_table.c.id.label("touch_id"),
            touch_table.c.channel,
            touch_table.c.done_at.label("claimed_at"),
            message_table.c.id.label("message_id"),
            message_table.c.to_address,
            message_table.c.body,
            message_table.c.variant,
            lead_table,
        )
        .select_from(
            touch_table.join(lead_table, lead_table.c.id == touch_table.c.lead_id).outerjoin(
                message_table,
                (message_table.c.touch_id == touch_table.c.id)
                & (message_table.c.status == "claimed"),
            )
        )
        .where(touch_table.c.status == "claimed")
    )
    return list(connection.execute(query))


def previous_texts(connection: Connection, lead_id: int, limit: int = 5) -> list[str]:
    """The lead's last outbound texts, oldest first (so the next text never repeats one)."""
    rows = connection.execute(
        select(message_table.c.body)
        .where(
            message_table.c.lead_id == lead_id,
            message_table.c.direction == "out",
            message_table.c.channel == "text",
            message_table.c.status.notin_(("failed", "retry", "claimed")),
        )
        .order_by(message_table.c.id.desc())
        .limit(limit)
    )
    return [row.body for row in rows][::-1]


def attempt_times(connection: Connection, lead_id: int, since: datetime) -> list[datetime]:
    """Calls and texts made to a lead since `since` (the rolling 24-hour cap counts these)."""
    rows = connection.execute(
        select(touch_table.c.done_at).where(
            touch_table.c.lead_id == lead_id,
            touch_table.c.channel.in_(("call", "text")),
            touch_table.c.status.in_(("done", "sent", "claimed")),
            touch_table.c.done_at >= since,
        )
    )
    return [row.done_at for row in rows]


def channel_attempts(connection: Connection, lead_id: int, channel: str) -> int:
    return int(
        connection.execute(
            select(func.count()).where(
                touch_table.c.lead_id == lead_id,
                touch_table.c.channel == channel,
                touch_table.c.status.in_(("done", "sent")),
            )
        ).scalar_one()
    )


def recent_texts_in_flight(connection: Connection, since: datetime, limit: int) -> list[Row[Any]]:
    """Outbound texts whose delivery is not settled yet, for the status follow-up."""
    return list(
        connection.execute(
            select(message_table)
            .where(
                message_table.c.direction == "out",
                message_table.c.channel == "text",
                message_table.c.provider_id.is_not(None),
                message_table.c.status.in_(("queued", "accepted", "sending", "sent", "scheduled")),
                message_table.c.sent_at >= since,
            )
            .order_by(message_table.c.sent_at)
            .limit(limit)
        )
    )


def unconfirmed_message(connection: Connection, touch_id: int) -> Row[Any] | None:
    """The message an interrupted run claimed for this touch and could not confirm."""
    return connection.execute(
        select(message_table)
        .where(message_table.c.touch_id == touch_id, message_table.c.status == "unconfirmed")
        .order_by(message_table.c.id.desc())
        .limit(1)
    ).first()


def last_inbound_text(connection: Connection, lead_id: int) -> str | None:
    row = connection.execute(
        select(message_table.c.body)
        .where(message_table.c.lead_id == lead_id, message_table.c.direction == "in")
        .order_by(message_table.c.id.desc())
        .limit(1)
    ).first()
    return row.body if row else None


def message_exists(connection: Connection, provider_id: str) -> bool:
    row = connection.execute(
        select(message_table.c.id).where(message_table.c.provider_id == provider_id).limit(1)
    ).first()
    return row is not None


def inbound_messages(connection: Connection, limit: int) -> list[Row[Any]]:
    """Recent inbound texts, newest first, with the lead's name, zone and last touch."""
    query = (
        select(
            message_table.c.lead_id,
            message_table.c.from_address,
            message_table.c.body,
            message_table.c.status,
            message_table.c.created_at,
            lead_table.c.name,
            lead_table.c.timezone,
            lead_table.c.last_touch_at,
        )
        .select_from(
            message_table.outerjoin(lead_table, lead_table.c.id == message_table.c.lead_id)
        )
        .where(message_table.c.direction == "in")
        .order_by(message_table.c.created_at.desc())
        .limit(limit)
    )
    return list(connection.execute(query))
