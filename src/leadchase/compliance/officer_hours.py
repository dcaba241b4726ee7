"""An officer's own contact window: their leads are contacted only while they work.

`leadchase officer add --window-start 10:00 --window-end 18:00 --timezone America/Los_Angeles`
gives an officer hours of their own, in their own zone, every day. The policy (policy.py) asks
them on top of the lead's window (windows.py): a touch goes only when both are open, so a
text never lands while its officer is away and cannot answer the reply. Pure functions of the
moment passed in, like the rest of compliance/.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from leadchase.compliance.windows import Decision


@dataclass(frozen=True)
class OfficerHours:
    """One officer's window, [start, end) in `zone` (an IANA name `officer add` checked)."""

    name: str
    start: time
    end: time
    zone: str

    def check(self, moment: datetime) -> Decision:
        """Whether `moment` is inside the officer's hours, and the sentence saying so."""
        local = moment.astimezone(ZoneInfo(self.zone))
        hours = f"{self.name}'s hours ({self.start:%H:%M}-{self.end:%H:%M} {self.zone})"
        if local.time() < self.start:
            return Decision(False, "officer-hours", f"{local:%H:%M} is before {hours}")
        if local.time() >= self.end:
            return Decision(False, "officer-hours", f"{local:%H:%M} is after {hours}")
        return Decision(True, "allowed", f"inside {hours}")

    def next_opening(self, moment: datetime) -> datetime:
        """The earliest instant >= `moment` inside the officer's hours, as UTC."""
        if self.check(moment).allowed:
            return moment.astimezone(UTC)
        tz = ZoneInfo(self.zone)
        local = moment.astimezone(tz)
        day = local.date() if local.time() < self.start else local.date() + timedelta(days=1)
        return datetime.combine(day, self.start, tzinfo=tz).astimezone(UTC)


def officer_hours(name: str, start: str, end: str, zone: str) -> OfficerHours | None:
    """The hours stored with an officer ("HH:MM" texts); None when they have none."""
    if not (start and end and zone):
        return None
    return OfficerHours(name, time.fromisoformat(start), time.fromisoformat(end), zone)
