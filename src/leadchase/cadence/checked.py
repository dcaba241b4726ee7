"""A cadence file's checked result kept in the workspace's parse cache (parsed_cache.py), so
`today` does not check an unchanged cadence file again, nor work out its fingerprint, on every
run.

An entry is used only for the exact bytes it was checked from, under the same label, against
the same template names and by the same checking code (leadchase's version and the files of
the modules that check, as Python judges its own cached bytecode): anything else is checked
afresh, so a kept result never hides a problem. A file with problems keeps its problems,
reported as before. The cadence is kept as plain data (marshal holds no dataclasses, times or
lengths of time); a touch shared by the days of a range stays one object.
"""

from __future__ import annotations

import functools
import marshal
from collections.abc import Callable, Collection
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from leadchase.cadence.model import Cadence, Problem, Step, TouchSpec, fingerprint

_FORMAT = "checked-cadence-1"  # change it with the shape of what is kept

# What one file checked to: its cadence (None when it has problems), the problems, and the
# cadence's fingerprint (None without a cadence).
Checked = tuple[Cadence | None, tuple[Problem, ...], str | None]


def checked(
    path: Path,
    data: bytes,
    label: str,
    template_names: Collection[str] | None,
    check: Callable[[], tuple[Cadence | None, list[Problem]]],
) -> Checked:
    """What `check()` finds in the cadence file `path` holding `data`, or what it found before
    for the same bytes, label, template names and checking code."""
    from leadchase.parsed_cache import parsed

    def plain_check(_: bytes) -> Any:
        cadence, problems = check()
        return _plain(cadence), tuple((p.file, p.step, p.message) for p in problems)

    names = None if template_names is None else tuple(sorted(template_names))
    # Each part whole and apart (marshal gives every part its length): no two differ alike.
    exactly = marshal.dumps((_FORMAT, _checking_code(), label, names, data))
    kept, problems = parsed(f"checked cadence: {path}", exactly, plain_check)
    cadence = _cadence(kept, path)
    found = tuple(Problem(*problem) for problem in problems)
    return cadence, found, None if kept is None else kept[-1]


# Every module whose rules or words go into a checked cadence or its problems' text.
_CHECKING_MODULES = (
    "cadence/file_reader.py",
    "cadence/load.py",
    "cadence/model.py",
    "cadence/yaml_values.py",
    "cadence/stages.py",
    "contact/channels.py",
    "words.py",
    "errors.py",
)


@functools.cache
def _checking_code() -> str:
    """leadchase's version and, for a working copy being edited, the size and time of each
    module that checks cadence files: a changed rule checks every file again."""
    from leadchase import __version__

    shown = [__version__]
    package = Path(__file__).parent.parent
    for name in _CHECKING_MODULES:
        try:
            status = (package / name).stat()
        except OSError:
            continue
        shown.append(f"{status.st_size}:{status.st_mtime_ns}")
    return " ".join(shown)


def _plain(cadence: Cadence | None) -> Any:
    if cadence is None:
        return None
    specs: dict[TouchSpec, int] = {}
    steps = tuple(
        (step.day, tuple(specs.setdefault(spec, len(specs)) for spec in step.touches), step.anchor)
        for step in cadence.steps
    )
    touches = tuple(
        (
            spec.channel,
            spec.index_in_day,
            spec.automated,
            spec.template,
            _clock(spec.at),
            spec.on_arrival,
            spec.say,
            _length(spec.expires_after),
        )
        for spec in specs
    )
    return (
        cadence.name,
        cadence.description,
        _length(cadence.min_gap),
        touches,
        steps,
        fingerprint(cadence),
    )


def _cadence(kept: Any, path: Path) -> Cadence | None:
    if kept is None:
        return None
    name, description, min_gap, plain_touches, plain_steps = kept[:5]
    touches = [
        TouchSpec(
            channel,
            index,
            automated,
            template,
            None if at is None else time(*at),
            on_arrival,
            say,
            None if expires is None else timedelta(*expires),
        )
        for channel, index, automated, template, at, on_arrival, say, expires in plain_touches
    ]
    steps = tuple(
        Step(day, tuple(touches[number] for number in numbers), anchor)
        for day, numbers, anchor in plain_steps
    )
    return Cadence(name, description, steps, path, timedelta(*min_gap))


def _clock(at: time | None) -> tuple[int, int, int, int] | None:
    return None if at is None else (at.hour, at.minute, at.second, at.microsecond)


def _length(length: timedelta | None) -> tuple[int, int, int] | None:
    return None if length is None else (length.days, length.seconds, length.microseconds)
