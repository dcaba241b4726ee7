"""When an automated text or call may reach a lead: federal and state hours, holidays, your window.

Everything here is a pure function of (moment, candidate zones, candidate states, policy); the
clock is passed in. A moment is allowed only if, in every candidate zone, the local time is inside
the federal window, every candidate state's window for that local day and the user's own window,
and that local day is not banned (a state's Sunday or holiday ban, the user's skip settings).
No candidate zone means we do not know where the lead is: nothing is allowed and the caller holds
the step and flags the lead. The law table lives in data/contact_rules.yaml, loaded once.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadchase.errors import ConfigError

RULES_FILE = Path(__file__).resolve().parent.parent / "data" / "contact_rules.yaml"
_DAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CLOSED = "closed"

Hours = tuple[time, time]


@dataclass(frozen=True)
class ContactPolicy:
    """The user's own contact window and day settings, in each lead's local time."""

    start: time = time(9)
    end: time = time(20)
    skip_weekends: bool = False
    skip_holidays: bool = False


@dataclass(frozen=True)
class Decision:
    """Whether a touch may happen, the short id of the deciding rule, and a sentence saying why."""

    allowed: bool
    rule: str
    reason: str


@dataclass(frozen=True)
class StateRule:
    """One row of the law table: a state's hours per weekday, holiday ban and attempt cap."""

    code: str
    name: str
    week: tuple[Hours | None, ...]  # Monday..Sunday; None bans solicitation that day
    week_rules: tuple[str, ...]  # the rule id per weekday: "TX", or "TX-sunday" when overridden
    holidays_closed: bool
    attempt_cap: int | None
    source: str


@dataclass(frozen=True)
class RuleTable:
    """The law table: federal hours and each state's rule."""

    federal: Hours
    federal_source: str
    states: Mapping[str, StateRule]


@dataclass(frozen=True)
class _Open:
    """The allowed local hours of one day, with the rule (id, label) that set each end."""

    start: time
    end: time
    start_by: tuple[str, str]
    end_by: tuple[str, str]


@dataclass(frozen=True)
class _Closed:
    """A day closed all day: the rule that closed it, and why, in words."""

    rule: str
    why: str


# ---- the law table ---------------------------------------------------------------------------


@functools.cache
def rule_table() -> RuleTable:
    """The shipped law table, parsed and checked once per process (the YAML once per change of
    the file, parsed_cache.py)."""
    from leadchase.parsed_cache import parsed

    raw = parsed(RULES_FILE, RULES_FILE.read_bytes(), _parse_rules)
    return parse_rule_table(raw, str(RULES_FILE))


def _parse_rules(data: bytes) -> Any:
    import yaml

    # libyaml's loader when present: the pure-Python one is most of the cost of this table.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(data.decode("utf-8"), Loader=loader)


def parse_rule_table(raw: Any, where: str) -> RuleTable:
    if not isinstance(raw, dict) or not isinstance(raw.get("federal"), dict):
        raise ConfigError(f"{where}: no 'federal' section; restore the shipped rule table")
    federal = raw["federal"]
    federal_hours = _hours(federal.get("hours"), f"{where}: federal.hours")
    if federal_hours is None:
        raise ConfigError(f"{where}: federal.hours cannot be closed; use 'HH:MM-HH:MM'")
    states: dict[str, StateRule] = {}
    for code, row in (raw.get("states") or {}).items():
        states[str(code).upper()] = _state_rule(str(code).upper(), row, where)
    return RuleTable(federal_hours, str(federal.get("source", "")), states)


