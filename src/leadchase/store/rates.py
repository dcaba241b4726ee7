"""Market rates by day, and the rate-drop alerts planned for leads."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Connection, Table, insert, select, update

from leadchase.store import read
from leadchase.store.history_records import MarketRate
from leadchase.store.models import market_rate_table, rate_alert_table
from leadchase.store.read import LEAD_COLUMNS, lead_table, touch_table
from leadchase.store.records import Lead, RateAlert


def _columns(table: Table, record: type) -> list[Column[Any]]:
    return [table.c[item.name] for item in fields(record)]


MARKET_RATE_COLUMNS = _columns(market_rate_table, MarketRate)
RATE_ALERT_COLUMNS = _columns(rate_alert_table, RateAlert)


def set_rate(
    connection: Connection, product: str, on_day: date, rate: float, now: datetime
) -> bool:
    """Record a product's rate for a day (a second one for the same day corrects the first).
    Whether anything changed."""
    table = market_rate_table
    same_day = (table.c.product == product, table.c.on_day == on_day)
    current = connection.execute(select(table.c.rate).where(*same_day)).scalar_one_or_none()
    if current is None:
        values = {"product": product, "on_day": on_day, "rate": rate, "recorded_at": now}
        connection.execute(insert(table).values(**values))
        return True
    if current == rate:
        return False
    connection.execute(update(table).where(*same_day).values(rate=rate, recorded_at=now))
    return True


def history(connection: Connection, until: date | None = None) -> list[MarketRate]:
    """Every recorded rate (up to `until`), newest day first."""
    table = market_rate_table
    query = select(*MARKET_RATE_COLUMNS).order_by(table.c.on_day.desc(), table.c.product)
    if until is not None:
        query = query.where(table.c.on_day <= until)
    return [MarketRate(*row) for row in connection.execute(query)]


def leads_in_stages(connection: Connection, stages: Collection[str]) -> list[Lead]:
    """Leads in these stages whose note rate is known: who a rate drop may concern."""
    query = (
        select(*LEAD_COLUMNS)
        .where(lead_table.c.stage.in_(list(stages)), lead_table.c.note_rate.is_not(None))
        .order_by(lead_table.c.id)
    )
    return [read.lead(row) for row in connection.execute(query)]


def add_alert(connection: Connection, values: Mapping[str, Any]) -> int:
    key = connection.execute(insert(rate_alert_table).values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def alerts_of(connection: Connection, lead_ids: Sequence[int]) -> dict[int, list[RateAlert]]:
    """Each lead's rate-drop alerts, newest first."""
    if not lead_ids:
        return {}
    table = rate_alert_table
    query = (
        select(*RATE_ALERT_COLUMNS)
        .where(table.c.lead_id.in_(list(lead_ids)))
        .order_by(table.c.planned_at.desc(), table.c.id.desc())
    )
    found: dict[int, list[RateAlert]] = {}
    for row in connection.execute(query):
        alert = RateAlert(*row)
        found.setdefault(alert.lead_id, []).append(alert)
    return found


def alert_for_touch(connection: Connection, touch_id: int) -> RateAlert | None:
    """The alert a rate-drop call or text was planned for."""
    table = rate_alert_table
    row = connection.execute(
        select(*RATE_ALERT_COLUMNS)
        .where((table.c.call_touch_id == touch_id) | (table.c.text_touch_id == touch_id))
        .limit(1)
    ).first()
    return RateAlert(*row) if row is not None else None


def last_made(
    connection: Connection, lead_ids: Sequence[int], cadence: str
) -> dict[int, tuple[str, datetime]]:
    """Each lead's latest made touch of a cadence: (channel, when)."""
    if not lead_ids:
        return {}
    query = (
        select(touch_table.c.lead_id, touch_table.c.channel, touch_table.c.done_at)
        .where(
            touch_table.c.lead_id.in_(list(lead_ids)),
            touch_table.c.cadence == cadence,
            touch_table.c.status.in_(("done", "sent")),
        )
        .order_by(touch_table.c.done_at)
    )
    return {row.lead_id: (row.channel, row.done_at) for row in connection.execute(query)}
