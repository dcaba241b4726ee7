"""The call calendar: the manual calls of the coming days, and an iCalendar file of them.

Each lead's calls come from its cadence, placed in time exactly as the scheduler places them
(cadence/schedule.place), less the calls already made; a call that is open in the database
keeps the time stored there (a snooze or a hold may have moved it). One event per lead per day,
at that day's first call, with the phone number and the talking points.

The icalendar package writes the file (RFC 5545: CRLF line ends, folding, escaping). Times are
UTC, so no VTIMEZONE is needed and every calendar shows each call at the right moment in the
officer's own zone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from leadchase.cadence.model import PlannedTouch
from leadchase.context import Context
from leadchase.store.records import Lead, Touch

# A call can be placed days after its cadence day (a weekend you skip next to a holiday, a
# state's Sunday ban): look this far back for calls that may have moved into the window.
PLACEMENT_SLACK = timedelta(days=4)
CALL_MINUTES = 15
OPEN = ("planned", "held")


@dataclass(frozen=True)
class PlannedCall:
    step_key: str
    day: int  # the cadence day
    due_at: datetime  # UTC
    say: str | None


ZONE_UNKNOWN = "Time zone unknown: check the lead's local time before calling."


@dataclass(frozen=True)
class CallEvent:
    """One lead's calls on one of its local days."""

    lead_id: int
    name: str
    phone: str
    timezone: str
    local_date: date
    cadence: str
    source: str
    offer: str
    calls: tuple[PlannedCall, ...]  # in time order
    zone_known: bool = True  # False: placed in your zone; check the lead's time before calling

    @property
    def start(self) -> datetime:
        return self.calls[0].due_at

    @property
    def uid(self) -> str:
        # Stable across exports, so a subscribed calendar updates an event instead of adding one.
        return f"call-{self.lead_id}-{self.local_date:%Y%m%d}@leadchase"

    def local_start(self, zone: str | None = None, shape: str = "%a %d %b %H:%M %Z") -> str:
        """When the first call is, in the lead's zone (or `zone`)."""
        return self.start.astimezone(ZoneInfo(zone or self.timezone)).strftime(shape)

    def to_json(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "lead_id": self.lead_id,
            "name": self.name,
            "phone": self.phone,
            "start": self.start.isoformat(),
            "local_date": self.local_date.isoformat(),
            "timezone": self.timezone,
            "cadence": self.cadence,
            "zone_known": self.zone_known,
            "calls": [
                {"step": c.step_key, "day": c.day, "due": c.due_at.isoformat(), "say": c.say}
                for c in self.calls
            ],
        }


@dataclass(frozen=True)
class CallCalendar:
    now: datetime
    until: datetime
    zone: str  # the officer's zone ([contact] default_timezone), where days are counted
    events: tuple[CallEvent, ...]  # by start time, then lead

    @property
    def leads(self) -> int:
        return len({event.lead_id for event in self.events})


def window_end(now: datetime, days: int, zone: str) -> datetime:
    """Midnight at the end of the `days`-th day, today being the first, in the officer's zone."""
    local = now.astimezone(ZoneInfo(zone))
    return datetime.combine(local.date() + timedelta(days=days), time(0), ZoneInfo(zone))


def upcoming_calls(context: Context, now: datetime, days: int) -> CallCalendar:
    """Every lead's cadence calls due from now to the end of the `days`-th day."""
    from leadchase.cadence.schedule import place
    from leadchase.cadence.service import FollowUp
    from leadchase.gate import Gate
    from leadchase.store import officers, reports, suppressions

    followup = FollowUp.load(context.settings)
    officer_zone = context.settings.contact.default_timezone
    until = window_end(now, days, officer_zone)
    calls_of = {
        name: tuple(t for t in cadence.touches() if t.channel == "call")
        for name, cadence in followup.cadences.cadences.items()
    }
    earliest = {
        name: now - timedelta(days=max(t.day for t in calls)) - PLACEMENT_SLACK
        for name, calls in calls_of.items()
        if calls
    }
    events: list[CallEvent] = []
    with context.database.reading() as connection:
        leads = list(reports.leads_with_calls_ahead(connection, earliest))
        touches = _touches_by_lead(reports.call_touches(connection, [lead.id for lead in leads]))
        blocks = suppressions.live_scopes(connection, [lead.phone for lead in leads if lead.phone])
        team = officers.all_officers(connection)
    policy = followup.policy
    gate = Gate(context.settings, followup, team)
    first_day, last_day = (now - PLACEMENT_SLACK).date(), until.date() + timedelta(days=1)
    for lead in leads:
        # The query reads leads with a phone, on a cadence, started: it narrows the types.
        assert lead.phone and lead.cadence and lead.cadence_started_at
        facts = gate.facts(lead, {lead.phone: blocks.get(lead.phone, frozenset())}, now)
        if "call" in facts.closed:
            continue
        name = lead.cadence
        made, open_due = touches.get((lead.id, name), (set(), {}))
        snoozed = lead.snoozed_until
        clock = followup.clock(lead, lead.cadence_started_at)
        zone = ZoneInfo(clock.zone)
        start_date = clock.start.astimezone(zone).date()
        planned: list[PlannedCall] = []
        for touch in calls_of[name]:
            if touch.step_key in made:
                continue
            due = open_due.get(touch.step_key)  # a snooze has already moved an open call
            if due is None:
                nominal = start_date + timedelta(days=touch.day - 1)
                if not first_day <= nominal <= last_day:
                    continue
                due = place(followup.cadences.cadences[name], touch, clock, policy)
                if snoozed is not None and due < snoozed:
                    continue  # missed while snoozed: the scheduler skips it, so does the calendar
            # The one contact policy places every event inside the lead's hours.
            placed = gate.place(facts, "call", due)
            if placed is None:
                continue
            due = placed
            if now <= due < until:
                planned.append(_call(touch, due))
        events.extend(_by_day(lead, clock.zone, planned, zone_known=bool(facts.zones)))
    events.sort(key=lambda event: (event.start, event.lead_id))
    return CallCalendar(now, until, officer_zone, tuple(events))


