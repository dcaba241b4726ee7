"""The send run's reads and writes: due automated touches, claims, messages, reconciliation."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from leadchase.contact.channels import SOLICITATIONS
from leadchase.store import read
from leadchase.store.bulk import update_many
from leadchase.store.history_records import ClaimedTouch, LeadMessage
from leadchase.store.read import (
    LEAD_COLUMNS,
    MESSAGE_COLUMNS,
    TOUCH_COLUMNS,
    lead_table,
    message_table,
    touch_table,
)
from leadchase.store.records import NOTHING_SENT, DueTouch, Message, Sent
from leadchase.store.touches import due_touch


def due_automated(
    connection: Connection, now: datetime, channels: Collection[str], limit: int | None
) -> list[DueTouch]:
    """Automated touches due by now on the channels the tool sends, never-touched leads first."""
    query = (
        select(*TOUCH_COLUMNS, *LEAD_COLUMNS)
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
    return [due_touch(row) for row in connection.execute(query)]


def claim(connection: Connection, touch_id: int, at: datetime) -> bool:
    """Take a planned touch for this run; False when another run (or a reply) got there first."""
    return touch_id in claim_many(connection, [touch_id], at)


def claim_many(connection: Connection, touch_ids: Collection[int], at: datetime) -> set[int]:
    """Take these touches for this run, those still planned: their ids. Run inside a writing
    transaction, which holds the writer's lock, so what is read is what gets claimed."""
    wanted = list(touch_ids)
    taken = {
        touch_id
        for (touch_id,) in connection.execute(
            select(touch_table.c.id).where(
                touch_table.c.id.in_(wanted), touch_table.c.status == "planned"
            )
        )
    }
    if taken:
        connection.execute(
            update(touch_table)
            .where(touch_table.c.id.in_(sorted(taken)), touch_table.c.status == "planned")
            .values(status="claimed", done_at=at)
        )
    return taken


def add_claimed_messages(
    connection: Connection, messages: Sequence[Mapping[str, Any]]
) -> dict[int, int]:
    """Insert the claimed messages of claimed touches (the same keys each) in one statement:
    the message id of each touch id."""
    if not messages:
        return {}
    connection.execute(insert(message_table), [dict(message) for message in messages])
    touch_ids = [message["touch_id"] for message in messages]
    rows = connection.execute(
        select(message_table.c.touch_id, func.max(message_table.c.id))
        .where(message_table.c.touch_id.in_(touch_ids), message_table.c.status == "claimed")
        .group_by(message_table.c.touch_id)
    )
    return {int(touch_id): int(message_id) for touch_id, message_id in rows}


def release(
    connection: Connection, touch_ids: Collection[int], message_ids: Collection[int]
) -> None:
    """Give back claims whose texts were never handed to the provider: the touches are planned
    again and their claimed messages go, as if this run had not taken them."""
    if message_ids:
        connection.execute(delete(message_table).where(message_table.c.id.in_(list(message_ids))))
    if touch_ids:
        connection.execute(
            update(touch_table)
            .where(touch_table.c.id.in_(list(touch_ids)), touch_table.c.status == "claimed")
            .values(status="planned", done_at=None)
        )


