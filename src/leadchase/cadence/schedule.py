"""Placing a cadence's touches in time for one lead: pure functions of (cadence, lead clock, policy).

Day 1 is the day the lead reaches you when enough of that day's contact window is left for the
day's attempts, spaced by the cadence's min_gap; otherwise it is the next day the window opens,
and the whole cadence shifts with it (`at: arrival` touches still go at once when the window is
open). Day N is N-1 calendar days later in the lead's zone; a day the window never opens (a
weekend or holiday you skip) hands its touches to the next day it does.

On its day a touch is due at its `at` time (a clock time or part of the day) or at its slot in
an even spread of the window, channels staggered; a small jitter from the lead and the step
(0-9 minutes) keeps every message from leaving at 09:00:00; then it is moved into the window.

A channel's next touch comes at least min_gap after its last one. A touch that then no longer
fits its day (the officer came late, the gap runs past the end of the window) is skipped with
the reason, and the next is owed: a late day never pulls the next day's touches into it.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from leadchase.cadence.model import Cadence, LeadClock, PlannedTouch, day_label, duration
from leadchase.compliance.windows import ContactPolicy, check_moment, next_opening, window_for_day
from leadchase.contact.channels import CHANNELS, Channel
from leadchase.times import when

JITTER_MINUTES = 10  # a touch's jitter is 0 to 9 minutes
DEFAULT_EXPIRY = timedelta(days=2)  # an automated touch's longest life without expires_after
_LOOK_AHEAD_DAYS = 14  # how far a closed day looks for the next open one


@dataclass(frozen=True)
class ScheduledTouch:
    touch: PlannedTouch
    due_at: datetime  # aware UTC
    expires_at: datetime | None = None  # an automated touch is never sent after this
    owed: int = 1  # touches of this channel its day still asks for, this one included
    # Planned without jitter (plans shared by leads), and one that the lead's jitter may move.
    unjittered: bool = False

    @property
    def step_key(self) -> str:
        return self.touch.step_key


@dataclass(frozen=True)
class SkippedTouch:
    """A touch that can no longer be made on its day, and why."""

    touch: PlannedTouch
    due_at: datetime  # when it was to be made
    reason: str


@dataclass(frozen=True)
class NextTouch:
    """A channel's next touch (None: the cadence has no more) and those skipped to reach it."""

    scheduled: ScheduledTouch | None
    skipped: tuple[SkippedTouch, ...] = ()


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class _Shape:
    """What placement needs from a cadence, derived once per loaded cadence."""

    touches: tuple[PlannedTouch, ...]
    by_channel: dict[str, tuple[PlannedTouch, ...]]
    per_day: Counter[tuple[tuple[str, int], str]]  # (PlannedTouch.when, channel) -> touches
    next_day: dict[str, PlannedTouch]  # step key -> the first touch of the channel's next day
    room: timedelta  # what day 1 must have left of its window: the spaced day-1 attempts
    anchored: bool = False  # some steps count from a date of the lead, not the start


_shapes: dict[int, tuple[Cadence, _Shape]] = {}


def _shape(cadence: Cadence) -> _Shape:
    # Keyed by identity: hashing a whole cadence on every lookup would cost more than it saves.
    cached = _shapes.get(id(cadence))
    if cached is not None and cached[0] is cadence:
        return cached[1]
    touches = tuple(cadence.touches())
    by_channel: dict[str, tuple[PlannedTouch, ...]] = {
        c: tuple(t for t in touches if t.channel == c) for c in CHANNELS
    }
    per_day: Counter[tuple[tuple[str, int], str]] = Counter((t.when, t.channel) for t in touches)
    next_day = {}
    for channel_touches in by_channel.values():
        ordered = [t for t in channel_touches if not t.anchor]
        for touch in ordered:
            later = next((t for t in ordered if t.day > touch.day), None)
            if later is not None:
                next_day[touch.step_key] = later
    most = max((n for (when, _), n in per_day.items() if when == ("", 1)), default=1)
    anchored = any(t.anchor for t in touches)
    room = cadence.min_gap * (most - 1)
    shape = _Shape(touches, by_channel, per_day, next_day, room, anchored)
    _shapes[id(cadence)] = (cadence, shape)
    return shape


# ---- days ------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _hours(
    day: date, zone: str, states: tuple[str, ...], policy: ContactPolicy
) -> tuple[datetime, datetime] | None:
    return window_for_day(day, zone, states, policy)


@lru_cache(maxsize=8192)
def _open_day(day: date, zone: str, states: tuple[str, ...], policy: ContactPolicy) -> date:
    """`day`, or the first later day whose window opens."""
    for ahead in range(_LOOK_AHEAD_DAYS):
        if _hours(day + timedelta(days=ahead), zone, states, policy) is not None:
            return day + timedelta(days=ahead)
    return day


