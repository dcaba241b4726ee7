"""Touches: planned and made contact attempts, and the agenda query over them."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, func, insert, or_, select, update

from leadchase.compliance.optouts import scopes_closing
from leadchase.store import read
from leadchase.store.bulk import bulk_insert, bulk_insert_tuples, update_many
from leadchase.store.read import (
    TOUCH_COLUMNS,
    lead_table,
    suppression_table,
    touch_table,
)
from leadchase.store.records import DueTouch, Touch

OPEN = ("planned", "held")
MADE = ("done", "sent", "unknown", "claimed")


def insert_touches(connection: Connection, touches: Sequence[Mapping[str, Any]]) -> None:
    """Insert touches; touches in one call share the same keys."""
    bulk_insert(connection, touch_table, touches)


INSERT_COLUMNS = (
    "lead_id", "cadence", "step_key", "channel", "automated", "template", "say", "day", "due_at",
    "status", "rank", "expires_at", "owed",
)  # fmt: skip


def add_touch(connection: Connection, values: Mapping[str, Any]) -> int:
    """One touch (a call logged with no task open), returning its id."""
    key = connection.execute(insert(touch_table).values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def insert_touch_tuples(connection: Connection, touches: Sequence[tuple[Any, ...]]) -> None:
    """Insert touches given as tuples in INSERT_COLUMNS order (the import's fast path), their
    times already utc_text and their flags bools (cadence/new_leads.py plans them so)."""
    bulk_insert_tuples(connection, touch_table, INSERT_COLUMNS, touches, stored=True)


def open_touches(connection: Connection, lead_id: int) -> list[Touch]:
    query = (
        select(*TOUCH_COLUMNS)
        .where(touch_table.c.lead_id == lead_id, touch_table.c.status.in_(OPEN))
        .order_by(touch_table.c.due_at)
    )
    return [read.touch(row) for row in connection.execute(query)]


def has_touch_to_come(connection: Connection, lead_id: int) -> bool:
    """Whether the lead has a touch open or being sent: what keeps it from falling off."""
    row = connection.execute(
        select(touch_table.c.id)
        .where(touch_table.c.lead_id == lead_id, touch_table.c.status.in_((*OPEN, "claimed")))
        .limit(1)
    ).first()
    return row is not None


# What planning a lead's next touch reads of each of its touches (made_of, planned_already).
_MARKS = (
    touch_table.c.channel,
    touch_table.c.cadence,
    touch_table.c.step_key,
    touch_table.c.status,
    touch_table.c.done_at,
)
TouchMark = tuple[str, str | None, str | None, str, datetime | None]


def touch_marks_of(connection: Connection, lead_ids: Collection[int]) -> dict[int, list[TouchMark]]:
    """Each lead's touches as made_of and planned_already read them, for many leads at once."""
    marks: dict[int, list[TouchMark]] = {lead_id: [] for lead_id in lead_ids}
    rows = connection.execute(
        select(touch_table.c.lead_id, *_MARKS).where(touch_table.c.lead_id.in_(list(lead_ids)))
    )
    for lead_id, *mark in rows:
        marks[lead_id].append(tuple(mark))
    return marks


def made_of(
    marks: Sequence[TouchMark], channel: str, cadence: str
) -> tuple[datetime | None, set[str]]:
    """From a lead's touches: when its last call, text or email (by `channel`) was made, or
    None; and the step keys of `cadence` it is done with (made, skipped or failed: neither open
    nor cancelled)."""
    last: datetime | None = None
    keys: set[str] = set()
    for made_on, made_in, step_key, status, done_at in marks:
        made = status in ("done", "sent") and made_on == channel and done_at is not None
        if made and (last is None or done_at > last):  # type: ignore[operator]
            last = done_at
        if made_in == cadence and step_key and status not in (*OPEN, "cancelled"):
            keys.add(step_key)
    return last, keys


def planned_already(marks: Sequence[TouchMark], channel: str, cadence: str) -> bool:
    """Whether a lead's touches hold an open one of `cadence` on `channel`."""
    return any(
        status in OPEN and made_on == channel and made_in == cadence
        for made_on, made_in, _step, status, _done in marks
    )


def lead_touches(connection: Connection, lead_id: int) -> list[Touch]:
    query = (
        select(*TOUCH_COLUMNS)
        .where(touch_table.c.lead_id == lead_id)
        .order_by(func.coalesce(touch_table.c.done_at, touch_table.c.due_at), touch_table.c.id)
    )
    return [read.touch(row) for row in connection.execute(query)]


def cancel_open(
    connection: Connection,
    lead_id: int,
    now: datetime,
    reason: str,
    channels: Collection[str] = (),
    *,
    cadence: str | None = None,
) -> int:
    condition = [touch_table.c.lead_id == lead_id, touch_table.c.status.in_(OPEN)]
    if channels:
        condition.append(touch_table.c.channel.in_(list(channels)))
    if cadence is not None:
        condition.append(touch_table.c.cadence == cadence)
    result = connection.execute(
        update(touch_table)
        .where(*condition)
        .values(status="cancelled", done_at=now, outcome=reason)
    )
    return result.rowcount


def finish_touch(connection: Connection, touch_id: int, values: Mapping[str, Any]) -> None:
    connection.execute(update(touch_table).where(touch_table.c.id == touch_id).values(**values))


def finish_touches(
    connection: Connection, updates: Sequence[tuple[int, Mapping[str, Any]]]
) -> None:
    """finish_touch for many touches, a statement for each set of columns."""
    update_many(connection, touch_table, updates)


def count_made(connection: Connection, lead_id: int, channel: str | None = None) -> int:
    condition = [touch_table.c.lead_id == lead_id, touch_table.c.status.in_(("done", "sent"))]
    if channel:
        condition.append(touch_table.c.channel == channel)
    return int(connection.execute(select(func.count()).where(*condition)).scalar_one())


def _suppressed(value_column: Any, channels: Sequence[str]) -> Any:
    return exists().where(
        suppression_table.c.value == value_column,
        suppression_table.c.channel.in_(list(channels)),
        suppression_table.c.lifted_at.is_(None),
    )


def nothing_to_come(stages: Collection[str]) -> Any:
    """Leads in these stages with no touch open or being sent, though a channel is still open
    to them (not every one closed by an opt-out or the do-not-call list): leads that fell off."""
    phone, email = lead_table.c.phone, lead_table.c.email
    reachable = or_(
        and_(phone.is_not(None), ~_suppressed(phone, scopes_closing("call"))),
        and_(
            phone.is_not(None),
            lead_table.c.text_ok.is_(True),
            ~_suppressed(phone, scopes_closing("text")),
        ),
        and_(email.is_not(None), ~_suppressed(email, scopes_closing("email"))),
    )
    to_come = exists().where(
        touch_table.c.lead_id == lead_table.c.id,
        touch_table.c.status.in_((*OPEN, "claimed")),
    )
    return and_(lead_table.c.stage.in_(list(stages)), ~to_come, reachable)


def due_touch(row: Sequence[Any]) -> DueTouch:
    """A row that selected TOUCH_COLUMNS, then LEAD_COLUMNS."""
    return DueTouch(*read.touch_and_lead(row))


def leads_with_open_touches(connection: Connection, cadences: Collection[str]) -> list[int]:
    if not cadences:
        return []
    rows = connection.execute(
        select(touch_table.c.lead_id)
        .where(touch_table.c.status.in_(OPEN), touch_table.c.cadence.in_(list(cadences)))
        .distinct()
    )
    return [row.lead_id for row in rows]


def _state_table() -> Any:
    from leadchase.store.models import workspace_state_table

    return workspace_state_table


def get_states(connection: Connection, prefix: str) -> dict[str, str]:
    table = _state_table()
    rows = connection.execute(select(table).where(table.c.key.startswith(prefix)))
    return {row.key: row.value for row in rows}


def set_state(connection: Connection, key: str, value: str) -> None:
    table = _state_table()
    updated = connection.execute(update(table).where(table.c.key == key).values(value=value))
    if updated.rowcount == 0:
        connection.execute(insert(table).values(key=key, value=value))


def mark_lead_touched(connection: Connection, lead_id: int) -> None:
    """The lead has had a touch: its open touches are no longer read first by the agenda."""
    mark_leads_touched(connection, [lead_id])


def mark_leads_touched(connection: Connection, lead_ids: Collection[int]) -> None:
    """mark_lead_touched for many leads, in one statement."""
    connection.execute(
        update(touch_table)
        .where(
            touch_table.c.lead_id.in_(list(lead_ids)),
            touch_table.c.status.in_(OPEN),
            touch_table.c.rank == 0,
        )
        .values(rank=1)
    )


def postpone_open(connection: Connection, lead_id: int, until: datetime) -> None:
    """Snooze: open touches due before `until` come due at `until`."""
    connection.execute(
        update(touch_table)
        .where(
            touch_table.c.lead_id == lead_id,
            touch_table.c.status.in_(OPEN),
            touch_table.c.due_at < until,
        )
        .values(due_at=until)
    )


def cancel_open_automated(connection: Connection, lead_id: int, now: datetime, why: str) -> None:
    """Stop on reply / opt-out: every automated touch still open for the lead is cancelled."""
    connection.execute(
        update(touch_table)
        .where(
            touch_table.c.lead_id == lead_id,
            touch_table.c.status.in_(OPEN),
            touch_table.c.automated.is_(True),
        )
        .values(status="cancelled", done_at=now, outcome=why)
    )