def _state_rule(code: str, row: Any, where: str) -> StateRule:
    here = f"{where}: states.{code}"
    if not isinstance(row, dict) or not row.get("source"):
        raise ConfigError(f"{here} has no source note; every rule must cite where it comes from")
    if "hours" not in row:
        raise ConfigError(f"{here} has no hours; add hours: 'HH:MM-HH:MM' (or 'closed')")
    every_day = _hours(row["hours"], f"{here}.hours")
    week: list[Hours | None] = []
    rules: list[str] = []
    for key in _DAY_KEYS:
        if key in row:
            week.append(_hours(row[key], f"{here}.{key}"))
            rules.append(f"{code}-{key}")
        else:
            week.append(every_day)
            rules.append(code)
    holidays = row.get("holidays")
    if holidays not in (None, _CLOSED):
        raise ConfigError(f"{here}.holidays is {holidays!r}; the only value it takes is 'closed'")
    cap = row.get("attempt_cap")
    if cap is not None and (not isinstance(cap, int) or cap < 1):
        raise ConfigError(f"{here}.attempt_cap is {cap!r}; use a whole number of 1 or more")
    return StateRule(
        code=code,
        name=str(row.get("name", code)),
        week=tuple(week),
        week_rules=tuple(rules),
        holidays_closed=holidays == _CLOSED,
        attempt_cap=cap,
        source=" ".join(str(row["source"]).split()),
    )


def _hours(value: Any, here: str) -> Hours | None:
    if value == _CLOSED:
        return None
    try:
        start_text, end_text = str(value).split("-")
        start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
    except ValueError:
        raise ConfigError(f"{here} is {value!r}; write it as 'HH:MM-HH:MM' or 'closed'") from None
    if start >= end:
        raise ConfigError(f"{here} is {value!r}; the start must come before the end")
    return start, end


# ---- one local day ---------------------------------------------------------------------------


def _normal_states(states: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted({code.strip().upper() for code in states if code and code.strip()}))


HOLIDAYS_CSV = RULES_FILE.parent / "us_holidays.csv"


@functools.lru_cache(maxsize=512)
def _holiday_calendar(state: str | None, year: int) -> Mapping[date, str]:
    table = _holiday_table()
    if (state or "", year) in table:
        return table[state or "", year]
    import holidays  # lazily: loading its country modules costs more than a `today` run's work

    return dict(holidays.country_holidays("US", subdiv=state, years=year).items())


@functools.cache
def _holiday_table() -> Mapping[tuple[str, int], Mapping[date, str]]:
    """data/us_holidays.csv: the holidays package's US calendars for the years it covers
    (scripts/holiday_table.py writes it; a test holds it to the package)."""
    import csv

    table: dict[tuple[str, int], dict[date, str]] = {}
    days: dict[str, date] = {}  # most days are a holiday of many subdivisions: parsed once
    with HOLIDAYS_CSV.open(newline="", encoding="utf-8") as rows:
        reader = csv.reader(rows)
        next(reader)  # the header: subdiv, date, name
        for subdiv, text, name in reader:
            day = days.get(text)
            if day is None:
                day = days[text] = date.fromisoformat(text)
            table.setdefault((subdiv, day.year), {})[day] = name
    return table


def _holiday(day: date, state: str | None = None) -> str | None:
    """The holiday's name when `day` is a US federal holiday (or one of `state`'s)."""
    return _holiday_calendar(state, day.year).get(day)


@functools.lru_cache(maxsize=4096)
def _plan(day: date, states: tuple[str, ...], policy: ContactPolicy) -> _Open | _Closed:
    """Which local hours of `day` are open under every rule; a zone only shifts the instants."""
    table = rule_table()
    weekday = day.weekday()
    day_name = _DAY_KEYS[weekday].capitalize()
    if policy.skip_weekends and weekday >= 5:
        return _Closed("weekend", f"you skip weekends (your settings), and it is a {day_name}")
    if policy.skip_holidays and (name := _holiday(day)):
        return _Closed("holiday", f"it is {name}, and you skip holidays (your settings)")
    start_at, end_at = table.federal
    start_by = end_by = ("federal", "federal TCPA")
    for code in states:
        rule = table.states.get(code)
        if rule is None:
            continue
        label = f"{rule.name} law"
        if rule.holidays_closed and (name := _holiday(day, code)):
            return _Closed(
                f"{code}-holiday", f"it is {name}; {label} bans solicitation on holidays"
            )
        hours = rule.week[weekday]
        if hours is None:
            return _Closed(rule.week_rules[weekday], f"{label} bans solicitation on {day_name}s")
        # Strictly tighter bounds win, so on a tie the rule named first (the law) is reported.
        if hours[0] > start_at:
            start_at, start_by = hours[0], (rule.week_rules[weekday], label)
        if hours[1] < end_at:
            end_at, end_by = hours[1], (rule.week_rules[weekday], label)
    user = ("user-window", "your contact window")
    if policy.start > start_at:
        start_at, start_by = policy.start, user
    if policy.end < end_at:
        end_at, end_by = policy.end, user
    return _Open(start_at, end_at, start_by, end_by)