@lru_cache(maxsize=8192)
def _first_day(
    start: datetime, zone: str, states: tuple[str, ...], policy: ContactPolicy, room: timedelta
) -> date:
    """Day 1: the day of `start` if the window left after it holds `room`, else the next one."""
    today = start.astimezone(_zone(zone)).date()
    hours = _hours(today, zone, states, policy)
    if hours is not None and hours[1] - max(hours[0], start) > room:
        return today
    return _open_day(today + timedelta(days=1), zone, states, policy)


def _date_of(day: int, clock: LeadClock, policy: ContactPolicy, shape: _Shape) -> date:
    first = _first_day(clock.start, clock.zone, clock.states, policy, shape.room)
    if day == 1:
        return first
    return _open_day(first + timedelta(days=day - 1), clock.zone, clock.states, policy)


def _anniversary(touch: PlannedTouch, clock: LeadClock) -> date | None:
    """The `years`-th anniversary of the touch's date of the lead (28 February for the 29th
    in other years); None when the lead has no such date."""
    anchor = dict(clock.anchors).get(touch.anchor or "")
    if anchor is None:
        return None
    year = anchor.year + touch.years
    try:
        return anchor.replace(year=year)
    except ValueError:  # 29 February, in a year without one
        return date(year, 2, 28)


def _day_of(touch: PlannedTouch, clock: LeadClock, policy: ContactPolicy, shape: _Shape) -> date:
    if touch.anchor is None:
        return _date_of(touch.day, clock, policy, shape)
    on = _anniversary(touch, clock)
    assert on is not None  # _for_lead left out the touches whose date the lead lacks
    return _open_day(on, clock.zone, clock.states, policy)


def _for_lead(
    shape: _Shape, channel: str, clock: LeadClock, policy: ContactPolicy
) -> tuple[PlannedTouch, ...]:
    """The channel's touches in the order of their days for this lead. An anniversary the lead
    has no date for, or that falls before the cadence's first day, is not one of its touches."""
    touches = shape.by_channel.get(channel, ())
    if not shape.anchored:
        return touches
    first = _date_of(1, clock, policy, shape)
    dated = []
    for position, touch in enumerate(touches):
        if touch.anchor is not None:
            on = _anniversary(touch, clock)
            if on is None or _open_day(on, clock.zone, clock.states, policy) < first:
                continue
        dated.append((_day_of(touch, clock, policy, shape), position, touch))
    return tuple(touch for _, _, touch in sorted(dated, key=lambda item: item[:2]))


# ---- one touch on its day --------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    due: datetime  # in the window, UTC
    closes: datetime  # the end of its day's window: it is made before this or skipped
    jitter: bool


def _slot(touch: PlannedTouch, clock: LeadClock, policy: ContactPolicy, shape: _Shape) -> _Slot:
    """Where a touch falls on its own (no earlier touch late, no gap), without the jitter."""
    zone = _zone(clock.zone)
    on = _day_of(touch, clock, policy, shape)
    hours = _hours(on, clock.zone, clock.states, policy)
    begin, end = hours or (
        datetime.combine(on, policy.start, zone),
        datetime.combine(on, policy.end, zone),
    )
    if touch.on_arrival:
        nominal = clock.start
    elif touch.at is not None:
        nominal = datetime.combine(on, touch.at, zone)
    else:
        if touch.day == 1:
            begin = max(begin, clock.start)
        # Day 1 starts every channel at once (speed to lead); later days stagger them.
        stagger = 0 if touch.day == 1 else CHANNELS.index(touch.channel) / len(CHANNELS)
        count = shape.per_day[(touch.when, touch.channel)]
        slot = (end - begin) / count if end > begin else timedelta(0)
        nominal = begin + slot * (touch.index_in_day - 1 + stagger)
    if touch.day == 1:
        nominal = max(nominal, clock.start)
    due = _opening(nominal, clock.zones or (clock.zone,), clock.states, policy)
    return _Slot(due, end.astimezone(UTC), nominal != clock.start)


@lru_cache(maxsize=8192)
def _opening(
    nominal: datetime, zones: tuple[str, ...], states: tuple[str, ...], policy: ContactPolicy
) -> datetime:
    # A lead's first call, text and email usually share one nominal moment (its arrival).
    opening = next_opening(nominal, zones, states, policy, horizon_days=30)
    return (opening or nominal).astimezone(UTC)


@lru_cache(maxsize=4096)
def _step_hash(step_key: str) -> int:
    return zlib.crc32(step_key.encode())


def jitter_minutes(seed: int, step_key: str) -> int:
    """The lead's jitter for a step, 0 to 9 minutes: the same every time it is asked."""
    return zlib.crc32(seed.to_bytes(8, "little", signed=True), _step_hash(step_key)) % (
        JITTER_MINUTES
    )


