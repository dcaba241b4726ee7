"""How a moment reads on screen: one shape, in the zone that matters to the reader.

The rule every screen follows: a lead's times (its touches, messages, snooze, "their time") in
the lead's own zone; the officer's own events (a number put on the do-not-call list, when the
next task is due) in the officer's zone, `[contact] default_timezone`; UTC only with `--utc`.
JSON documents carry ISO 8601 times in UTC and never use this module.

The shape is "Sat Nov 28 4:30 PM EST": the weekday and date a US officer reads at a glance, a
12-hour clock, and the zone's abbreviation so a time is never read in the wrong zone. The year
is added ("Mon Jan 4 2027 9:00 AM EST") only when it is not the current one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

UTC_ZONE = "UTC"


def when(moment: datetime, zone: str, now: datetime) -> str:
    """`moment` in `zone`, in the one screen shape: "Sat Nov 28 4:30 PM EST"."""
    local = moment.astimezone(ZoneInfo(zone))
    hour = local.hour % 12 or 12
    return f"{day(moment, zone, now)} {hour}:{local:%M %p %Z}"


def day(moment: datetime, zone: str, now: datetime) -> str:
    """The date part of the screen shape: "Sat Nov 28" (with the year when it is not now's)."""
    local = moment.astimezone(ZoneInfo(zone))
    year = "" if local.year == now.astimezone(ZoneInfo(zone)).year else f" {local.year}"
    return f"{local:%a %b} {local.day}{year}"


@dataclass(frozen=True)
class Zones:
    """Which zone each kind of time shows in, for one command run."""

    officer: str  # [contact] default_timezone
    utc: bool = False  # --utc

    def lead(self, zone: str | None) -> str:
        """A lead's times: its own zone, the officer's when the lead's is unknown."""
        return UTC_ZONE if self.utc else (zone or self.officer)

    @property
    def own(self) -> str:
        """The officer's own events."""
        return UTC_ZONE if self.utc else self.officer
