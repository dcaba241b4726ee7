"""Timing whole processes in paired runs: A and its baselines take turns, medians are reported.

These machines are shared and noisy, so a target is a ratio against a baseline run in the same
run, and both sides are measured in alternation (A B A B ...): a stretch of load from elsewhere
slows a run and its partner alike, and the median of the per-pair ratios cancels it. One untimed
warm-up of each contender comes first (file cache, .pyc files); then at least PAIRS rounds count.
Every figure is reported as min / median / max, never as a best run.

Each command is started by launch.py, a small process that forks it, times it from the fork
to the end, and reads its CPU (user + system) and peak memory from os.wait4 on that one child
(launch.py says why the harness does not start it directly). Output goes to files, never pipes,
so a chatty process never blocks on a full pipe.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LEADCHASE = BIN / "leadchase"
LAUNCHER = Path(__file__).with_name("launch.py")
# A fixed "now" so the agenda and lead ages are the same on every run.
NOW = "2026-11-27T15:00:00+00:00"
PAIRS = 5  # counted rounds per comparison, after the warm-up: the project's minimum
_LEAKY_PREFIXES = ("LEADCHASE_", "TWILIO_", "SMTP_")
FIGURES = ("seconds", "cpu_seconds", "peak_rss_mb")


@dataclass(frozen=True)
class Run:
    """One finished process."""

    seconds: float  # wall time
    cpu_seconds: float  # user + system, of the child alone
    peak_rss_mb: float
    exit_code: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def complaint(self) -> str:
        """The last line the process wrote to stderr, to explain a failure in one line."""
        lines = [line for line in self.stderr.strip().splitlines() if line.strip()]
        return f"exit {self.exit_code}: {lines[-1].strip() if lines else '(no message)'}"


@dataclass(frozen=True)
class Contender:
    """A command in a comparison: `prepare` runs untimed before each run of it, and `check`
    says what is wrong with a finished run that exited 0 but did not do the work (or None)."""

    name: str
    command: Sequence[str | Path]
    env: Mapping[str, str] | None = None
    prepare: Callable[[], None] | None = None
    check: Callable[[Run], str | None] | None = None


class RunFailed(Exception):
    """A contender's run failed or did the wrong work: the comparison has no result."""

    def __init__(self, contender: str, problem: str) -> None:
        super().__init__(f"{contender} {problem}")


@dataclass(frozen=True)
class Spread:
    """Min / median / max of one figure over the counted runs."""

    low: float
    median: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            raise ValueError("no values to summarise")
        return cls(min(values), statistics.median(values), max(values))

    def to_json(self, digits: int = 3) -> dict[str, float]:
        return {
            "min": round(self.low, digits),
            "median": round(self.median, digits),
            "max": round(self.high, digits),
        }


@dataclass
class Paired:
    """The counted runs of each contender, round by round (warm-up excluded)."""

    names: list[str]
    runs: dict[str, list[Run]] = field(default_factory=dict)

    @property
    def rounds(self) -> int:
        return min((len(runs) for runs in self.runs.values()), default=0)

    def per_round(self, a: str, b: str, compare: Callable[[Run, Run], float]) -> list[float]:
        """`compare(a's run, b's run)` for each round, the two runs of a round side by side."""
        return [compare(x, y) for x, y in zip(self.runs[a], self.runs[b], strict=True)]

    def ratios(self, a: str, b: str, figure: str = "seconds") -> list[float]:
        """The ratio a/b of `figure` (wall time unless told) in each round."""
        return self.per_round(a, b, lambda x, y: getattr(x, figure) / getattr(y, figure))

    def ratio(self, a: str, b: str, figure: str = "seconds") -> float:
        """The median of the per-round ratios a/b: drift of the machine cancels within a round."""
        return statistics.median(self.ratios(a, b, figure))

    def spread(self, name: str, figure: str = "seconds") -> Spread:
        return Spread.of([getattr(run, figure) for run in self.runs[name]])

    def median(self, name: str, figure: str = "seconds") -> float:
        return self.spread(name, figure).median

    def to_json(self) -> dict[str, Any]:
        """Every contender's figures as min / median / max, and each run's wall time."""
        return {
            name: {
                "runs": len(self.runs[name]),
                **{figure: self.spread(name, figure).to_json() for figure in FIGURES},
                "seconds_each": [round(run.seconds, 3) for run in self.runs[name]],
            }
            for name in self.names
        }


def environment(**extra: str) -> dict[str, str]:
    """The caller's environment without leadchase/Twilio/SMTP settings, plus a fixed clock."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_LEAKY_PREFIXES)}
    # An installed leadchase runs from cached bytecode, as its libraries do: with this set, the
    # warm-up could not write leadchase's .pyc files and every run would compile its sources.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(LEADCHASE_NOW=NOW, COLUMNS="120", **extra)
    return env


def run(command: Sequence[str | Path], env: Mapping[str, str] | None = None) -> Run:
    """Run `command` to completion from the project root, through launch.py (which measures
    it); output goes to files, never a pipe."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as folder,
    ):
        report = Path(folder) / "figures.json"
        launcher = [sys.executable, "-I", "-S", LAUNCHER, report]
        subprocess.run(
            [str(part) for part in [*launcher, *command]],
            stdout=out,
            stderr=err,
            env=env,
            cwd=ROOT,
            check=True,
        )
        figures = json.loads(report.read_text(encoding="utf-8"))
        out.seek(0)
        err.seek(0)
        return Run(
            seconds=figures["seconds"],
            cpu_seconds=figures["cpu_seconds"],
            peak_rss_mb=figures["peak_rss_mb"],
            exit_code=figures["exit_code"],
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def run_checked(contender: Contender) -> Run:
    """One run of `contender` (after its untimed `prepare`); RunFailed unless it did the work."""
    if contender.prepare is not None:
        contender.prepare()
    result = run(contender.command, contender.env)
    if not result.ok:
        raise RunFailed(contender.name, result.complaint())
    problem = contender.check(result) if contender.check is not None else None
    if problem is not None:
        raise RunFailed(contender.name, problem)
    return result


def paired(
    contenders: Sequence[Contender],
    pairs: int = PAIRS,
    runner: Callable[[Contender], Run] = run_checked,
) -> Paired:
    """One untimed warm-up of each contender, then `pairs` counted rounds of A B (C ...) in turn.

    Raises RunFailed at the first run that fails, warm-up included.
    """
    if pairs < 1:
        raise ValueError(f"pairs must be 1 or more, not {pairs}")
    if len({c.name for c in contenders}) != len(contenders):
        raise ValueError("contender names must differ")
    for contender in contenders:
        runner(contender)
    result = Paired([c.name for c in contenders], {c.name: [] for c in contenders})
    for _ in range(pairs):
        for contender in contenders:
            result.runs[contender.name].append(runner(contender))
    return result


def verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"
