"""The officer's alerts: recorded, claimed by the pass that sends them, settled, shown per lead."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, insert, or_, select, update

from leadchase.store import read
from leadchase.store.history_records import Alert
from leadchase.store.read import ALERT_COLUMNS, LEAD_COLUMNS, alert_table, lead_table
from leadchase.store.records import Lead

_IN_CHUNK = 900  # ids per IN (...): SQLite's default limit on bound values is 999


def add(connection: Connection, alerts: Iterable[Mapping[str, Any]]) -> None:
    rows = [dict(alert) for alert in alerts]
    if rows:
        connection.execute(insert(alert_table), rows)


def claim_pending(connection: Connection, limit: int, now: datetime) -> list[Alert]:
    """Alerts waiting to go, oldest first, each taken for this pass ("sending", the claim's
    time kept in sent_at until it is settled) so a pass running at the same time (the daemon's
    and the listener's) never sends one twice."""
    waiting = [
        read.alert(row)
        for row in connection.execute(
            select(*ALERT_COLUMNS)
            .where(alert_table.c.status == "pending")
            .order_by(alert_table.c.created_at, alert_table.c.id)
            .limit(limit)
        )
    ]
    taken = []
    for alert in waiting:
        result = connection.execute(
            update(alert_table)
            .where(alert_table.c.id == alert.id, alert_table.c.status == "pending")
            .values(status="sending", sent_at=now)
        )
        if result.rowcount == 1:
            taken.append(alert)
    return taken


def left_sending(connection: Connection, claimed_before: datetime) -> list[Alert]:
    """Alerts a pass claimed before `claimed_before` and never settled: it stopped mid-send."""
    return [
        read.alert(row)
        for row in connection.execute(
            select(*ALERT_COLUMNS)
            .where(alert_table.c.status == "sending", alert_table.c.sent_at < claimed_before)
            .order_by(alert_table.c.id)
        )
    ]


def expire_pending(connection: Connection, before: datetime) -> int:
    """Alerts that waited since before `before` are news no more: never sent, kept as expired."""
    result = connection.execute(
        update(alert_table)
        .where(alert_table.c.status == "pending", alert_table.c.created_at < before)
        .values(status="expired", error="waited too long to be worth sending")
    )
    return int(result.rowcount)


def has_pending(connection: Connection) -> bool:
    row = connection.execute(
        select(alert_table.c.id).where(alert_table.c.status == "pending").limit(1)
    ).first()
    return row is not None


def settle(connection: Connection, alert_id: int, values: Mapping[str, Any]) -> None:
    """An alert's outcome; only one still "sending" is settled (a send, or its recovery)."""
    connection.execute(
        update(alert_table)
        .where(alert_table.c.id == alert_id, alert_table.c.status == "sending")
        .values(**values)
    )


def set_delivery_status(
    connection: Connection, provider_id: str, status: str, error_code: str | None
) -> bool:
    """A status Twilio reported for an alert's text; False when no alert has that SID."""
    values: dict[str, Any] = {"status": status}
    if error_code:
        values["error"] = f"Twilio error {error_code}"
    result = connection.execute(
        update(alert_table).where(alert_table.c.provider_id == provider_id).values(**values)
    )
    return bool(result.rowcount)


def for_lead(connection: Connection, lead_id: int) -> list[Alert]:
    return [
        read.alert(row)
        for row in connection.execute(
            select(*ALERT_COLUMNS)
            .where(alert_table.c.lead_id == lead_id)
            .order_by(alert_table.c.created_at, alert_table.c.id)
        )
    ]


def fresh_leads(
    connection: Connection, lead_ids: Sequence[int], since: datetime, limit: int
) -> tuple[list[Lead], int]:
    """Of `lead_ids`, the leads that asked since `since` (their lead date, else their import):
    the first `limit` by id, and how many there are in all. A range of ids (an import's new
    leads) is read as one BETWEEN, so a 100,000-lead import costs two queries."""
    asked = func.coalesce(lead_table.c.lead_date, lead_table.c.imported_at)
    if isinstance(lead_ids, range) and lead_ids.step == 1:
        if not lead_ids:
            return [], 0
        chosen: ColumnElement[bool] = lead_table.c.id.between(lead_ids.start, lead_ids.stop - 1)
    else:
        wanted = sorted(set(lead_ids))
        chunks = [wanted[i : i + _IN_CHUNK] for i in range(0, len(wanted), _IN_CHUNK)]
        if not chunks:
            return [], 0
        chosen = or_(*(lead_table.c.id.in_(chunk) for chunk in chunks))
    where = (chosen, asked >= since)
    count = int(connection.execute(select(func.count()).where(*where)).scalar_one())
    rows = connection.execute(
        select(*LEAD_COLUMNS).where(*where).order_by(lead_table.c.id).limit(limit)
    )
    return [read.lead(row) for row in rows], count