def add_message(connection: Connection, values: Mapping[str, Any]) -> int:
    result = connection.execute(insert(message_table).values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def update_message(connection: Connection, message_id: int, values: Mapping[str, Any]) -> None:
    connection.execute(
        update(message_table).where(message_table.c.id == message_id).values(**values)
    )


def update_messages(
    connection: Connection, updates: Sequence[tuple[int, Mapping[str, Any]]]
) -> None:
    """update_message for many messages, in one statement for each set of keys."""
    update_many(connection, message_table, updates)


def update_touch(connection: Connection, touch_id: int, values: Mapping[str, Any]) -> None:
    connection.execute(update(touch_table).where(touch_table.c.id == touch_id).values(**values))


def claimed(connection: Connection) -> list[ClaimedTouch]:
    """Touches a crashed run claimed and never recorded, with their lead and claimed message."""
    query = (
        select(*TOUCH_COLUMNS, *LEAD_COLUMNS, *MESSAGE_COLUMNS)
        .select_from(
            touch_table.join(lead_table, lead_table.c.id == touch_table.c.lead_id).outerjoin(
                message_table,
                (message_table.c.touch_id == touch_table.c.id)
                & (message_table.c.status == "claimed"),
            )
        )
        .where(touch_table.c.status == "claimed")
    )
    found = []
    for row in connection.execute(query):
        touch, lead = read.touch_and_lead(row)
        rest = row[read.AFTER_TOUCH_AND_LEAD :]
        found.append(ClaimedTouch(touch, lead, read.message(rest) if rest[0] is not None else None))
    return found


def sent_to(connection: Connection, lead_id: int) -> Sent:
    """Every text and email that went to the lead, oldest first (so no wording is sent twice).

    A message that failed or was never confirmed sent did not reach the lead and does not count.
    """
    return sent_to_of(connection, [lead_id]).get(lead_id, NOTHING_SENT)


def sent_to_of(connection: Connection, lead_ids: Collection[int]) -> dict[int, Sent]:
    """sent_to for each of these leads that got anything, in one query per 900."""
    wanted = sorted(set(lead_ids))
    bodies: dict[int, list[str]] = {}
    subjects: dict[int, list[str]] = {}
    for start in range(0, len(wanted), 900):
        rows = connection.execute(
            select(message_table.c.lead_id, message_table.c.subject, message_table.c.body)
            .where(
                message_table.c.lead_id.in_(wanted[start : start + 900]),
                message_table.c.direction == "out",
                message_table.c.status.notin_(("failed", "retry", "claimed")),
            )
            .order_by(message_table.c.id)
        )
        for lead_id, subject, body in rows:
            bodies.setdefault(lead_id, []).append(body)
            if subject:
                subjects.setdefault(lead_id, []).append(subject)
    return {
        lead_id: Sent(bodies=tuple(got), subjects=tuple(subjects.get(lead_id, ())))
        for lead_id, got in bodies.items()
    }


def attempt_times(connection: Connection, lead_id: int, since: datetime) -> list[datetime]:
    """Calls and texts made to a lead since `since` (the rolling 24-hour cap counts these)."""
    return attempt_times_of(connection, [lead_id], since).get(lead_id, [])


def attempt_times_of(
    connection: Connection, lead_ids: Collection[int], since: datetime
) -> dict[int, list[datetime]]:
    """Each lead's calls and texts since `since`, by hand or automated, in one query per 900."""
    wanted = sorted(set(lead_ids))
    found: dict[int, list[datetime]] = {}
    for start in range(0, len(wanted), 900):
        rows = connection.execute(
            select(touch_table.c.lead_id, touch_table.c.done_at).where(
                touch_table.c.lead_id.in_(wanted[start : start + 900]),
                touch_table.c.channel.in_(SOLICITATIONS),
                touch_table.c.status.in_(("done", "sent", "claimed")),
                touch_table.c.done_at >= since,
            )
        )
        for lead_id, done_at in rows:
            found.setdefault(lead_id, []).append(done_at)
    return found


def channel_attempts(connection: Connection, lead_id: int, channel: str) -> int:
    return channel_attempts_of(connection, [lead_id], channel).get(lead_id, 0)


def channel_attempts_of(
    connection: Connection, lead_ids: Collection[int], channel: str
) -> dict[int, int]:
    """How many touches of the channel each of these leads had made (done or sent), by lead;
    a lead with none is left out. One query per 900 leads."""
    wanted = sorted(set(lead_ids))
    found: dict[int, int] = {}
    for start in range(0, len(wanted), 900):
        rows = connection.execute(
            select(touch_table.c.lead_id, func.count())
            .where(
                touch_table.c.lead_id.in_(wanted[start : start + 900]),
                touch_table.c.channel == channel,
                touch_table.c.status.in_(("done", "sent")),
            )
            .group_by(touch_table.c.lead_id)
        )
        found.update((lead_id, int(count)) for lead_id, count in rows)
    return found


def recent_texts_in_flight(connection: Connection, since: datetime, limit: int) -> list[Message]:
    """Outbound texts sent since `since` whose delivery is not settled yet, newest first, for
    the status follow-up."""
    return [
        read.message(row)
        for row in connection.execute(
            select(*MESSAGE_COLUMNS)
            .where(
                message_table.c.direction == "out",
                message_table.c.channel == "text",
                message_table.c.provider_id.is_not(None),
                message_table.c.status.in_(("queued", "accepted", "sending", "sent", "scheduled")),
                message_table.c.sent_at >= since,
            )
            .order_by(message_table.c.sent_at.desc())
            .limit(limit)
        )
    ]


def unconfirmed_message(connection: Connection, touch_id: int) -> Message | None:
    """The message an interrupted run claimed for this touch and could not confirm."""
    row = connection.execute(
        select(*MESSAGE_COLUMNS)
        .where(message_table.c.touch_id == touch_id, message_table.c.status == "unconfirmed")
        .order_by(message_table.c.id.desc())
        .limit(1)
    ).first()
    return read.message(row) if row is not None else None


def last_inbound(connection: Connection, lead_id: int) -> Message | None:
    """The lead's latest text to us; its status says what it was read as (reply, opt-out...)."""
    row = connection.execute(
        select(*MESSAGE_COLUMNS)
        .where(message_table.c.lead_id == lead_id, message_table.c.direction == "in")
        .order_by(message_table.c.id.desc())
        .limit(1)
    ).first()
    return read.message(row) if row else None


def message_by_provider_id(connection: Connection, provider_id: str) -> Message | None:
    """The text or email the provider knows by this id (a Twilio SID), if we recorded it."""
    row = connection.execute(
        select(*MESSAGE_COLUMNS).where(message_table.c.provider_id == provider_id).limit(1)
    ).first()
    return read.message(row) if row is not None else None


def messages_by_provider_id(
    connection: Connection, provider_ids: Collection[str]
) -> dict[str, Message]:
    """message_by_provider_id for many ids in one query; ids not recorded are left out."""
    found: dict[str, Message] = {}
    wanted = list(provider_ids)
    for start in range(0, len(wanted), 900):  # under SQLite's old limit of bound parameters
        rows = connection.execute(
            select(*MESSAGE_COLUMNS).where(
                message_table.c.provider_id.in_(wanted[start : start + 900])
            )
        )
        for row in rows:
            message = read.message(row)
            found.setdefault(message.provider_id or "", message)
    return found


def message_exists(connection: Connection, provider_id: str) -> bool:
    row = connection.execute(
        select(message_table.c.id).where(message_table.c.provider_id == provider_id).limit(1)
    ).first()
    return row is not None


def inbound_messages(connection: Connection, limit: int) -> list[LeadMessage]:
    """Recent inbound texts, newest first, each with its lead (None: an unknown sender)."""
    query = (
        select(*MESSAGE_COLUMNS, *LEAD_COLUMNS)
        .select_from(
            message_table.outerjoin(lead_table, lead_table.c.id == message_table.c.lead_id)
        )
        .where(message_table.c.direction == "in")
        .order_by(message_table.c.created_at.desc())
        .limit(limit)
    )
    size = len(MESSAGE_COLUMNS)
    return [
        LeadMessage(read.message(row), read.lead(row[size:]) if row[size] is not None else None)
        for row in connection.execute(query)
    ]


def settle_doubt(connection: Connection, lead_id: int, read_as: str) -> None:
    """The officer decided what the lead's possible opt-outs were: "opt-out" or "reply"."""
    connection.execute(
        update(message_table)
        .where(
            message_table.c.lead_id == lead_id,
            message_table.c.direction == "in",
            message_table.c.status == "possible-opt-out",
        )
        .values(status=read_as)
    )
