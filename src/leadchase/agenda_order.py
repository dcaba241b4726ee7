"""The order of `today`, and why each task is where it is.

Replies and possible opt-outs come first (agenda.py). Then, in each channel:

1. **The first hour**: new leads nobody has reached yet that asked in the last hour, newest
   first. The first five minutes are the most valuable thing on the page (qualifying odds drop
   ~21x between a 5- and a 30-minute first response).
2. **Everything else due**, by
   a. the lead's day, earliest first: day 1 is the day a new lead asked (its lead date, else
      when it was imported), or the day the lead's current cadence started (a stage change).
      A list of aged leads bought today is on the day they asked months ago, so it does not
      push down yesterday's leads;
   b. attempts so far (calls, texts and emails, by hand or sent), fewest first;
   c. how overdue, the least first: among leads on the same day with as many attempts, the
      task that fell due last, which for new leads is the one that asked last. Their odds fall
      fastest in the first hours, so the newest leads still come first.

A lead counts as new while its stage is `new` and nobody has reached it (no talk, no reply).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from leadchase.store.records import Lead, Touch
from leadchase.words import counted

FIRST_HOUR = timedelta(hours=1)


def asked_at(lead: Lead) -> datetime | None:
    """When the lead asked: its lead date, else when it was imported (store/touches.py first_hour_rows)."""
    return lead.lead_date or lead.imported_at


def is_new(lead: Lead) -> bool:
    """Still a new lead: in stage new, and nobody has reached it yet."""
    return lead.stage == "new" and lead.contacted_at is None


def is_aged(lead: Lead, aged_after_days: int) -> bool:
    """Bought long after it asked (an aged list): its wait is not ours to apologise for."""
    asked, received = lead.lead_date, lead.imported_at
    return (
        asked is not None
        and received is not None
        and received - asked > timedelta(days=aged_after_days)
    )


def in_first_hour(lead: Lead, now: datetime) -> bool:
    asked = asked_at(lead)
    return is_new(lead) and asked is not None and asked >= now - FIRST_HOUR


@dataclass(frozen=True)
class Place:
    """Where a due task goes in its channel's list: sort by `key`; `why` says it in words."""

    key: tuple[int, float, int, float]
    why: str


def place(touch: Touch, lead: Lead, now: datetime, zone: str) -> Place:
    """A due task's place on the agenda (the module docstring says the rule)."""
    asked = asked_at(lead)
    if asked is not None and in_first_hour(lead, now):
        minutes = max(0, int((now - asked).total_seconds() // 60))
        return Place(
            (0, -asked.timestamp(), 0, 0.0), f"first hour: asked {minutes} min ago, newest first"
        )
    day, since = lead_day(lead, now, zone)
    overdue = (now - touch.due_at).total_seconds()
    attempts = counted(lead.attempts, "attempt") + " so far" if lead.attempts else "no attempts yet"
    why = f"day {day} {since}, {attempts}, due {duration(int(overdue // 60))} ago"
    return Place((1, day, lead.attempts, overdue), why)


def lead_day(lead: Lead, now: datetime, zone: str) -> tuple[int, str]:
    """The lead's day in its own calendar, and what it counts from."""
    local = ZoneInfo(zone)
    asked = asked_at(lead)
    if is_new(lead) and asked is not None:
        start, since = asked, "since they asked"
    elif lead.cadence_started_at is not None:
        start, since = lead.cadence_started_at, f"of {lead.cadence or 'the cadence'}"
    else:
        return 1, "on the agenda"
    first: date = start.astimezone(local).date()
    return max(1, (now.astimezone(local).date() - first).days + 1), since


def first_call(waited_minutes: int, say: str | None) -> str:
    """What to say on the first call to a new lead: it depends on how long they waited."""
    if waited_minutes < FIRST_HOUR.total_seconds() // 60:
        opening = f"Call now: {duration(waited_minutes)} since they asked."
    else:
        opening = (
            f"First call, {duration(waited_minutes)} after they asked: say sorry for the wait."
        )
    return f"{opening} {say}" if say else opening


def duration(minutes: int) -> str:
    """5 min, 2 h 05 min, 30 h, 3 days."""
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return (
            f"{minutes // 60} h {minutes % 60:02d} min" if minutes < 600 else f"{minutes // 60} h"
        )
    return f"{minutes // (24 * 60)} days"
