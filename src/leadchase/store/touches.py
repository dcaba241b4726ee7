"""Touches: planned and made contact attempts, and the agenda query over them."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, func, insert, or_, select, update

from leadchase.compliance.optouts import scopes_closing
from leadchase.store import read
from leadchase.store.bulk import bulk_insert, bulk_insert_tuples
from leadchase.store.read import (
    LEAD_COLUMNS,
    TOUCH_COLUMNS,
    lead_table,
    suppression_table,
    touch_table,
)
from leadchase.store.records import DueTouch, Lead, Touch

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
    """Insert touches given as tuples in INSERT_COLUMNS order (the import's fast path)."""
    bulk_insert_tuples(connection, touch_table, INSERT_COLUMNS, touches)


def open_touches(connection: Connection, lead_id: int) -> list[Touch]:
    query = (
        select(*TOUCH_COLUMNS)
        .where(touch_table.c.lead_id == lead_id, touch_table.c.status.in_(OPEN))
        .order_by(touch_table.c.due_at)
    )
    return [read.touch(row) for row in connection.execute(query)]


def made_keys(connection: Connection, lead_id: int, cadence: str) -> set[str]:
    rows = connection.execute(
        select(touch_table.c.step_key).where(
            touch_table.c.lead_id == lead_id,
            touch_table.c.cadence == cadence,
            touch_table.c.step_key != "",
            touch_table.c.status.notin_((*OPEN, "cancelled")),
        )
    )
    return {row.step_key for row in rows}


def has_touch_to_come(connection: Connection, lead_id: int) -> bool:
    """Whether the lead has a touch open or being sent: what keeps it from falling off."""
    row = connection.execute(
        select(touch_table.c.id)
        .where(touch_table.c.lead_id == lead_id, touch_table.c.status.in_((*OPEN, "claimed")))
        .limit(1)
    ).first()
    return row is not None


def last_made_at(connection: Connection, lead_id: int, channel: str) -> datetime | None:
    """When the lead's last call, text or email (by `channel`) was made, or None."""
    value: datetime | None = connection.execute(
        select(func.max(touch_table.c.done_at)).where(
            touch_table.c.lead_id == lead_id,
            touch_table.c.channel == channel,
            touch_table.c.status.in_(("done", "sent")),
        )
    ).scalar_one()
    return value


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


def _due(now: datetime, channel: str, automated_as_manual: bool) -> list[Any]:
    """What makes a planned touch of `channel` a task on the agenda at `now`."""
    conditions = [
        touch_table.c.due_at <= now,
        touch_table.c.channel == channel,
        or_(lead_table.c.snoozed_until.is_(None), lead_table.c.snoozed_until <= now),
    ]
    if not automated_as_manual:
        conditions.append(touch_table.c.automated.is_(False))
    if channel == "text":
        conditions += [
            lead_table.c.phone.is_not(None),
            lead_table.c.text_ok.is_(True),
            ~_suppressed(lead_table.c.phone, scopes_closing("text")),
        ]
    elif channel == "email":
        conditions += [
            lead_table.c.email.is_not(None),
            ~_suppressed(lead_table.c.email, scopes_closing("email")),
        ]
    elif channel == "call":
        conditions.append(~_suppressed(lead_table.c.phone, scopes_closing("call")))
    return conditions


def _due_query(conditions: Sequence[Any]) -> Any:
    joined = touch_table.join(lead_table, lead_table.c.id == touch_table.c.lead_id)
    return select(*TOUCH_COLUMNS, *LEAD_COLUMNS).select_from(joined).where(and_(*conditions))


# How far the agenda counts a channel's due touches; at this number it shows "1,000+".
COUNT_CAP = 1000


def agenda_rows(
    connection: Connection,
    now: datetime,
    channel: str,
    *,
    automated_as_manual: bool,
    limit: int,
) -> tuple[list[DueTouch], int]:
    """Due touches of one channel, leads never touched first, then the longest due, with how
    many there are in all (up to COUNT_CAP).

    The (status, channel, rank, due_at) index gives the rows in that order, so SQLite stops at
    the limit instead of reading every due touch; agenda.py puts them in the order `today`
    shows. Opt-outs, DNC and snoozes are already reflected in the touches themselves
    (cancelled or moved), so the count needs no join; the filters on the rows below are a
    second line of defence.
    """
    planned = touch_table.c.status == "planned"
    query = _due_query([planned, *_due(now, channel, automated_as_manual)])
    query = query.order_by(touch_table.c.due_at)
    # One query per rank keeps SQLite on the (status, channel, rank, due_at) index, in order,
    # stopping at the limit instead of sorting every due touch.
    due: list[DueTouch] = []
    for rank in (0, 1):
        if len(due) < limit:
            ranked = query.where(touch_table.c.rank == rank).limit(limit - len(due))
            due.extend(due_touch(row) for row in connection.execute(ranked))
    counted = [
        touch_table.c.status == "planned",
        touch_table.c.channel == channel,
        touch_table.c.rank.in_((0, 1)),
        touch_table.c.due_at <= now,
    ]
    if not automated_as_manual:
        counted.append(touch_table.c.automated.is_(False))
    # Counted up to COUNT_CAP only: "1,000+ due" tells the officer as much as 93,412 does, and
    # an exact count walks every due touch (a second of CPU at a million leads).
    capped = select(touch_table.c.id).where(*counted).limit(COUNT_CAP).subquery()
    total = connection.execute(select(func.count()).select_from(capped)).scalar_one()
    return due, max(int(total), len(due))


def first_hour_rows(
    connection: Connection,
    now: datetime,
    channel: str,
    since: datetime,
    *,
    automated_as_manual: bool,
    limit: int,
) -> list[DueTouch]:
    """Due touches of one channel of the (at most `limit`) newest leads that asked at `since`
    or later (their lead date, else when they were imported) and are still new: nobody has
    reached them yet. agenda_order.py puts them in order.

    The leads come from the ix_lead_asked index, newest first, whatever the size of the
    database (a list of aged leads imported a minute ago asked long ago: never read); their
    touches from the lead_id index. The touch's status is checked here rather than in SQL: a
    condition on it would lead SQLite to walk the agenda index over every planned touch.
    """
    # Exactly the expression migration 003 indexes (ix_lead_asked).
    asked = func.coalesce(lead_table.c.lead_date, lead_table.c.imported_at)
    recent = (
        select(lead_table.c.id)
        .where(
            asked >= since,
            lead_table.c.stage == "new",
            lead_table.c.contacted_at.is_(None),
        )
        .order_by(asked.desc())
        .limit(limit)
    )
    query = _due_query(
        [touch_table.c.lead_id.in_(recent), *_due(now, channel, automated_as_manual)]
    )
    found = (due_touch(row) for row in connection.execute(query))
    return [task for task in found if task.touch.status == "planned"]


def due_touch(row: Sequence[Any]) -> DueTouch:
    """A row that selected TOUCH_COLUMNS, then LEAD_COLUMNS."""
    return DueTouch(*read.touch_and_lead(row))


def replies_waiting(connection: Connection, now: datetime, limit: int) -> list[Lead]:
    """Leads that replied after our last touch: the conversation waits for the officer."""
    query = (
        select(*LEAD_COLUMNS)
        .where(
            lead_table.c.replied_at.is_not(None),
            or_(
                lead_table.c.last_touch_at.is_(None),
                lead_table.c.last_touch_at < lead_table.c.replied_at,
            ),
        )
        .order_by(lead_table.c.replied_at)
        .limit(limit)
    )
    return [read.lead(row) for row in connection.execute(query)]


def next_due(connection: Connection, now: datetime) -> datetime | None:
    """When the next planned touch falls due, for the "nothing due" line."""
    value: datetime | None = connection.execute(
        select(func.min(touch_table.c.due_at)).where(
            touch_table.c.status == "planned", touch_table.c.due_at > now
        )
    ).scalar_one()
    return value


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
    from leadchase.store.models import WorkspaceStateTable

    return WorkspaceStateTable.__table__  # type: ignore[attr-defined]


def get_states(connection: Connection, prefix: str) -> dict[str, str]:
    table = _state_table()
    rows = connection.execute(select(table).where(table.c.key.startswith(prefix)))
    return {row.key: row.value for row in rows}


def set_state(connection: Connection, key: str, value: str) -> None:
    table = _state_table()
    updated = connection.execute(update(table).where(table.c.key == key).values(value=value))
    if updated.rowcount == 0:
        connection.execute(insert(table).values(key=key, value=value))


def made_counts(connection: Connection, lead_ids: Sequence[int], channel: str) -> dict[int, int]:
    """How many touches of a channel each lead has had (for "attempt 3 of 12")."""
    if not lead_ids:
        return {}
    rows = connection.execute(
        select(touch_table.c.lead_id, func.count())
        .where(
            touch_table.c.lead_id.in_(list(lead_ids)),
            touch_table.c.channel == channel,
            touch_table.c.status.in_(("done", "sent")),
        )
        .group_by(touch_table.c.lead_id)
    )
    return {int(row[0]): int(row[1]) for row in rows}


def mark_lead_touched(connection: Connection, lead_id: int) -> None:
    """The lead has had a touch: its open touches are no longer read first by agenda_rows."""
    connection.execute(
        update(touch_table)
        .where(
            touch_table.c.lead_id == lead_id,
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