def _touches_by_lead(
    touches: Iterable[Touch],
) -> dict[tuple[int, str], tuple[set[str], dict[str, datetime]]]:
    """(lead, cadence) -> (step keys of calls made, due time of each open call)."""
    found: dict[tuple[int, str], tuple[set[str], dict[str, datetime]]] = defaultdict(
        lambda: (set(), {})
    )
    for touch in touches:
        made, open_due = found[(touch.lead_id, touch.cadence)]
        if touch.status in OPEN:
            open_due[touch.step_key] = touch.due_at
        else:
            made.add(touch.step_key)
    return found


def _call(touch: PlannedTouch, due: datetime) -> PlannedCall:
    return PlannedCall(touch.step_key, touch.day, due.astimezone(UTC), touch.say)


def _by_day(
    lead: Lead, zone: str, planned: list[PlannedCall], *, zone_known: bool
) -> Iterator[CallEvent]:
    days: dict[date, list[PlannedCall]] = defaultdict(list)
    for call in planned:
        days[call.due_at.astimezone(ZoneInfo(zone)).date()].append(call)
    for local_date, calls in days.items():
        yield CallEvent(
            lead_id=lead.id,
            name=lead.name or "(no name)",
            phone=lead.phone or "",
            timezone=zone,
            local_date=local_date,
            cadence=lead.cadence or "",
            source=lead.source or "",
            offer=lead.offer or "",
            calls=tuple(sorted(calls, key=lambda c: c.due_at)),
            zone_known=zone_known,
        )


# -- The iCalendar file ------------------------------------------------------------------------


def _description(event: CallEvent) -> str:
    count = len(event.calls)
    lines = [
        f"Phone: {event.phone}",
        f"Their time: {event.local_start()}",
        f"Day {event.calls[0].day} of {event.cadence}: {count} call{'s' if count > 1 else ''}",
    ]
    lines += [f"- {call.say}" for call in event.calls if call.say]
    if not event.zone_known:
        lines.append(ZONE_UNKNOWN)
    source = " / ".join(part for part in (event.source, event.offer) if part)
    if source:
        lines.append(f"Source: {source}")
    lines.append(f"Lead #{event.lead_id}: leadchase show {event.lead_id}")
    return "\n".join(lines)


def calendar_bytes(calendar: CallCalendar) -> bytes:
    """The calendar as an RFC 5545 file, written by the icalendar package: CRLF line ends, lines
    folded at 75 octets, TEXT values escaped, times in UTC."""
    import icalendar

    from leadchase.display import without_controls

    document = icalendar.Calendar()
    document.add("version", "2.0")
    document.add("prodid", "-//leadchase//call calendar//EN")
    document.add("calscale", "GREGORIAN")
    document.add("method", "PUBLISH")
    document.add("x-wr-calname", "leadchase calls")
    stamp = calendar.now.astimezone(UTC)
    for event in calendar.events:
        entry = icalendar.Event()
        entry.add("uid", event.uid)
        entry.add("dtstamp", stamp)
        entry.add("dtstart", event.start.astimezone(UTC))
        entry.add("duration", timedelta(minutes=CALL_MINUTES))
        # A lead's name or source holds no control character a calendar app would show raw.
        entry.add("summary", without_controls(f"Call {event.name} {event.phone}"))
        entry.add("description", without_controls(_description(event)))
        entry.add("categories", ["leadchase"])
        document.add_component(entry)
    content: bytes = document.to_ical(sorted=False)  # in the order added, as before
    return content


def write_calendar(calendar: CallCalendar, path: Path) -> None:
    """Write the calendar to `path` (0600: it holds phone numbers), replacing it whole."""
    from leadchase.files import private_file

    content = calendar_bytes(calendar).decode("utf-8")
    with private_file(path) as handle:
        handle.write(content)
