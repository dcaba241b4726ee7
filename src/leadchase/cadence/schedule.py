"""Placing a cadence's touches in time for one lead: pure functions of (cadence, lead clock, policy).

Day N of a cadence is the lead's local calendar day N-1 days after the cadence started. A day's
touches of one channel are spread evenly over that day's contact window (day 1: from the lead's
arrival), an `at` time pins a touch, `on_arrival` makes it due the moment the lead arrives, and
every touch is then moved to the next moment the contact window and state law allow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from leadchase.cadence.model import Cadence, PlannedTouch
from leadchase.compliance.windows import ContactPolicy, next_opening
from leadchase.contact.channels import CHANNELS, Channel


@dataclass(frozen=True)
class LeadClock:
    """Where and when a lead's cadence runs."""

    start: datetime  # aware: when the cadence started (the lead's arrival, or a stage change)
    zone: str  # the zone days are counted in: the lead's own, else the workspace default
    zones: tuple[str, ...]  # every candidate zone; the window must be open in all of them
    states: tuple[str, ...]  # every candidate state (address and area code)


@dataclass(frozen=True)
class ScheduledTouch:
    touch: PlannedTouch
    due_at: datetime  # aware UTC

    @property
    def step_key(self) -> str:
        return self.touch.step_key


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class _Shape:
    """What placement needs from a cadence, derived once per loaded cadence."""

    touches: tuple[PlannedTouch, ...]
    by_channel: dict[str, tuple[PlannedTouch, ...]]
    per_day: Counter[tuple[int, str]]


_shapes: dict[int, tuple[Cadence, _Shape]] = {}


def _shape(cadence: Cadence) -> _Shape:
    # Keyed by identity: hashing a whole cadence on every lookup would cost more than it saves.
    cached = _shapes.get(id(cadence))
    if cached is not None and cached[0] is cadence:
        return cached[1]
    touches = tuple(cadence.touches())
    shape = _Shape(
        touches,
        {c: tuple(t for t in touches if t.channel == c) for c in CHANNELS},
        Counter((t.day, t.channel) for t in touches),
    )
    _shapes[id(cadence)] = (cadence, shape)
    return shape


def place(
    touch: PlannedTouch,
    clock: LeadClock,
    policy: ContactPolicy,
    touches_that_day: int,
) -> datetime:
    """The moment a touch is due, already moved into the next allowed contact time."""
    zone = _zone(clock.zone)
    start_local = clock.start.astimezone(zone)
    day = start_local.date() + timedelta(days=touch.day - 1)
    if touch.on_arrival:
        nominal = clock.start
    elif touch.at is not None:
        nominal = datetime.combine(day, touch.at, zone)
    else:
        begin = datetime.combine(day, policy.start, zone)
        end = datetime.combine(day, policy.end, zone)
        if touch.day == 1:
            begin = max(begin, start_local)
        slot = (end - begin) / touches_that_day if end > begin else timedelta(0)
        nominal = begin + slot * (touch.index_in_day - 1)
    return _opening(nominal, clock.zones or (clock.zone,), clock.states, policy)


@lru_cache(maxsize=8192)
def _opening(
    nominal: datetime, zones: tuple[str, ...], states: tuple[str, ...], policy: ContactPolicy
) -> datetime:
    # A lead's first call, text and email usually share one nominal moment (its arrival).
    opening = next_opening(nominal, zones, states, policy, horizon_days=30)
    return (opening or nominal).astimezone(UTC)


def plan(cadence: Cadence, clock: LeadClock, policy: ContactPolicy) -> list[ScheduledTouch]:
    """Every touch of the cadence with its due time, in due order (for previews and timelines)."""
    shape = _shape(cadence)
    scheduled = [
        ScheduledTouch(t, place(t, clock, policy, shape.per_day[(t.day, t.channel)]))
        for t in shape.touches
    ]
    return sorted(scheduled, key=lambda s: (s.due_at, s.touch.day, s.touch.channel))


def next_touch(
    cadence: Cadence,
    clock: LeadClock,
    policy: ContactPolicy,
    channel: Channel,
    *,
    after: datetime,
    done: Collection[str] = (),
    inclusive: bool = False,
) -> ScheduledTouch | None:
    """The channel's next touch not yet made that is due after `after`.

    Touches whose time passed while nothing was done are skipped rather than piled up: a lead
    shows once per channel however many touches were missed.
    """
    shape = _shape(cadence)
    for touch in shape.by_channel.get(channel, ()):
        if touch.step_key in done:
            continue
        due = place(touch, clock, policy, shape.per_day[(touch.day, touch.channel)])
        if due > after or (inclusive and due == after):
            return ScheduledTouch(touch, due)
    return None


def first_touches(
    cadence: Cadence, clock: LeadClock, policy: ContactPolicy
) -> list[ScheduledTouch]:
    """The first touch of every channel the cadence uses: what a lead starts with."""
    found = []
    for channel in CHANNELS:
        upcoming = next_touch(cadence, clock, policy, channel, after=clock.start, inclusive=True)
        if upcoming is not None:
            found.append(upcoming)
    return found
