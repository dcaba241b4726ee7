"""Who a rate drop concerns, and planning their rate-drop campaign.

A past client (stage closed) or a nurture lead qualifies when its note rate is at least the
margin ([rates] margin) above today's rate for its loan term. A qualifying lead gets the
rate-drop campaign (cadences/rate-drop.yaml: a call task, then a text) at most once per rate
move, and never twice in QUIET_DAYS. A rate move is where a product's rate reached its current
level: setting the same rate again on later days is no new move; a drop, or a rise and a fall
back, is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from leadchase.cadence.campaign import start_campaign
from leadchase.cadence.model import RATE_DROP
from leadchase.cadence.service import FollowUp
from leadchase.messaging import RateDetails, whole_dollars
from leadchase.rates.market import product_for_term, product_name, rate_details_of
from leadchase.rates.payments import monthly_saving
from leadchase.store import leads as lead_store
from leadchase.store import rates as rate_store
from leadchase.store.history_records import MarketRate
from leadchase.store.records import Lead, RateAlert, Touch

ALERT_STAGES = ("closed", "nurture")
QUIET_DAYS = 90  # a lead hears about a rate drop at most once in this many days


@dataclass(frozen=True)
class TodayRate:
    """A product's rate in effect today, and the rate move it belongs to."""

    product: str
    rate: float
    on_day: date  # the day it was quoted for
    move_id: int  # the MarketRate where the rate reached this level


@dataclass(frozen=True)
class Opportunity:
    """A lead a rate drop concerns, with what it could save and what it has been told."""

    lead: Lead
    note_rate: float
    today: TodayRate
    loan_amount: int  # whole dollars; 0: not known
    monthly_saving: int  # whole dollars; 0: loan amount not known
    last_alert: RateAlert | None
    alerted_moves: frozenset[int]
    last_touch: tuple[str, datetime] | None  # the last rate-drop call or text made

    @property
    def facts(self) -> str:
        """What the call task says before its talking point."""
        today = self.today
        told = (
            f"Rate drop: their {self.note_rate:g}% vs {product_name(today.product)} "
            f"at {today.rate:g}% today"
        )
        if self.monthly_saving:
            told += f", about ${self.monthly_saving:,} a month less on ${self.loan_amount:,}"
        return told

    def held_back(self, now: datetime) -> str | None:
        """Why no alert is planned now (None: one is due)."""
        if self.today.move_id in self.alerted_moves:
            return "already alerted at this rate"
        last = self.last_alert
        if last is not None and last.planned_at > now - timedelta(days=QUIET_DAYS):
            return f"alerted {last.planned_at:%Y-%m-%d} (once in {QUIET_DAYS} days)"
        return None


def local_today(now: datetime, zone: str) -> date:
    """The officer's today: the day rates are quoted for, in [contact] default_timezone."""
    return now.astimezone(ZoneInfo(zone)).date()


def rates_today(history: Sequence[MarketRate], today: date) -> dict[str, TodayRate]:
    """Each product's rate in effect on `today` (its latest day not after it), with its move.
    `history` is newest day first."""
    by_product: dict[str, list[MarketRate]] = {}
    for entry in history:
        if entry.on_day <= today:
            by_product.setdefault(entry.product, []).append(entry)
    found = {}
    for product, entries in by_product.items():
        current, move = entries[0], entries[0]
        for earlier in entries[1:]:
            if earlier.rate != current.rate:
                break
            move = earlier
        found[product] = TodayRate(product, current.rate, current.on_day, move.id)
    return found


def opportunities(
    connection: Connection, current: dict[str, TodayRate], margin: float
) -> list[Opportunity]:
    """Past clients and nurture leads whose note rate is `margin` points or more above
    today's rate for their term, biggest saving first."""
    qualifying: list[tuple[Lead, TodayRate]] = []
    for lead in rate_store.leads_in_stages(connection, ALERT_STAGES):
        product = product_for_term(lead.loan_term_years)
        today = current.get(product) if product else None
        note = lead.note_rate
        if today is not None and note is not None and round(note - today.rate, 4) >= margin:
            qualifying.append((lead, today))
    ids = [lead.id for lead, _ in qualifying]
    alerts = rate_store.alerts_of(connection, ids)
    made = rate_store.last_made(connection, ids, RATE_DROP)
    found = []
    for lead, today in qualifying:
        note = lead.note_rate or 0.0
        amount = whole_dollars(lead.loan_amount)
        saving = monthly_saving(amount, lead.loan_term_years, note, today.rate) if amount else 0
        earlier = alerts.get(lead.id, [])
        found.append(
            Opportunity(
                lead,
                note,
                today,
                amount,
                saving,
                earlier[0] if earlier else None,
                frozenset(alert.move_id for alert in earlier),
                made.get(lead.id),
            )
        )
    return sorted(found, key=lambda o: (-o.monthly_saving, -(o.note_rate - o.today.rate)))


def plan_alerts(
    connection: Connection,
    followup: FollowUp,
    found: Sequence[Opportunity],
    now: datetime,
) -> list[Opportunity]:
    """Plan the rate-drop campaign for each lead that is due one; the leads planned for.

    A lead that can be reached on none of the campaign's channels gets nothing, and nothing is
    recorded: it is planned for once it can be."""
    planned = []
    for opportunity in found:
        if opportunity.held_back(now) is not None:
            continue
        lead, today = opportunity.lead, opportunity.today
        touches = start_campaign(
            connection, followup, lead, RATE_DROP, now, facts=opportunity.facts
        )
        if not touches:
            continue
        rate_store.add_alert(
            connection,
            {
                "lead_id": lead.id,
                "planned_at": now,
                "product": today.product,
                "move_id": today.move_id,
                "note_rate": opportunity.note_rate,
                "market_rate": today.rate,
                "loan_amount": opportunity.loan_amount,
                "monthly_saving": opportunity.monthly_saving,
                "call_touch_id": touches.get("call"),
                "text_touch_id": touches.get("text"),
            },
        )
        what = " and ".join(channel for channel in ("call", "text") if channel in touches)
        lead_store.add_event(connection, lead.id, now, "rate-drop", f"{opportunity.facts}: {what}")
        planned.append(opportunity)
    return planned


def rate_details(connection: Connection, touch: Touch) -> RateDetails | None:
    """A rate-drop touch's numbers for its message, as its alert recorded them; None for any
    other touch."""
    return rate_details_of(touch, lambda touch_id: rate_store.alert_for_touch(connection, touch_id))
