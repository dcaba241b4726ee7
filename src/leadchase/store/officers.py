"""The team's officers, which officer owns which lead, and the round-robin's turn counter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from leadchase.store import read
from leadchase.store.read import OFFICER_COLUMNS, event_table, lead_table, officer_table
from leadchase.store.records import OfficerScope, TeamOfficer

ROUND_ROBIN = "round-robin"


def all_officers(connection: Connection) -> list[TeamOfficer]:
    """Every officer, active or not, in the order they were added."""
    query = select(*OFFICER_COLUMNS).order_by(officer_table.c.id)
    return [read.officer(row) for row in connection.execute(query)]


def add(connection: Connection, values: Mapping[str, Any]) -> int:
    result = connection.execute(insert(officer_table).values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def change(connection: Connection, officer_id: int, values: Mapping[str, Any]) -> None:
    connection.execute(
        update(officer_table).where(officer_table.c.id == officer_id).values(**values)
    )


def owned_by(scope: OfficerScope) -> Any:
    """The condition on the lead table that picks `scope`'s leads."""
    if scope.officer_id is None:
        return lead_table.c.officer_id.is_(None)
    return lead_table.c.officer_id == scope.officer_id


def lead_counts(connection: Connection) -> dict[int | None, int]:
    """How many leads each officer owns (None: the default officer)."""
    query = select(lead_table.c.officer_id, func.count()).group_by(lead_table.c.officer_id)
    return {officer_id: int(count) for officer_id, count in connection.execute(query)}


def lead_ids_of(connection: Connection, scope: OfficerScope) -> list[int]:
    query = select(lead_table.c.id).where(owned_by(scope)).order_by(lead_table.c.id)
    return list(connection.execute(query).scalars())


def move_leads(
    connection: Connection,
    lead_ids: Sequence[int],
    officer_id: int | None,
    now: datetime,
    detail: str,
) -> None:
    """Give these leads to `officer_id` (None: the default officer), an event on each.

    Touches have no officer of their own: a lead's open touches are its officer's, so they
    move with it in this one statement."""
    for start in range(0, len(lead_ids), 900):
        chunk = list(lead_ids[start : start + 900])
        connection.execute(
            update(lead_table).where(lead_table.c.id.in_(chunk)).values(officer_id=officer_id)
        )
        connection.execute(
            insert(event_table),
            [{"lead_id": i, "at": now, "kind": "assigned", "detail": detail} for i in chunk],
        )


def take_turns(connection: Connection, count: int) -> int:
    """Take `count` round-robin turns; the number of turns dealt before them.

    The UPDATE comes first, inside the caller's write transaction: the counter row stays
    locked (a PostgreSQL row lock, SQLite's write lock) until the import commits, so two
    imports at once deal consecutive turns, never the same one."""
    turns = officer_turn_table()
    connection.execute(
        update(turns).where(turns.c.key == ROUND_ROBIN).values(turns=turns.c.turns + count)
    )
    after = connection.execute(select(turns.c.turns).where(turns.c.key == ROUND_ROBIN))
    return int(after.scalar_one()) - count


def officer_turn_table() -> Any:
    from leadchase.store.models import officer_turn_table

    return officer_turn_table