# ---- zones -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _resolve(zones: Sequence[str]) -> list[tuple[str, ZoneInfo]] | Decision:
    """Each distinct candidate zone with its ZoneInfo, or the Decision that holds the step."""
    if not zones:
        return Decision(
            False,
            "unknown-timezone",
            "no time zone is known for this lead; the step is held until its address, zip or "
            "phone gives one",
        )
    resolved: list[tuple[str, ZoneInfo]] = []
    for name in dict.fromkeys(zones):
        tz = _zone(name)
        if tz is None:
            return Decision(
                False,
                "unknown-timezone",
                f"{name!r} is not a known time zone; the step is held until the lead's zone "
                "is fixed",
            )
        resolved.append((name, tz))
    return resolved


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no UTC offset; pass an aware datetime")


def _instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


# ---- the public questions --------------------------------------------------------------------


def check_moment(
    moment: datetime, zones: Sequence[str], states: Sequence[str], policy: ContactPolicy
) -> Decision:
    """May an automated text or call reach the lead at `moment`?"""
    _require_aware(moment)
    resolved = _resolve(zones)
    if isinstance(resolved, Decision):
        return resolved
    normal = _normal_states(states)
    seen: list[str] = []
    for name, tz in resolved:
        local = moment.astimezone(tz)
        plan = _plan(local.date(), normal, policy)
        if isinstance(plan, _Closed):
            return Decision(False, plan.rule, f"{local:%A %Y-%m-%d} in {name}: {plan.why}")
        clock = local.time()
        if clock < plan.start:
            rule, label = plan.start_by
            return Decision(
                False, rule, f"{local:%H:%M} in {name} is before {plan.start:%H:%M} ({label})"
            )
        if clock >= plan.end:
            rule, label = plan.end_by
            where = "after" if clock > plan.end else "at the cutoff of"
            return Decision(
                False, rule, f"{local:%H:%M} in {name} is {where} {plan.end:%H:%M} ({label})"
            )
        seen.append(f"{local:%H:%M} in {name}")
    return Decision(True, "allowed", f"{', '.join(seen)}: inside every contact window")


def window_for_day(
    day: date, zone: str, states: Sequence[str], policy: ContactPolicy
) -> tuple[datetime, datetime] | None:
    """The UTC start and end of the open hours of local `day` in one zone; None when closed."""
    tz = _zone(zone)
    if tz is None:
        return None
    plan = _plan(day, _normal_states(states), policy)
    if isinstance(plan, _Closed) or plan.start >= plan.end:
        return None
    return _instant(day, plan.start, tz), _instant(day, plan.end, tz)


def next_opening(
    moment: datetime,
    zones: Sequence[str],
    states: Sequence[str],
    policy: ContactPolicy,
    *,
    horizon_days: int = 14,
) -> datetime | None:
    """The earliest instant >= `moment` that check_moment allows, as UTC; None past the horizon.

    The allowed instants are, in each zone, a union of [day start, day end) intervals, so the
    earliest allowed instant is `moment` itself or the start of some zone's day window: we test
    only those candidates, in order, rather than every minute. This holds because US zones change
    their clocks at 02:00 while every window lies inside 08:00-21:00.
    """
    _require_aware(moment)
    resolved = _resolve(zones)
    if isinstance(resolved, Decision):
        return None
    moment = moment.astimezone(UTC)
    if check_moment(moment, zones, states, policy).allowed:
        return moment
    limit = moment + timedelta(days=horizon_days)
    normal = _normal_states(states)
    starts: set[datetime] = set()
    for _name, tz in resolved:
        day, last = moment.astimezone(tz).date(), limit.astimezone(tz).date()
        while day <= last:
            plan = _plan(day, normal, policy)
            if isinstance(plan, _Open) and plan.start < plan.end:
                start = _instant(day, plan.start, tz)
                if moment < start <= limit:
                    starts.add(start)
            day += timedelta(days=1)
    for start in sorted(starts):
        if check_moment(start, zones, states, policy).allowed:
            return start
    return None
