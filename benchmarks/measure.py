"""Timing whole processes: wall time and peak memory of one child, and best-of-N.

Peak memory comes from os.wait4 on that one child: getrusage(RUSAGE_CHILDREN) would report the
largest child the harness ever waited for, which is not the process being measured.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LEADCHASE = BIN / "leadchase"
# A fixed "now" so the agenda and lead ages are the same on every run.
NOW = "2026-11-27T15:00:00+00:00"
_LEAKY_PREFIXES = ("LEADCHASE_", "TWILIO_", "SMTP_")


@dataclass(frozen=True)
class Run:
    """One finished process."""

    seconds: float
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


@dataclass
class Line:
    """One row of the results table."""

    name: str
    measured: str
    target: str
    status: str  # PASS, MISS, ERROR, N/A or INFO
    ratio: float | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["ratio"] = None if self.ratio is None else round(self.ratio, 3)
        return document


def environment(**extra: str) -> dict[str, str]:
    """The caller's environment without leadchase/Twilio/SMTP settings, plus a fixed clock."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_LEAKY_PREFIXES)}
    env.update(LEADCHASE_NOW=NOW, COLUMNS="120", **extra)
    return env


def run(command: Sequence[str | Path], env: Mapping[str, str] | None = None) -> Run:
    """Run `command` to completion from the project root; output goes to files, never a pipe."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            [str(part) for part in command], stdout=out, stderr=err, env=env, cwd=ROOT
        )
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        return Run(
            seconds=seconds,
            peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports kilobytes
            exit_code=child.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def best_of(
    times: int,
    command: Sequence[str | Path],
    env: Mapping[str, str] | None = None,
    prepare: Callable[[], None] | None = None,
) -> list[Run]:
    """Run `times` times (`prepare` before each, untimed); stop at the first failure."""
    runs: list[Run] = []
    for _ in range(times):
        if prepare is not None:
            prepare()
        runs.append(run(command, env))
        if not runs[-1].ok:
            break
    return runs


def fastest(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.seconds)


def verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def timings(runs: list[Run]) -> dict[str, Any]:
    """Every run's time and memory, for results.json: the spread says how noisy the machine was."""
    return {
        "seconds": [round(r.seconds, 3) for r in runs],
        "peak_rss_mb": [round(r.peak_rss_mb, 1) for r in runs],
    }
