"""`leadchase cadence preview`: a whole schedule in the lead's local time, as it would be met.

The preview follows an officer who works every item the moment it is allowed, through the same
rules the agenda and the send run apply: each touch planned by the scheduler (its day, time,
spacing and jitter), then asked of the contact policy (the lead's window and its state's attempt
cap) when it comes due, and skipped, with the reason, when it can no longer be made on its day
or has expired. Next to the touches: how many of each channel each day gets, against what the
cadence asks.

It sits above cadence/ because it looks a lead up the way lead work does; cadence/ itself
never reaches up into the features built on it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from leadchase.cadence.expiry import too_late
from leadchase.cadence.model import LAST_DAY, Cadence, LeadClock, day_label
from leadchase.cadence.schedule import NextTouch, ScheduledTouch, first_touches
from leadchase.cadence.schedule import next_touch as plan_touch
from leadchase.cadence.service import FollowUp
from leadchase.compliance.policy import ContactFacts, Rules, decide
from leadchase.contact.channels import CHANNELS, SOLICITATIONS
from leadchase.contact.places import lead_time_zones, normalise_state, normalise_zip
from leadchase.context import Context
from leadchase.errors import LeadchaseError
from leadchase.store.records import Lead
from leadchase.times import when

_HORIZON = timedelta(days=731)  # the cadence's last day, and a day's grace


@dataclass(frozen=True)
class PreviewRow:
    day: int  # 0 for a touch on a date of the lead; `step` names it
    due: datetime  # when it is made, or when it was to be made (skipped)
    local_time: str
    channel: str
    automated: bool
    detail: str
    status: str = "made"  # made | skipped
    reason: str = ""  # why it was skipped
    step: str = ""  # "day 4", "1st anniversary of closing" (day_label)

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["due"] = self.due.isoformat()
        return document


@dataclass(frozen=True)
class DayCount:
    """One cadence day (or date of the lead): how many of each channel it asks for and how
    many are made."""

    day: int
    asked: dict[str, int]
    made: dict[str, int]
    step: str = ""  # "day 4", "birthday" (day_label)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Preview:
    title: str
    rows: list[PreviewRow]
    zone: str  # the lead's zone, where its days are counted
    days: list[DayCount]
    arrival: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "arrival": self.arrival.astimezone(UTC).isoformat(),
            "timezone": self.zone,
            "touches": [row.to_json() for row in self.rows],
            "days": [day.to_json() for day in self.days],
        }


def preview_cadence(
    context: Context,
    now: datetime,
    *,
    lead: str | None = None,
    cadence: str | None = None,
    state: str = "CA",
    zip_code: str = "",
    arrive: str | None = None,
) -> Preview:
    followup = FollowUp.load(context.settings)
    if lead is not None:
        from leadchase.gate import Gate
        from leadchase.lead_reference import find_lead
        from leadchase.store import officers, suppressions

        if arrive is not None:
            raise LeadchaseError("--arrive is for a made-up lead (with --cadence), not a lead")
        with context.database.reading() as connection:
            facts = find_lead(connection, lead)
            values = [v for v in (facts.phone, facts.email) if v]
            scopes = suppressions.live_scopes(connection, values)
            team = officers.all_officers(connection)
        chosen = followup.require(facts.cadence) if facts.cadence else None
        if chosen is None:
            raise LeadchaseError(
                f"lead #{facts.id} has no cadence (stage {facts.stage}); nothing is planned"
            )
        start = facts.cadence_started_at or now
        title = f"{facts.name or facts.id}: {chosen.name}"
        clock = followup.clock(facts, start)
        contact = Gate(context.settings, followup, team).facts(facts, scopes, start)
    else:
        assert cadence is not None
        chosen = followup.require(cadence)
        code = normalise_state(state)
        if code is None:
            raise LeadchaseError(f"--state {state!r} is not a US state; use a code like FL or TX")
        zone, zones = lead_time_zones(code, normalise_zip(zip_code) if zip_code else None, None)
        # A made-up lead, never stored: only where it is matters to its schedule.
        made_up = Lead(id=0, state=code, timezone=zone, time_zones=";".join(zones))
        clock = followup.clock(made_up, now)
        if arrive is not None:  # in the zone its days are counted in
            clock = followup.clock(made_up, parse_arrival(arrive, now, clock.zone))
        title = f"{chosen.name} for a new lead in {code}"
        # A fresh inquiry through a form: automated texts have their basis.
        contact = ContactFacts(
            zones=clock.zones, states=clock.states, consent="fresh inquiry", zone=clock.zone
        )
    rows = simulate(chosen, clock, contact, Rules(window=followup.policy), now)
    return Preview(title, rows, clock.zone, _day_counts(chosen, rows), clock.start)


def parse_arrival(text: str, now: datetime, zone: str) -> datetime:
    """ "Tue 19:30" (the next Tuesday, today included), "19:30" (today) or "2026-03-03 19:30",
    in the lead's local time."""
    from dateutil import parser as date_parser

    local = ZoneInfo(zone)
    today = now.astimezone(local).replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        parsed = date_parser.parse(text, default=today.replace(tzinfo=None))
    except (ValueError, OverflowError):
        raise LeadchaseError(
            f"--arrive {text!r} is not a time; use e.g. 'Tue 19:30', '19:30' or "
            "'2026-03-03 19:30' (the lead's local time)"
        ) from None
    return parsed.replace(tzinfo=local) if parsed.tzinfo is None else parsed