def jittered(due: datetime, minutes: int, clock: LeadClock, policy: ContactPolicy) -> datetime:
    """`due` moved on by `minutes`, unless that leaves the lead's window (then `due` itself)."""
    if minutes == 0:
        return due
    moved = due + timedelta(minutes=minutes)
    zones = clock.zones or (clock.zone,)
    return moved if check_moment(moved, zones, clock.states, policy).allowed else due


def _expiry(
    touch: PlannedTouch, base: datetime, clock: LeadClock, policy: ContactPolicy, shape: _Shape
) -> datetime | None:
    """When an automated touch stops being worth sending: expires_after past its time, else
    when the channel's next day begins (at most DEFAULT_EXPIRY later)."""
    if not touch.automated:
        return None
    if touch.expires_after is not None:
        return base + touch.expires_after
    limit = base + DEFAULT_EXPIRY
    later = shape.next_day.get(touch.step_key)
    if later is not None:
        limit = min(limit, max(_slot(later, clock, policy, shape).due, base))
    return limit


def place(
    cadence: Cadence, touch: PlannedTouch, clock: LeadClock, policy: ContactPolicy
) -> datetime:
    """The moment a touch is due on its own, jitter included, in the contact window."""
    slot = _slot(touch, clock, policy, _shape(cadence))
    if not slot.jitter:
        return slot.due
    return jittered(slot.due, jitter_minutes(clock.seed, touch.step_key), clock, policy)


def next_touch(
    cadence: Cadence,
    clock: LeadClock,
    policy: ContactPolicy,
    channel: Channel,
    *,
    after: datetime,
    done: Collection[str] = (),
    last: datetime | None = None,
    jitter: bool = True,
) -> NextTouch:
    """The channel's next touch not yet made or skipped, due no earlier than `after` and at
    least min_gap after `last` (the channel's last attempt); those that no longer fit their day
    on the way are skipped, each with its reason."""
    shape = _shape(cadence)
    zones = clock.zones or (clock.zone,)
    skipped: list[SkippedTouch] = []
    for touch in _for_lead(shape, channel, clock, policy):
        if touch.step_key in done:
            continue
        slot = _slot(touch, clock, policy, shape)
        due = slot.due
        if jitter and slot.jitter:
            due = jittered(due, jitter_minutes(clock.seed, touch.step_key), clock, policy)
        spaced = last + cadence.min_gap if last is not None else after
        earliest = max(due, after, spaced)
        if earliest > due:
            due = _opening(earliest, zones, clock.states, policy)
        expires = _expiry(touch, slot.due, clock, policy, shape)
        if due >= slot.closes:
            ends = when(slot.closes, clock.zone, after)
            step = day_label(touch.day, touch.step_key)
            why = f"not made on {step}: their hours that day ended {ends}"
            if spaced > max(slot.due, after):
                why = (
                    f"no room left on {step}: {duration(cadence.min_gap)} after the "
                    f"last {channel} is past the end of their hours ({ends})"
                )
        elif expires is not None and due > expires:
            why = f"expired: it could not go before {when(expires, clock.zone, after)}"
        else:
            owed = shape.per_day[(touch.when, channel)] - touch.index_in_day + 1
            scheduled = ScheduledTouch(touch, due, expires, owed, slot.jitter and not jitter)
            return NextTouch(scheduled, tuple(skipped))
        skipped.append(SkippedTouch(touch, slot.due, why))
    return NextTouch(None, tuple(skipped))


def plan(cadence: Cadence, clock: LeadClock, policy: ContactPolicy) -> list[ScheduledTouch]:
    """Every touch the cadence makes, as an officer who works each one the moment it is due
    meets them: each channel's touches spaced by min_gap, in due order (for previews and
    timelines). Touches that fit no day are left out."""
    scheduled: list[ScheduledTouch] = []
    for channel in CHANNELS:
        done: set[str] = set()
        after, last = clock.start, None
        while True:
            upcoming = next_touch(
                cadence, clock, policy, channel, after=after, done=done, last=last
            )
            done.update(skip.touch.step_key for skip in upcoming.skipped)
            if upcoming.scheduled is None:
                break
            scheduled.append(upcoming.scheduled)
            done.add(upcoming.scheduled.step_key)
            after = last = upcoming.scheduled.due_at
    return sorted(scheduled, key=lambda s: (s.due_at, s.touch.day, s.touch.channel))


def first_touches(
    cadence: Cadence, clock: LeadClock, policy: ContactPolicy, *, jitter: bool = True
) -> list[NextTouch]:
    """The first touch of every channel the cadence uses: what a lead starts with. Without
    jitter, each touch says whether the lead's jitter may move it (for plans shared by leads)."""
    found = []
    for channel in CHANNELS:
        upcoming = next_touch(cadence, clock, policy, channel, after=clock.start, jitter=jitter)
        if upcoming.scheduled is not None or upcoming.skipped:
            found.append(upcoming)
    return found
