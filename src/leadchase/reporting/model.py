"""What `leadchase stats` returns, and its JSON document (schema pinned by tests/test_reporting.py).

Every definition is in docs/reporting.md. Times are seconds, shares are fractions 0-1 rounded to
four places, and a figure with nothing to measure is null rather than 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadchase.reporting.figures import Tally

SCHEMA_VERSION = 1
ATTEMPT_DAYS = 14  # the playbook's first days, where 6-8 attempts belong
ATTEMPT_TARGET = (6, 8)
CONVERSION_DAYS = 120  # the industry's window for internet-lead conversion
SPEED_MARKS = (("within_5_min", 5 * 60), ("within_30_min", 30 * 60), ("within_1_hour", 60 * 60))


@dataclass(frozen=True)
class Speed:
    """Time from a lead's arrival to its first touch (or first call)."""

    leads: int  # leads that arrived in the period
    touched: int  # of them, those touched at all
    median_seconds: float | None
    p90_seconds: float | None
    within: tuple[float | None, ...]  # shares of `leads`, one per SPEED_MARKS entry

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "leads": self.leads,
            "touched": self.touched,
            "median_seconds": self.median_seconds,
            "p90_seconds": self.p90_seconds,
        }
        document.update(
            {name: value for (name, _), value in zip(SPEED_MARKS, self.within, strict=True)}
        )
        return document


@dataclass(frozen=True)
class Attempts:
    """Attempts per lead in its first ATTEMPT_DAYS days, over leads whose days are over."""

    leads: int
    still_in_first_days: int
    median: float | None
    under_2: float | None
    on_target: float | None
    distribution: tuple[tuple[str, int], ...]  # ("0", leads) ... ("9+", leads)
    by_channel: Mapping[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "days": ATTEMPT_DAYS,
            "target": list(ATTEMPT_TARGET),
            "leads": self.leads,
            "still_in_first_days": self.still_in_first_days,
            "median": self.median,
            "under_2": self.under_2,
            "on_target": self.on_target,
            "distribution": [{"attempts": k, "leads": n} for k, n in self.distribution],
            "by_channel": [
                {
                    "channel": channel,
                    "attempts": count,
                    "per_lead": round(count / self.leads, 2) if self.leads else None,
                }
                for channel, count in self.by_channel.items()
            ],
        }


def _rates(rows: Mapping[Any, Tally], names: tuple[str, ...], total: str, hits: str) -> list[Any]:
    listed = []
    for key, tally in rows.items():
        values = key if isinstance(key, tuple) else (key,)
        row: dict[str, Any] = dict(zip(names, values, strict=True))
        row.update({total: tally.total, hits: tally.hits, "rate": tally.rate})
        listed.append(row)
    return listed


@dataclass(frozen=True)
class Replies:
    contacted: Tally  # leads talked to or replied, of the leads that arrived
    median_seconds_to_reply: float | None
    by_channel: Mapping[str, Tally]  # messages sent / messages that drew a reply
    by_template: Mapping[str, Tally]
    by_variant: Mapping[tuple[str, int | None], Tally]

    def to_json(self) -> dict[str, Any]:
        return {
            "leads": self.contacted.total,
            "contacted": self.contacted.hits,
            "contact_rate": self.contacted.rate,
            "median_seconds_to_reply": self.median_seconds_to_reply,
            "by_channel": _rates(self.by_channel, ("channel",), "sent", "replied"),
            "by_template": _rates(self.by_template, ("template",), "sent", "replied"),
            "by_variant": _rates(self.by_variant, ("template", "variant"), "sent", "replied"),
        }


@dataclass(frozen=True)
class SourceConversion:
    source: str
    leads: int
    contacted: int
    application: int
    closed: int
    still_in_window: int  # leads whose CONVERSION_DAYS are not over yet
    cost_per_lead: float | None  # from [sources.cost_per_lead]
    cost: float | None  # what these leads cost: leads x cost per lead

    @property
    def cost_per_closed(self) -> float | None:
        if self.cost is None or not self.closed:
            return None
        return round(self.cost / self.closed, 2)

    @property
    def contacted_rate(self) -> float | None:
        return Tally(self.leads, self.contacted).rate

    @property
    def application_rate(self) -> float | None:
        return Tally(self.leads, self.application).rate

    @property
    def closed_rate(self) -> float | None:
        return Tally(self.leads, self.closed).rate

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "leads": self.leads,
            "contacted": self.contacted,
            "application": self.application,
            "closed": self.closed,
            "contacted_rate": self.contacted_rate,
            "application_rate": self.application_rate,
            "closed_rate": self.closed_rate,
            "still_in_window": self.still_in_window,
            "cost_per_lead": self.cost_per_lead,
            "cost": self.cost,
            "cost_per_closed": self.cost_per_closed,
        }


@dataclass(frozen=True)
class StageCount:
    stage: str
    leads: int  # in this stage now
    reached: int  # got this far (see docs/reporting.md)


@dataclass(frozen=True)
class OptOuts:
    leads: Tally
    by_source: Mapping[str, Tally]  # leads of the source / leads who opted out
    by_template: Mapping[str, Tally]  # messages sent / opt-outs that followed one

    def to_json(self) -> dict[str, Any]:
        return {
            "leads": self.leads.total,
            "opted_out": self.leads.hits,
            "rate": self.leads.rate,
            "by_source": _rates(self.by_source, ("source",), "leads", "opted_out"),
            "by_template": _rates(self.by_template, ("template",), "sent", "opted_out"),
        }


@dataclass(frozen=True)
class Stats:
    now: datetime
    since: datetime | None
    source: str | None
    leads: int
    first_touch: Speed
    first_call: Speed
    attempts: Attempts
    replies: Replies
    conversion: tuple[SourceConversion, ...]
    funnel: tuple[StageCount, ...]
    opt_outs: OptOuts

    def conversion_total(self) -> SourceConversion:
        """Every source together; its cost is known only when every source's cost is."""
        rows = self.conversion
        leads = sum(row.leads for row in rows)
        known = bool(rows) and all(row.cost is not None for row in rows)
        cost = round(sum(row.cost or 0.0 for row in rows), 2) if known else None
        return SourceConversion(
            source="(all)",
            leads=leads,
            contacted=sum(row.contacted for row in rows),
            application=sum(row.application for row in rows),
            closed=sum(row.closed for row in rows),
            still_in_window=sum(row.still_in_window for row in rows),
            cost_per_lead=round(cost / leads, 2) if cost is not None and leads else None,
            cost=cost,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "now": self.now.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "source": self.source,
            "leads": self.leads,
            "speed_to_lead": {
                "first_touch": self.first_touch.to_json(),
                "first_call": self.first_call.to_json(),
            },
            "attempts": self.attempts.to_json(),
            "replies": self.replies.to_json(),
            "conversion": {
                "days": CONVERSION_DAYS,
                "sources": [row.to_json() for row in self.conversion],
                "all": self.conversion_total().to_json(),
            },
            "funnel": [
                {"stage": row.stage, "leads": row.leads, "reached": row.reached}
                for row in self.funnel
            ],
            "opt_outs": self.opt_outs.to_json(),
        }