def simulate(
    cadence: Cadence, clock: LeadClock, contact: ContactFacts, rules: Rules, now: datetime
) -> list[PreviewRow]:
    """Every touch of the cadence, made or skipped, for an officer who works each one the moment
    the contact policy allows it: in order of time."""
    policy = rules.window
    done: set[str] = set()
    attempts: list[datetime] = []  # calls and texts made: what a state's cap counts
    rows: list[PreviewRow] = []
    open_touches: dict[str, ScheduledTouch] = {}

    def take(found: NextTouch) -> None:
        for skip in found.skipped:
            done.add(skip.touch.step_key)
            rows.append(_row(skip.touch, skip.due_at, clock, now, "skipped", skip.reason))
        if found.scheduled is not None:
            open_touches[found.scheduled.touch.channel] = found.scheduled

    for found in first_touches(cadence, clock, policy):
        take(found)
    while open_touches:
        channel = min(open_touches, key=lambda c: (open_touches[c].due_at, CHANNELS.index(c)))
        scheduled = open_touches.pop(channel)
        touch, moment = scheduled.touch, scheduled.due_at
        if moment > clock.start + _HORIZON:
            break
        why = None
        if touch.automated:
            why = too_late(touch.template, scheduled.expires_at, clock.start, moment, clock.zone)
        if why is None:
            verdict = decide(
                contact,
                channel,
                automated=touch.automated,
                moment=moment,
                attempts=attempts,
                rules=rules,
            )
            if verdict.rule == "no-consent":  # the send run makes it a task for the officer
                verdict = decide(
                    contact, channel, automated=False, moment=moment, attempts=attempts, rules=rules
                )
            later = verdict.next_allowed_at
            if not verdict.allowed and later is not None and later > moment:
                # The agenda shows it waiting, the send run holds it: it comes due again then.
                open_touches[channel] = replace(scheduled, due_at=later)
                continue
            why = None if verdict.allowed else verdict.reason
        done.add(touch.step_key)
        if why is not None:
            rows.append(_row(touch, moment, clock, now, "skipped", why))
            last = None
        else:
            rows.append(_row(touch, moment, clock, now, "made", ""))
            last = moment
            if channel in SOLICITATIONS:
                attempts.append(moment)
        take(
            plan_touch(
                cadence,
                clock,
                policy,
                touch.channel,
                after=moment,
                done=done,
                last=last or _last_made(rows, channel),
            )
        )
    return sorted(rows, key=lambda row: (row.due, CHANNELS.index(row.channel)))


def _last_made(rows: list[PreviewRow], channel: str) -> datetime | None:
    made = [row.due for row in rows if row.channel == channel and row.status == "made"]
    return max(made) if made else None


def _row(
    touch: Any, moment: datetime, clock: LeadClock, now: datetime, status: str, reason: str
) -> PreviewRow:
    return PreviewRow(
        day=touch.day,
        due=moment,
        local_time=when(moment, clock.zone, now),
        channel=touch.channel,
        automated=touch.automated,
        detail=touch.template or touch.say or "",
        status=status,
        reason=reason,
        step=day_label(touch.day, touch.step_key),
    )


def _day_counts(cadence: Cadence, rows: list[PreviewRow]) -> list[DayCount]:
    """Per cadence day, then per date of the lead (each anniversary, every birthday as one):
    what is asked and what is made. A date of the lead asks only for the touches that fall
    inside the preview (the lead's own dates decide which), not for a hundred birthdays."""
    asked: Counter[tuple[int, str, str]] = Counter(
        (touch.day, day_label(touch.day, touch.step_key), touch.channel)
        for touch in cadence.touches()
        if not touch.anchor
    )
    asked.update((row.day, row.step, row.channel) for row in rows if row.day == 0)  # anchored
    made = Counter((row.day, row.step, row.channel) for row in rows if row.status == "made")
    steps = dict.fromkeys((day, step) for day, step, _ in asked)
    return [
        DayCount(
            day,
            {channel: asked[(day, step, channel)] for channel in CHANNELS},
            {channel: made[(day, step, channel)] for channel in CHANNELS},
            step,
        )
        for day, step in sorted(steps, key=lambda s: s[0] or LAST_DAY + 1)
    ]
