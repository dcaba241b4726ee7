"""What `leadchase rates` and the daemon call: record rates, list them, find and plan alerts.

Alerts are planned when a rate is set, and by the daemon when today's rates differ from those
it last planned with: a new day (leads that became past clients since), or rates recorded by a
run that could not plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from leadchase.cadence.model import RATE_DROP
from leadchase.context import Context
from leadchase.lead_fields import FieldValueError, calendar_day
from leadchase.rates.alerts import (
    Opportunity,
    TodayRate,
    local_today,
    opportunities,
    plan_alerts,
    rates_today,
)
from leadchase.rates.market import RateError, check_day, parse_assignments
from leadchase.store import rates as rate_store
from leadchase.store import touches as touch_store
from leadchase.store.history_records import MarketRate

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from leadchase.cadence.service import FollowUp

PLANNED_STATE = "rates:planned"  # workspace_state: the rates alerts were last planned with


@dataclass
class RatePlan:
    """What one round of alert planning did."""

    planned: list[Opportunity] = field(default_factory=list)
    problem: str = ""  # why nothing could be planned (the rate-drop cadence is missing)


@dataclass
class RatesSet:
    on_day: date
    rates: dict[str, float]
    changed: list[str]  # products whose rate for the day is new or different
    plan: RatePlan

    def to_json(self) -> dict[str, Any]:
        return {
            "on": self.on_day.isoformat(),
            "rates": self.rates,
            "changed": self.changed,
            "planned": [alert_json(o, None) for o in self.plan.planned],
            "problem": self.plan.problem,
        }


def set_rates(context: Context, pairs: list[str], on: str | None, now: datetime) -> RatesSet:
    """Record the day's rates (today's by default), then plan the alerts they call for."""
    from leadchase.cadence.service import FollowUp

    rates = parse_assignments(pairs)
    today = local_today(now, context.settings.contact.default_timezone)
    day = today if on is None else check_day(_day(on), today)
    followup = FollowUp.load(context.settings)
    with context.database.writing() as connection:
        changed = [
            product
            for product, rate in rates.items()
            if rate_store.set_rate(connection, product, day, rate, now)
        ]
        plan = _plan(connection, context, followup, now)
    return RatesSet(day, rates, changed, plan)


def _day(text: str) -> date:
    try:
        return calendar_day(text)
    except FieldValueError as error:
        raise RateError(f"--on: {error}") from None


def _plan(connection: Connection, context: Context, followup: FollowUp, now: datetime) -> RatePlan:
    settings = context.settings
    if followup.cadence(RATE_DROP) is None:
        folder = settings.workspace.cadences_dir
        return RatePlan(
            problem=f"no alert planned: {folder}/{RATE_DROP}.yaml is missing; copy it (and "
            f"templates/{RATE_DROP}/) from a new workspace made with `leadchase init`"
        )
    today = _today(context, now)
    current = rates_today(rate_store.history(connection), today)
    touch_store.set_state(connection, PLANNED_STATE, _fingerprint(current, today))
    found = opportunities(connection, current, settings.rates.margin)
    return RatePlan(plan_alerts(connection, followup, found, now))


def _today(context: Context, now: datetime) -> date:
    return local_today(now, context.settings.contact.default_timezone)


def _fingerprint(current: dict[str, TodayRate], today: date) -> str:
    rates = ",".join(f"{p}={r.rate:g}#{r.move_id}" for p, r in sorted(current.items()))
    return f"{today.isoformat()};{rates}"


def plan_if_changed(context: Context, now: datetime) -> RatePlan | None:
    """The daemon's job: plan alerts when today's rates (or the day) differ from those last
    planned with; None when nothing changed."""
    from leadchase.cadence.service import FollowUp

    today = _today(context, now)
    with context.database.reading() as connection:
        current = rates_today(rate_store.history(connection), today)
        stored = touch_store.get_states(connection, PLANNED_STATE).get(PLANNED_STATE)
    if not current or stored == _fingerprint(current, today):
        return None
    followup = FollowUp.load(context.settings)
    with context.database.writing() as connection:
        return _plan(connection, context, followup, now)


def history(context: Context) -> list[MarketRate]:
    with context.database.reading() as connection:
        return rate_store.history(connection)


def find_opportunities(context: Context, now: datetime) -> list[Opportunity]:
    with context.database.reading() as connection:
        current = rates_today(rate_store.history(connection), _today(context, now))
        return opportunities(connection, current, context.settings.rates.margin)


def alert_json(found: Opportunity, now: datetime | None) -> dict[str, Any]:
    """One qualifying lead as `rates opportunities --json` (and `rates set --json`) give it."""
    lead, last = found.lead, found.last_alert
    document: dict[str, Any] = {
        "lead_id": lead.id,
        "name": lead.name,
        "stage": lead.stage,
        "product": found.today.product,
        "note_rate": found.note_rate,
        "today_rate": found.today.rate,
        "loan_amount": found.loan_amount or None,
        "monthly_saving": found.monthly_saving or None,
    }
    if now is not None:
        made = found.last_touch
        document |= {
            "last_alert_at": last.planned_at if last else None,
            "last_touch": {"channel": made[0], "at": made[1]} if made else None,
            "held_back": found.held_back(now),
        }
    return document
