"""One cadence file read and checked, noting every problem it can find rather than only the
first (load.py reads the folder; checked.py keeps each file's result, so this runs only for a
file whose bytes changed). The format is in docs/cadences.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from leadchase.cadence.model import (
    DEFAULT_MIN_GAP,
    Cadence,
    Problem,
    Step,
    TouchSpec,
    parse_anchor,
    parse_count,
    parse_day,
    parse_days,
    parse_expires_after,
    parse_min_gap,
    parse_times,
    parse_years,
)
from leadchase.cadence.yaml_values import (
    Raw,
    check_keys,
    fields_of,
    flag,
    listed,
    single,
    values_list,
    yaml_of,
)
from leadchase.contact.channels import AUTOMATABLE, CHANNELS, Channel
from leadchase.errors import CadenceError
from leadchase.words import counted

T = TypeVar("T")

CADENCE_KEYS = ("name", "description", "automated", "min_gap", "steps", "taper")
DAY_KEYS = ("day", "days")
ANCHOR_KEYS = ("from", "years")  # a step on anniversaries of a date of the lead
TOUCH_KEYS = ("count", "template", "templates", "automated", "at", "say", "expires_after")

_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class _Entry:
    """One step (or the taper) as written: its days and the touches it plans on each of them."""

    label: str
    days: tuple[int, ...]  # with an anchor: the anniversaries
    touches: dict[Channel, tuple[TouchSpec, ...]]
    anchor: str | None = None


class CadenceReader:
    """Reads one cadence file, noting every problem it can find rather than only the first."""

    def __init__(
        self, path: Path, data: bytes, label: str, template_names: frozenset[str] | None
    ) -> None:
        self.path = path
        self.data = data
        self.label = label
        self.name = path.stem
        self.template_names = template_names
        self.automated: frozenset[Channel] = frozenset()
        self.min_gap = DEFAULT_MIN_GAP
        self.problems: list[Problem] = []

    def guard(self, step: str | None, read: Callable[[], T]) -> T | None:
        try:
            return read()
        except CadenceError as problem:
            self.problems.append(Problem(self.label, step, str(problem)))
            return None

    def read(self) -> Cadence | None:
        root = self.guard(None, partial(yaml_of, self.path, self.data))
        fields = None if self.problems else self.guard(None, partial(fields_of, root, "the file"))
        if fields is None:
            return None
        description = self.guard(None, partial(self.read_header, fields))
        steps = self.expand(self.read_entries(fields))
        if not steps and not self.problems:
            message = "the cadence has no steps (add a steps: list with at least one day)"
            self.problems.append(Problem(self.label, None, message))
        if description is None or self.problems:
            return None
        return Cadence(self.name, description, steps, self.path, self.min_gap)

    def read_header(self, fields: dict[str, Raw]) -> str:
        """Check the file-level keys, remember the automated channels, return the description."""
        check_keys(fields, CADENCE_KEYS, "")
        if "name" in fields and (declared := single(fields["name"], "name")) != self.name:
            raise CadenceError(f"name '{declared}' does not match the file name (make them equal)")
        if not _NAME.fullmatch(self.name):
            raise CadenceError(f"'{self.name}' is not a usable name (rename the file: a-z, 0-9, -)")
        self.automated = _automated(fields.get("automated"))
        if "min_gap" in fields:
            self.min_gap = parse_min_gap(single(fields["min_gap"], "min_gap"))
        return single(fields.get("description"), "description")

    def read_entries(self, fields: dict[str, Raw]) -> list[_Entry]:
        entries: list[_Entry | None] = []
        steps = fields.get("steps")
        if steps is not None and not isinstance(steps, list):
            message = "steps must be a list, one '- day: ...' per step"
            self.problems.append(Problem(self.label, None, message))
        for position, step in enumerate(steps if isinstance(steps, list) else [], start=1):
            label = _step_label(step, position)
            entries.append(self.guard(label, partial(self.read_entry, step, label)))
        if "taper" in fields:
            entries.append(self.guard("taper", partial(self.read_entry, fields["taper"], "taper")))
        return [entry for entry in entries if entry is not None]

    def read_entry(self, step: Raw, label: str) -> _Entry:
        fields = fields_of(step, "a step")
        day_keys = [key for key in (*DAY_KEYS, "from") if key in fields]
        if len(day_keys) != 1:
            raise CadenceError(
                "give the step one of day: 4, days: 3-10, days: [3, 5, 8] "
                "or from: closing_date with years: 1"
            )
        anchor = None
        if day_keys == ["from"]:
            anchor = parse_anchor(single(fields["from"], "from"))
            if "years" not in fields:
                raise CadenceError(f"from: {anchor} needs years: (e.g. 1, 2-10 or every)")
            days = parse_years(single(fields["years"], "years"))
        elif "years" in fields:
            raise CadenceError("years: only goes with from: (a date of the lead to count from)")
        else:
            days = _days(day_keys[0], fields[day_keys[0]])
        if len(fields) == 1 + (anchor is not None):
            raise CadenceError("the step plans nothing (add call, text or email)")
        touches: dict[Channel, tuple[TouchSpec, ...]] = {}
        for key, value in fields.items():
            if key not in DAY_KEYS and key not in ANCHOR_KEYS:
                # An anniversary has no arrival: `at: arrival` belongs to day 1 only.
                on = days if anchor is None else ()
                specs = self.guard(label, partial(self.read_touches, key, value, on))
                if specs:
                    touches[specs[0].channel] = specs
        return _Entry(label, days, touches, anchor)

    def read_touches(self, key: str, value: Raw, days: tuple[int, ...]) -> tuple[TouchSpec, ...]:
        channel = _channel(key)
        fields: dict[str, Raw] = value if isinstance(value, dict) else {"count": value}
        check_keys(fields, TOUCH_KEYS, f" in {channel}")
        if "template" in fields and "templates" in fields:
            raise CadenceError(f"{channel} has both template and templates (keep one)")
        named = values_list(fields.get("templates"), "templates")
        count = len(named) or 1
        if "count" in fields:
            count = parse_count(channel, single(fields["count"], f"{channel} count"))
        automated = channel in self.automated
        if "automated" in fields:
            automated = flag(fields["automated"], f"{channel} automated")
        if channel not in AUTOMATABLE and automated:
            raise CadenceError("calls cannot be automated: the tool never dials (remove automated)")
        if channel not in AUTOMATABLE and ("template" in fields or "templates" in fields):
            raise CadenceError("calls take a talking point (say: ...), not a template")
        templates = self.templates(channel, fields, count, automated)
        at = [single(item, "at") for item in values_list(fields.get("at"), "at")]
        moments = parse_times(channel, at, count, days)
        say = single(fields.get("say"), "say") or None
        life = parse_expires_after(
            channel, single(fields.get("expires_after"), "expires_after"), automated
        )
        return tuple(
            TouchSpec(channel, index + 1, automated, templates[index], *moments[index], say, life)
            for index in range(count)
        )

    def templates(
        self, channel: Channel, fields: dict[str, Raw], count: int, automated: bool
    ) -> list[str | None]:
        default = ""
        if "templates" in fields:
            names = [
                single(name, "template") for name in values_list(fields["templates"], "templates")
            ]
            if len(names) != count:
                raise CadenceError(
                    f"{channel} has {counted(len(names), 'template')} for "
                    f"{counted(count, 'touch')} "
                    "(give one per touch, or one template: for all)"
                )
        elif "template" in fields:
            names = [single(fields["template"], "template")] * count
        elif automated:
            default = f" (the default for an automated {channel} without template:)"
            names = [f"{self.name}/{channel}"] * count
        else:
            return [None] * count
        for name in names:
            if not name:
                raise CadenceError(f"{channel} has an empty template name (or leave it out)")
            if self.template_names is not None and name not in self.template_names:
                raise CadenceError(
                    f"template '{name}'{default} does not exist "
                    "(add it under templates/ or fix the name)"
                )
        return list(names)

    def expand(self, entries: list[_Entry]) -> tuple[Step, ...]:
        """Spread ranges, lists and the taper into one Step per day (or anniversary). Two steps
        may not plan the same day and channel: their step keys, and so the touches already
        planned, would clash."""
        owner: dict[tuple[str, int, Channel], int] = {}
        clashes: dict[tuple[int, Channel, int], list[int]] = {}
        by_day: dict[tuple[str, int], list[TouchSpec]] = {}
        for number, entry in enumerate(entries):
            for day in entry.days:
                for channel, specs in entry.touches.items():
                    first = owner.setdefault((entry.anchor or "", day, channel), number)
                    if first == number:
                        by_day.setdefault((entry.anchor or "", day), []).extend(specs)
                    else:
                        clashes.setdefault((number, channel, first), []).append(day)
        for (number, channel, first), days in clashes.items():
            what = f"year {listed(days)} from {entries[number].anchor}"
            message = (
                f"{channel} on {what if entries[number].anchor else f'day {listed(days)}'} "
                f"is already planned by step '{entries[first].label}' "
                "(give each day and channel one step)"
            )
            self.problems.append(Problem(self.label, entries[number].label, message))
        return tuple(
            Step(day, tuple(sorted(specs, key=_touch_order)), anchor or None)
            for (anchor, day), specs in sorted(by_day.items())
        )


def _channel(name: str) -> Channel:
    for channel in CHANNELS:
        if channel == name:
            return channel
    raise CadenceError(f"unknown channel '{name}' (use call, text or email)")


def _automated(value: Raw) -> frozenset[Channel]:
    channels = [_channel(single(item, "automated")) for item in values_list(value, "automated")]
    if any(channel not in AUTOMATABLE for channel in channels):
        raise CadenceError("calls cannot be automated: the tool never dials (remove call)")
    return frozenset(channels)


def _step_label(step: Raw, position: int) -> str:
    """How problems name a step: its day line as written, e.g. "days: 3-10", else "step 3"."""
    for key in (*DAY_KEYS, "from"):
        if isinstance(step, dict) and key in step:
            days = step[key]
            shown = f"[{listed(days)}]" if isinstance(days, list) else days or ""
            if key == "from" and isinstance(step.get("years"), str):
                shown = f"{shown}, years: {step['years']}"
            return f"{key}: {shown}".rstrip()
    return f"step {position}"


def _days(key: str, value: Raw) -> tuple[int, ...]:
    if key == "day":
        return (parse_day(single(value, "day")),)
    if not isinstance(value, list):
        return parse_days(single(value, "days"))
    days = [parse_day(single(item, "days")) for item in value]
    if not days or len(set(days)) != len(days):
        raise CadenceError("days must list each day once (e.g. days: [3, 5, 8])")
    return tuple(sorted(days))


def _touch_order(touch: TouchSpec) -> tuple[int, int]:
    return CHANNELS.index(touch.channel), touch.index_in_day
