"""Read a folder of cadence YAML files into a CadenceSet, collecting every problem.

Each file is read on its own: a file with any problem is reported and left out (the scheduler
never follows half a cadence) while the others still load. The format is in docs/cadences.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeAlias, TypeVar

from leadchase.cadence.model import (
    DEFAULT_MIN_GAP,
    DEFAULT_STAGE_MAP,
    STAGES,
    Cadence,
    CadenceSet,
    Problem,
    StageMap,
    Step,
    TouchSpec,
    parse_count,
    parse_day,
    parse_days,
    parse_expires_after,
    parse_min_gap,
    parse_times,
)
from leadchase.contact.channels import AUTOMATABLE, CHANNELS, Channel
from leadchase.errors import CadenceError
from leadchase.words import counted

# A YAML value exactly as typed: scalars stay text (so YAML 1.1 surprises such as 9:30 read as
# the number 570, or `no` read as false, cannot happen), None when empty, lists and mappings.
Raw: TypeAlias = "str | list[Raw] | dict[str, Raw] | None"
T = TypeVar("T")

STAGE_MAP_NAME = "stages"  # stages.yaml holds the stage map, every other *.yaml is a cadence
CADENCE_KEYS = ("name", "description", "automated", "min_gap", "steps", "taper")
DAY_KEYS = ("day", "days")
TOUCH_KEYS = ("count", "template", "templates", "automated", "at", "say", "expires_after")

_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
_TRUE, _FALSE = ("true", "yes", "on"), ("false", "no", "off")


def load_cadences(folder: Path, *, template_names: Collection[str] | None = None) -> CadenceSet:
    """Load every cadence file (*.yaml, *.yml) in folder, and the stage map from stages.yaml.

    With template_names, a cadence that uses any other template is a problem. Problems never
    raise; only a missing folder does, because then there is nothing to report on.
    """
    if not folder.is_dir():
        raise CadenceError(f"cadence folder {folder} not found (run 'leadchase init')")
    folder_name = folder.resolve().name
    known = None if template_names is None else frozenset(template_names)
    problems: list[Problem] = []
    cadences: dict[str, Cadence] = {}
    broken: set[str] = set()
    first_file: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        label = f"{folder_name}/{path.name}"
        if path.stem in first_file:
            other = f"{folder_name}/{first_file[path.stem].name}"
            message = f"'{path.stem}' is already defined by {other} (keep one of the two files)"
            problems.append(Problem(label, None, message))
            continue
        first_file[path.stem] = path
        if path.stem == STAGE_MAP_NAME:
            continue
        reader = _CadenceReader(path, label, known)
        cadence = reader.read()
        problems.extend(reader.problems)
        if cadence is None:
            broken.add(path.stem)
        else:
            cadences[cadence.name] = cadence
    stage_file = first_file.get(STAGE_MAP_NAME)
    stage_label = f"{folder_name}/{stage_file.name if stage_file else STAGE_MAP_NAME + '.yaml'}"
    stage_map = _read_stage_map(stage_file, stage_label, cadences, broken, problems)
    return CadenceSet(cadences, stage_map, tuple(problems))


def check_cadences(
    folder: Path, *, template_names: Collection[str] | None = None
) -> tuple[Problem, ...]:
    """What `leadchase cadence check` reports; empty when the folder is ready to use."""
    return load_cadences(folder, template_names=template_names).problems


@dataclass(frozen=True)
class _Entry:
    """One step (or the taper) as written: its days and the touches it plans on each of them."""

    label: str
    days: tuple[int, ...]
    touches: dict[Channel, tuple[TouchSpec, ...]]


class _CadenceReader:
    """Reads one cadence file, noting every problem it can find rather than only the first."""

    def __init__(self, path: Path, label: str, template_names: frozenset[str] | None) -> None:
        self.path = path
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
        root = self.guard(None, partial(_read_yaml, self.path))
        fields = None if self.problems else self.guard(None, partial(_fields, root, "the file"))
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
        _check_keys(fields, CADENCE_KEYS, "")
        if "name" in fields and (declared := _text(fields["name"], "name")) != self.name:
            raise CadenceError(f"name '{declared}' does not match the file name (make them equal)")
        if not _NAME.fullmatch(self.name):
            raise CadenceError(f"'{self.name}' is not a usable name (rename the file: a-z, 0-9, -)")
        self.automated = _automated(fields.get("automated"))
        if "min_gap" in fields:
            self.min_gap = parse_min_gap(_text(fields["min_gap"], "min_gap"))
        return _text(fields.get("description"), "description")

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
        fields = _fields(step, "a step")
        day_keys = [key for key in DAY_KEYS if key in fields]
        if len(day_keys) != 1:
            raise CadenceError("give the step one of day: 4, days: 3-10 or days: [3, 5, 8]")
        if len(fields) == 1:
            raise CadenceError("the step plans nothing (add call, text or email)")
        days = _days(day_keys[0], fields[day_keys[0]])
        touches: dict[Channel, tuple[TouchSpec, ...]] = {}
        for key, value in fields.items():
            if key not in DAY_KEYS:
                specs = self.guard(label, partial(self.read_touches, key, value, days))
                if specs:
                    touches[specs[0].channel] = specs
        return _Entry(label, days, touches)

    def read_touches(self, key: str, value: Raw, days: tuple[int, ...]) -> tuple[TouchSpec, ...]:
        channel = _channel(key)
        fields: dict[str, Raw] = value if isinstance(value, dict) else {"count": value}
        _check_keys(fields, TOUCH_KEYS, f" in {channel}")
        if "template" in fields and "templates" in fields:
            raise CadenceError(f"{channel} has both template and templates (keep one)")
        named = _list(fields.get("templates"), "templates")
        count = len(named) or 1
        if "count" in fields:
            count = parse_count(channel, _text(fields["count"], f"{channel} count"))
        automated = channel in self.automated
        if "automated" in fields:
            automated = _flag(fields["automated"], f"{channel} automated")
        if channel not in AUTOMATABLE and automated:
            raise CadenceError("calls cannot be automated: the tool never dials (remove automated)")
        if channel not in AUTOMATABLE and ("template" in fields or "templates" in fields):
            raise CadenceError("calls take a talking point (say: ...), not a template")
        templates = self.templates(channel, fields, count, automated)
        at = [_text(item, "at") for item in _list(fields.get("at"), "at")]
        moments = parse_times(channel, at, count, days)
        say = _text(fields.get("say"), "say") or None
        life = parse_expires_after(
            channel, _text(fields.get("expires_after"), "expires_after"), automated
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
            names = [_text(name, "template") for name in _list(fields["templates"], "templates")]
            if len(names) != count:
                raise CadenceError(
                    f"{channel} has {counted(len(names), 'template')} for "
                    f"{counted(count, 'touch')} "
                    "(give one per touch, or one template: for all)"
                )
        elif "template" in fields:
            names = [_text(fields["template"], "template")] * count
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
        """Spread ranges, lists and the taper into one Step per day. Two steps may not plan the
        same day and channel: their step keys, and so the touches already planned, would clash."""
        owner: dict[tuple[int, Channel], int] = {}
        clashes: dict[tuple[int, Channel, int], list[int]] = {}
        by_day: dict[int, list[TouchSpec]] = {}
        for number, entry in enumerate(entries):
            for day in entry.days:
                for channel, specs in entry.touches.items():
                    first = owner.setdefault((day, channel), number)
                    if first == number:
                        by_day.setdefault(day, []).extend(specs)
                    else:
                        clashes.setdefault((number, channel, first), []).append(day)
        for (number, channel, first), days in clashes.items():
            message = (
                f"{channel} on day {_listed(days)} is already planned by step "
                f"'{entries[first].label}' (give each day and channel one step)"
            )
            self.problems.append(Problem(self.label, entries[number].label, message))
        return tuple(
            Step(day, tuple(sorted(specs, key=_touch_order)))
            for day, specs in sorted(by_day.items())
        )


def _read_stage_map(
    path: Path | None, label: str, loaded: Collection[str], broken: set[str], out: list[Problem]
) -> StageMap:
    """The default stage map overlaid with stages.yaml. A stage whose cadence is missing or
    broken gets no cadence (and a problem), so the scheduler never looks up a missing name."""
    chosen = dict(DEFAULT_STAGE_MAP.cadence_by_stage)
    fields: dict[str, Raw] = {}
    if path is not None:
        try:
            fields = _fields(_read_yaml(path) or {}, "the stage map")
        except CadenceError as problem:
            out.append(Problem(label, None, str(problem)))
    for stage, value in fields.items():
        try:
            if stage not in STAGES:
                raise CadenceError(f"unknown stage '{stage}' (use {_listed(STAGES)})")
            cadence = _text(value, f"stage '{stage}'")
            chosen[stage] = None if cadence.lower() in ("", "none") else cadence
        except CadenceError as problem:
            out.append(Problem(label, None, str(problem)))
    for stage, name in chosen.items():
        if name is None or name in loaded:
            continue
        if name in broken:
            why = "which did not load (fix the problems reported for it)"
        else:
            why = f"which does not exist (add {name}.yaml or map '{stage}' to another cadence)"
        default = "" if stage in fields else " by default"
        out.append(Problem(label, None, f"stage '{stage}' uses '{name}'{default}, {why}"))
        chosen[stage] = None
    return StageMap(chosen)


def _read_yaml(path: Path) -> Raw:
    import yaml  # 14 ms: paid when cadences are read, not by every `leadchase` start

    def plain(node: yaml.Node) -> Raw:
        if isinstance(node, yaml.MappingNode):
            fields: dict[str, Raw] = {}
            for key_node, value_node in node.value:
                key = str(plain(key_node))  # an odd key ([a, b]: ...) then fails as unknown
                if key in fields:
                    line = key_node.start_mark.line + 1
                    raise CadenceError(f"'{key}' appears twice (line {line}; keep one)")
                fields[key] = plain(value_node)
            return fields
        if isinstance(node, yaml.SequenceNode):
            return [plain(item) for item in node.value]
        return None if node.tag.endswith(":null") else str(node.value).strip()

    try:
        # libyaml's parser when PyYAML has it: the same nodes and marks, many times faster.
        root = yaml.compose(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as error:
        raise CadenceError(f"cannot read the file: {error.strerror}") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = "" if mark is None else f" at line {mark.line + 1}, column {mark.column + 1}"
        raise CadenceError(
            f"YAML syntax error{where}: {error.problem or error.context} "
            "(check the indentation and quote text that contains ': ' or ' #')"
        ) from None
    except yaml.YAMLError:
        raise CadenceError("the file is not UTF-8 text (save it as UTF-8)") from None
    return None if root is None else plain(root)


def _listed(items: Collection[object]) -> str:
    return ", ".join(map(str, items))


def _check_keys(fields: dict[str, Raw], allowed: tuple[str, ...], where: str) -> None:
    unknown = [key for key in fields if key not in allowed]
    if unknown:  # a key with spaces is usually text with a comma inside { ... }
        fix = "quote text with commas" if " " in unknown[0] else f"use {_listed(allowed)}"
        raise CadenceError(f"unknown key '{unknown[0]}'{where} ({fix})")


def _fields(value: Raw, what: str) -> dict[str, Raw]:
    if value is None:
        raise CadenceError(f"{what} is empty (see docs/cadences.md for the format)")
    if not isinstance(value, dict):
        raise CadenceError(f"{what} must be 'key: value' lines")
    return value


def _text(value: Raw, what: str) -> str:
    if isinstance(value, list | dict):
        raise CadenceError(f"{what} must be a single value, not a list or mapping")
    return value or ""


def _list(value: Raw, what: str) -> list[Raw]:
    """A YAML list; a lone value counts as a list of one, where that reads naturally."""
    if isinstance(value, dict):
        raise CadenceError(f"{what} must be a list")
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _channel(name: str) -> Channel:
    for channel in CHANNELS:
        if channel == name:
            return channel
    raise CadenceError(f"unknown channel '{name}' (use call, text or email)")


def _automated(value: Raw) -> frozenset[Channel]:
    channels = [_channel(_text(item, "automated")) for item in _list(value, "automated")]
    if any(channel not in AUTOMATABLE for channel in channels):
        raise CadenceError("calls cannot be automated: the tool never dials (remove call)")
    return frozenset(channels)


def _step_label(step: Raw, position: int) -> str:
    """How problems name a step: its day line as written, e.g. "days: 3-10", else "step 3"."""
    for key in DAY_KEYS:
        if isinstance(step, dict) and key in step:
            days = step[key]
            shown = f"[{_listed(days)}]" if isinstance(days, list) else days or ""
            return f"{key}: {shown}".rstrip()
    return f"step {position}"


def _days(key: str, value: Raw) -> tuple[int, ...]:
    if key == "day":
        return (parse_day(_text(value, "day")),)
    if not isinstance(value, list):
        return parse_days(_text(value, "days"))
    days = [parse_day(_text(item, "days")) for item in value]
    if not days or len(set(days)) != len(days):
        raise CadenceError("days must list each day once (e.g. days: [3, 5, 8])")
    return tuple(sorted(days))


def _flag(value: Raw, what: str) -> bool:
    text = _text(value, what).lower()
    if text not in _TRUE + _FALSE:
        raise CadenceError(f"{what} must be true or false, not '{text}'")
    return text in _TRUE


def _touch_order(touch: TouchSpec) -> tuple[int, int]:
    return CHANNELS.index(touch.channel), touch.index_in_day
