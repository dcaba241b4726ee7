"""Starting freshly imported leads on their cadence: the import's hot path.

A 100,000-row import plans every new lead's first call, text and email. Leads that share a
cadence, a start and a place share one plan (FirstTouchCache), computed once with its due times
under every jitter a lead may draw; each lead then only picks its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from leadchase.cadence.model import LeadClock
from leadchase.cadence.schedule import (
    JITTER_MINUTES,
    SkippedTouch,
    first_touches,
    jitter_minutes,
    jittered,
)
from leadchase.cadence.service import FollowUp, skipped_row, usable_channels
from leadchase.compliance.optouts import closed_to_lead
from leadchase.compliance.windows import ContactPolicy, check_moment
from leadchase.store import suppressions
from leadchase.store import touches as touch_store
from leadchase.store.bulk import utc_text

_Plan = tuple[tuple[tuple[Any, ...], tuple[str | None, ...], tuple[Any, ...], str], ...]


class FirstTouchCache:
    """First-touch plans shared by leads with the same cadence, start and place.

    A bulk import starts every lead's touches at the import time, in a handful of zones, so
    most leads reuse a plan computed once. Plans are kept as ready-to-insert tuples, each touch
    with its due time under every jitter a lead may draw; a rare touch skipped at the start is
    kept apart (`skipped`) to be written on its own.
    """

    def __init__(self, followup: FollowUp) -> None:
        self.followup = followup
        self.plans: dict[tuple[Any, ...], tuple[_Plan, tuple[SkippedTouch, ...]]] = {}
        self.by_place: dict[
            tuple[str, LeadClock, frozenset[str]], tuple[_Plan, tuple[SkippedTouch, ...]]
        ] = {}

    def plan_for(
        self, lead: Mapping[str, Any], name: str, start: datetime, closed: frozenset[str]
    ) -> tuple[_Plan, tuple[SkippedTouch, ...]]:
        phone = lead.get("phone") or ""
        # What decides the plan, cheaply: the usable channels follow from these three.
        reach = (phone != "", bool(lead.get("email")), lead.get("text_ok", True), closed)
        key = (
            name, start, lead.get("timezone"), lead.get("time_zones"), lead.get("state"),
            phone[:5], reach,
        )  # fmt: skip
        plan = self.plans.get(key)
        if plan is None:
            if len(self.plans) > 4096:
                self.plans.clear()
                self.by_place.clear()
            clock = self.followup.place_clock(
                start, lead.get("timezone"), lead.get("time_zones"), lead.get("state"), phone
            )
            usable = usable_channels(phone, lead.get("email"), lead.get("text_ok", True), closed)
            # Many area codes share a place's clock: the plan is made once for the clock.
            place = (name, clock, usable)
            plan = self.by_place.get(place)
            if plan is None:
                plan = self.by_place[place] = self._plan(name, clock, usable)
            self.plans[key] = plan
        return plan

    def _plan(
        self, name: str, clock: LeadClock, usable: frozenset[str]
    ) -> tuple[_Plan, tuple[SkippedTouch, ...]]:
        """The plan of a cadence for a clock and the channels a lead can be reached on."""
        cadence = self.followup.require(name)
        policy = self.followup.policy
        found = [
            upcoming
            for upcoming in first_touches(cadence, clock, policy, jitter=False)
            if (upcoming.scheduled or upcoming.skipped[0]).touch.channel in usable
        ]
        return (
            tuple(
                (
                    (
                        cadence.name,
                        s.touch.step_key,
                        s.touch.channel,
                        s.touch.automated,
                        s.touch.template,
                        s.touch.say,
                        s.touch.day,
                    ),
                    tuple(map(utc_text, every_jitter(s.due_at, clock, policy)))
                    if s.unjittered
                    else (utc_text(s.due_at),),
                    ("planned", 0, utc_text(s.expires_at), s.owed),
                    s.touch.step_key,
                )
                for upcoming in found
                if (s := upcoming.scheduled) is not None
            ),
            tuple(skip for upcoming in found for skip in upcoming.skipped),
        )


def every_jitter(due: datetime, clock: LeadClock, policy: ContactPolicy) -> tuple[datetime, ...]:
    """`jittered(due, minutes, clock, policy)` for every jitter a lead may draw (0 to 9 minutes).

    In each zone a day's open hours are one interval inside 08:00-21:00 (so no midnight and no
    clock change falls in it): when `due` and its latest jitter are both open, every minute
    between is open too and each jitter simply moves `due` on; else each is asked on its own."""
    latest = due + timedelta(minutes=JITTER_MINUTES - 1)
    zones = clock.zones or (clock.zone,)
    if (
        check_moment(due, zones, clock.states, policy).allowed
        and check_moment(latest, zones, clock.states, policy).allowed
    ):
        return tuple(due + timedelta(minutes=minutes) for minutes in range(JITTER_MINUTES))
    return tuple(jittered(due, minutes, clock, policy) for minutes in range(JITTER_MINUTES))


def start_new_leads(
    connection: Connection,
    followup: FollowUp,
    leads: Iterable[dict[str, Any]],
    now: datetime,
    override: str | None = None,
    cache: FirstTouchCache | None = None,
) -> int:
    """Give freshly imported leads their cadence and first touches. Returns touches planned.

    The leads are the import's column -> value dicts, just inserted (this is its hot path)."""
    cache = cache or FirstTouchCache(followup)
    leads = list(leads)
    # Numbers and emails already opted out or on the DNC list (e.g. the same person bought
    # again from another vendor) get no touches on the closed channels.
    blocked = suppressions.live_scopes(
        connection, [v for lead in leads for v in (lead.get("phone"), lead.get("email")) if v]
    )
    rows: list[tuple[Any, ...]] = []
    skipped: list[dict[str, Any]] = []
    for lead in leads:
        name, start = followup.cadence_for_new_lead(lead, now, override)
        lead["cadence"] = name
        lead["cadence_started_at"] = start
        closed = closed_to_lead(lead, blocked) if blocked else frozenset()
        lead_id = lead["id"]
        # Its touches begin now, when the lead reaches you, even if it arrived earlier
        # (FollowUp.clock does the same for a stored lead).
        planned, skips = cache.plan_for(lead, name, now, closed)
        for values, dues, rest, key in planned:
            due = dues[jitter_minutes(lead_id, key)] if len(dues) > 1 else dues[0]
            rows.append((lead_id, *values, due, *rest))
        skipped += [skipped_row(lead_id, name, skip, now) for skip in skips]
    touch_store.insert_touch_tuples(connection, rows)
    touch_store.insert_touches(connection, skipped)
    return len(rows)
