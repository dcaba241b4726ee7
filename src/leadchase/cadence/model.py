"""What a loaded cadence is: days, touches, the stage map and the problems found on the way, and
the clock a lead's cadence runs on (LeadClock).

Pure data and the format's small words (day numbers and ranges, counts, times of day), no YAML
in sight: load.py reads the files, and the scheduler and agenda build and test cadences directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from leadchase.cadence.stages import StageMap
from leadchase.contact.channels import Channel
from leadchase.errors import CadenceError
from leadchase.words import counted, ordinal

FIRST_DAY = 1
LAST_DAY = 730  # two years: where the playbook's taper ends
# At most this many anniversaries of one date fall in two years (at the start, a year on, two).
ANNIVERSARIES_IN_TWO_YEARS = 3
MAX_TOUCHES_PER_DAY = 10  # per channel; more is a typo, not a cadence
ARRIVAL = "arrival"  # the time of day meaning "the moment the lead arrives"
# Parts of the day a cadence may name instead of a clock time, in the lead's local time.
PARTS_OF_DAY = {
    "morning": time(9),
    "midday": time(12),
    "afternoon": time(15),
    "evening": time(18),
}
# Dates of the lead a step may count from instead of the cadence's start (`from:`), and the
# most anniversaries a step may name (`years: every` is 1 to this many).
ANCHORS = ("closing_date", "birthday")
MOST_YEARS = 100
# Cadences that run beside a lead's own, started by an event rather than a stage (rates
# dropped): planning one leaves the lead's cadence and its touches as they are.
RATE_DROP = "rate-drop"
CAMPAIGNS = frozenset({RATE_DROP})
# Between two attempts on one channel, unless the cadence says otherwise (min_gap:).
DEFAULT_MIN_GAP = timedelta(hours=3)
LONGEST_GAP = timedelta(hours=12)  # two attempts a day must still fit in one contact window

# A touch on a date of the lead is on no day of its cadence (its day is 0): where a day number
# would stand, it is called by its date, in the officer's words (day_label).
_ANCHORED_KEY = re.compile(r"([a-z_]+)\+(\d+)y-")
_ANCHOR_WORDS = {"closing_date": "{nth} anniversary of closing", "birthday": "birthday"}
_DAY_RANGE = re.compile(r"(\d+)\s*-\s*(\d+)")
_TIME_OF_DAY = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_DURATION = re.compile(r"(\d+)\s*(m|min|h|d)")
_UNITS = {"m": timedelta(minutes=1), "min": timedelta(minutes=1), "h": timedelta(hours=1)}


def parse_day(text: str) -> int:
    """A cadence day, "1" (the day the lead starts) to "730"."""
    if not text.isdecimal():
        raise CadenceError(f"day '{text}' is not a day number (use {FIRST_DAY} to {LAST_DAY})")
    if not FIRST_DAY <= int(text) <= LAST_DAY:
        raise CadenceError(f"day {int(text)} is out of range (use {FIRST_DAY} to {LAST_DAY})")
    return int(text)


def parse_days(text: str) -> tuple[int, ...]:
    """One day ("4") or an inclusive range ("3-10") as the days it covers."""
    if text.isdecimal():
        return (parse_day(text),)
    match = _DAY_RANGE.fullmatch(text)
    if match is None:
        raise CadenceError(f"days '{text}' is not a day range (write e.g. 3-10 or [3, 5, 8])")
    first, last = parse_day(match[1]), parse_day(match[2])
    if first > last:
        raise CadenceError(f"days '{text}' runs backwards (write {last}-{first})")
    return tuple(range(first, last + 1))


def parse_time_of_day(text: str) -> time:
    """ "09:30" or "9:30" (24-hour, the lead's local time), or a part of the day ("midday")."""
    if text.lower() in PARTS_OF_DAY:
        return PARTS_OF_DAY[text.lower()]
    match = _TIME_OF_DAY.fullmatch(text)
    if match is None:
        raise CadenceError(
            f"time '{text}' is not HH:MM (use 24-hour time like 09:30, "
            f"{', '.join(PARTS_OF_DAY)}, or arrival on day 1)"
        )
    return time(int(match[1]), int(match[2]))


def parse_duration(text: str, what: str, longest: timedelta) -> timedelta:
    """ "90m", "3h" or "2d": a length of time above zero and at most `longest`."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise CadenceError(f"{what} '{text}' is not a length of time (use e.g. 90m, 3h or 2d)")
    length = int(match[1]) * _UNITS.get(match[2], timedelta(days=1))
    if not timedelta(0) < length <= longest:
        raise CadenceError(
            f"{what} '{text}' is out of range (use more than 0 and at most {duration(longest)})"
        )
    return length


def parse_min_gap(text: str) -> timedelta:
    return parse_duration(text, "min_gap", LONGEST_GAP)


def parse_expires_after(channel: Channel, text: str, automated: bool) -> timedelta | None:
    """How long an automated touch may still go after its time; None when not given."""
    if not text:
        return None
    if not automated:
        raise CadenceError(
            f"expires_after only applies to automated touches; this {channel} is a task for "
            "you (remove expires_after)"
        )
    return parse_duration(text, f"{channel} expires_after", timedelta(days=LAST_DAY))


def duration(length: timedelta) -> str:
    """A length of time as a person writes it: "3 h", "90 min", "2 days", "1 h 30 min"."""
    minutes = int(length.total_seconds() // 60)
    if minutes >= 24 * 60 and minutes % (24 * 60) == 0:
        return counted(minutes // (24 * 60), "day")
    hours, rest = divmod(minutes, 60)
    if hours == 0 or (hours == 1 and rest):
        return f"{minutes} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def parse_count(channel: Channel, text: str) -> int:
    """How many touches of one channel a step plans on each of its days."""
    if not text.isdecimal() or not 1 <= int(text) <= MAX_TOUCHES_PER_DAY:
        raise CadenceError(
            f"{channel} count '{text}' is out of range "
            f"(use 1 to {MAX_TOUCHES_PER_DAY}, or leave {channel} out)"
        )
    return int(text)


def parse_times(
    channel: Channel, texts: list[str], count: int, days: tuple[int, ...]
) -> list[tuple[time | None, bool]]:
    """(time of day, on arrival) for each of a step's touches of one channel: the texts give
    them in order ("09:30", or "arrival" for the first touch of day 1); the rest get neither."""
    if len(texts) > count:
        raise CadenceError(
            f"{channel} has {counted(len(texts), 'time')} for {counted(count, 'touch')} "
            "(one per touch)"
        )
    moments: list[tuple[time | None, bool]] = []
    for position, text in enumerate(texts):
        if text != ARRIVAL:
            moments.append((parse_time_of_day(text), False))
        elif days != (FIRST_DAY,):
            raise CadenceError(f"'arrival' only works on day 1 (give {channel} a time like 09:30)")
        elif position > 0:
            raise CadenceError(f"'arrival' can only be the first {channel} time of the day")
        else:
            moments.append((None, True))
    return moments + [(None, False)] * (count - len(texts))


def parse_years(text: str) -> tuple[int, ...]:
    """Anniversaries of a step's `from:` date: "1", "2-10", or "every" (1 to MOST_YEARS)."""
    if text.lower() == "every":
        return tuple(range(1, MOST_YEARS + 1))
    match = _DAY_RANGE.fullmatch(text)
    first, last = (match[1], match[2]) if match else (text, text)
    if not (first.isdecimal() and last.isdecimal()) or not (
        1 <= int(first) <= int(last) <= MOST_YEARS
    ):
        raise CadenceError(
            f"years '{text}' is not a year or a range of years (write e.g. 1, 2-10 or every; "
            f"at most {MOST_YEARS})"
        )
    return tuple(range(int(first), int(last) + 1))


def parse_anchor(text: str) -> str:
    if text not in ANCHORS:
        raise CadenceError(f"from '{text}' is not a date of the lead (use {', '.join(ANCHORS)})")
    return text


def step_key(day: int, channel: Channel, index_in_day: int) -> str:
    """The stable id of a touch inside its cadence, e.g. "d1-text-1".

    It depends only on where the touch sits (day, channel, position that day), so editing a
    template, a time or another day never turns an already planned touch into a new one.
    """
    return f"d{day}-{channel}-{index_in_day}"


def anchored_key(anchor: str, years: int, channel: Channel, index_in_day: int) -> str:
    """The stable id of a touch on an anniversary, e.g. "closing_date+1y-text-1"."""
    return f"{anchor}+{years}y-{channel}-{index_in_day}"


def day_label(day: int, step_key: str) -> str:
    """Where a touch sits in its cadence, as every display says it: "day 4", or for a touch on
    a date of the lead (anchored_key) "1st anniversary of closing" or "birthday" (never the
    age: the birth year may be a guess). "" for a touch on no day (one logged by hand)."""
    match = _ANCHORED_KEY.match(step_key)
    if match is None:
        return f"day {day}" if day else ""
    anchor, years = match[1], int(match[2])
    words = _ANCHOR_WORDS.get(anchor, "{nth} anniversary of " + anchor.replace("_", " "))
    return words.format(nth=ordinal(years))


@dataclass(frozen=True)
class TouchSpec:
    """One touch of a step: the index_in_day-th call, text or email of that day."""

    channel: Channel
    index_in_day: int
    automated: bool
    template: str | None
    at: time | None  # the lead's local time of day; None = any time in the contact window
    on_arrival: bool  # due the moment the lead arrives (day 1 only)
    say: str | None = None  # talking point shown on the agenda for manual touches
    expires_after: timedelta | None = None  # None: until the next day's touch, at most 2 days


@dataclass(frozen=True)
class Step:
    """Everything planned for one day of the cadence (day 1 = the day the lead starts)."""

    day: int  # with an anchor: the anniversary (1: a year after that date)
    touches: tuple[TouchSpec, ...]
    anchor: str | None = None  # a date of the lead the step counts from (ANCHORS)


@dataclass(frozen=True)
class PlannedTouch:
    """One touch of a cadence, before it is placed in time for a lead (schedule.py)."""

    day: int
    channel: Channel
    index_in_day: int
    automated: bool
    template: str | None
    at: time | None
    on_arrival: bool
    step_key: str
    say: str | None = None
    expires_after: timedelta | None = None
    anchor: str | None = None  # on the `years`-th anniversary of this date of the lead
    years: int = 0

    @property
    def when(self) -> tuple[str, int]:
        """Which day of the cadence the touch belongs to: ("", day) or (anchor, years)."""
        return (self.anchor, self.years) if self.anchor else ("", self.day)


@dataclass(frozen=True)
class Cadence:
    """One cadence file: its days of touches and the spacing between attempts."""

    name: str
    description: str
    steps: tuple[Step, ...]  # one per day that has touches, in day order
    source_file: Path
    min_gap: timedelta = DEFAULT_MIN_GAP  # between two attempts on one channel

    def touches(self) -> list[PlannedTouch]:
        """Every touch of the cadence in day order, each with its stable step_key."""
        return [
            PlannedTouch(
                day=0 if step.anchor else step.day,
                channel=touch.channel,
                index_in_day=touch.index_in_day,
                automated=touch.automated,
                template=touch.template,
                at=touch.at,
                on_arrival=touch.on_arrival,
                step_key=(
                    anchored_key(step.anchor, step.day, touch.channel, touch.index_in_day)
                    if step.anchor
                    else step_key(step.day, touch.channel, touch.index_in_day)
                ),
                say=touch.say,
                expires_after=touch.expires_after,
                anchor=step.anchor,
                years=step.day if step.anchor else 0,
            )
            for step in self.steps
            for touch in step.touches
        ]

    def touches_in_two_years(self) -> list[PlannedTouch]:
        """The touches one lead can get within two years (LAST_DAY), the span no wording
        repeats in: every touch counted in days, and of each anniversary step only as many
        anniversaries as fall in two years (ANNIVERSARIES_IN_TWO_YEARS: a yearly greeting is
        worded afresh each time it could be remembered, not for 30 years at once)."""
        seen: dict[tuple[str, str, int], int] = {}
        kept = []
        for touch in self.touches():
            if touch.anchor:
                group = (touch.anchor, touch.channel, touch.index_in_day)
                seen[group] = seen.get(group, 0) + 1
                if seen[group] > ANNIVERSARIES_IN_TWO_YEARS:
                    continue
            kept.append(touch)
        return kept

    def attempts_in_first(self, days: int) -> int:
        """Calls, texts and emails planned in days 1..days (the playbook's "6-8 attempts")."""
        return sum(len(step.touches) for step in self.steps if not step.anchor and step.day <= days)


def fingerprint(cadence: Cadence) -> str:
    """Everything that places a touch, hashed: its steps and the spacing between them (the
    database keeps it to tell when a cadence file changed, cadence/replan.py)."""
    import hashlib

    return hashlib.sha256(repr((cadence.min_gap, cadence.touches())).encode()).hexdigest()


@dataclass(frozen=True)
class LeadClock:
    """Where and when a lead's cadence runs."""

    start: datetime  # aware: when the cadence began for you (arrival, import, stage change)
    zone: str  # the zone days are counted in: the lead's own, else the workspace default
    zones: tuple[str, ...]  # every candidate zone; the window must be open in all of them
    states: tuple[str, ...]  # every candidate state (address and area code)
    seed: int = 0  # the lead's id: its touches' jitter is drawn from it
    # The lead's own dates a step may count from (`from: closing_date`): (name, day) pairs.
    anchors: tuple[tuple[str, date], ...] = ()


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a cadence folder, worded for the person who edits the YAML."""

    file: str
    step: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.step is None else f"{self.file}, step '{self.step}'"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class CadenceSet:
    """The cadences that loaded cleanly, the stage map, and every problem found."""

    cadences: dict[str, Cadence]
    stage_map: StageMap
    problems: tuple[Problem, ...]
    # Each cadence's fingerprint, by name: worked out when its file is checked (checked.py).
    fingerprints: dict[str, str]

    def for_stage(self, stage: str) -> Cadence | None:
        name = self.stage_map.cadence_for(stage)
        return None if name is None else self.cadences[name]
