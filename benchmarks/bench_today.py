"""Start-up benchmarks: `leadchase today` on big workspaces, `leadchase --help`, import hygiene.

The baselines are Python processes that only import the libraries the command cannot do
without: typer and rich for `today` (the agenda is a Rich table in a Typer app), typer for
`--help`. Whatever leadchase takes on top is its own: the queries, the agenda, the rendering.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.measure import (
    BIN,
    LEADCHASE,
    PAIRS,
    Contender,
    RunFailed,
    environment,
    paired,
    run,
    verdict,
)
from benchmarks.table import Row, compared

TODAY_BASELINE = "import typer, rich"
HELP_BASELINE = "import typer"
# Issue #11's row: `today` against a Python importing every runtime dependency (pyproject's
# [project] dependencies, by import name): what the agenda costs beyond its libraries.
DEPENDENCIES = (
    "import typer, rich, sqlalchemy, apscheduler, twilio.rest, jinja2, dateutil.parser,"
    " phonenumbers, yaml, email_validator, holidays, filelock, icalendar"
)
MAX_VS_DEPENDENCIES = 1.5
MAX_TODAY = 2.0
MAX_HELP = 1.5
# Modules `leadchase --help` must not load, to start fast (sqlmodel is checked too, should it come back).
HEAVY = ("sqlmodel", "sqlalchemy", "twilio", "apscheduler", "jinja2")


def bench_today(workspace: Path | None, leads: int, pairs: int = PAIRS) -> Row:
    """`leadchase today` on `workspace` (holding `leads` leads) vs importing typer and rich."""
    what = f"today on {leads:,} leads"
    if workspace is None:
        baseline = f'python -c "{TODAY_BASELINE}"'
        target = f"<= {MAX_TODAY:g}x"
        return Row(what, "leadchase today", baseline, target, "N/A", note="no imported workspace")
    env = environment(LEADCHASE_HOME=str(workspace))
    ours = Contender("leadchase today", [LEADCHASE, "today"], env)
    return _versus(what, ours, TODAY_BASELINE, MAX_TODAY, pairs)


def bench_today_vs_dependencies(workspace: Path | None, leads: int, pairs: int = PAIRS) -> Row:
    """`leadchase today` on `workspace` vs a Python importing every runtime dependency."""
    what = f"today on {leads:,} leads vs its dependencies"
    if workspace is None:
        baseline = "python importing every dependency"
        target = f"<= {MAX_VS_DEPENDENCIES:g}x"
        return Row(what, "leadchase today", baseline, target, "N/A", note="no imported workspace")
    env = environment(LEADCHASE_HOME=str(workspace))
    ours = Contender("leadchase today", [LEADCHASE, "today"], env)
    return _versus(what, ours, DEPENDENCIES, MAX_VS_DEPENDENCIES, pairs)


def bench_help(pairs: int = PAIRS) -> list[Row]:
    """`leadchase --help` vs importing typer, and which modules --help loads."""
    ours = Contender("leadchase --help", [LEADCHASE, "--help"], environment())
    return [_versus("--help", ours, HELP_BASELINE, MAX_HELP, pairs), _help_imports_row()]


def _versus(what: str, ours: Contender, imports: str, limit: float, pairs: int) -> Row:
    """A row for `ours` against a Python that only does `imports`, in paired runs."""
    baseline = f'python -c "{imports}"'
    theirs = Contender(baseline, [BIN / "python", "-c", imports], environment())
    target = f"<= {limit:g}x"
    print(f"  {what}: {ours.name} / {baseline}, {pairs} rounds ...", flush=True)
    try:
        measured = paired([ours, theirs], pairs)
    except RunFailed as failure:
        return Row(what, ours.name, baseline, target, "ERROR", note=str(failure))
    return compared(
        measured,
        ours.name,
        baseline,
        limit,
        what=what,
        command=ours.name,
        baseline=baseline,
        target=target,
    )


def loaded_modules(importtime_report: str) -> set[str]:
    """Top-level package names from `python -X importtime` output on stderr."""
    names = set()
    for line in importtime_report.splitlines():
        fields = line.removeprefix("import time:").split("|")
        # Lines are "import time: SELF | CUMULATIVE | NAME"; the header's SELF is not a number.
        if line.startswith("import time:") and len(fields) == 3 and fields[0].strip().isdigit():
            names.add(fields[2].strip().split(".")[0])
    return names


def _help_imports_row() -> Row:
    report = run([BIN / "python", "-X", "importtime", "-m", "leadchase", "--help"], environment())
    what = "--help leaves heavy modules unloaded"
    command = "python -X importtime -m leadchase --help"
    target = "none of " + ", ".join(HEAVY)
    if not report.ok:
        return Row(what, command, "-", target, "ERROR", note=report.complaint())
    heavy = sorted(loaded_modules(report.stderr).intersection(HEAVY))
    return Row(
        what,
        command,
        "-",
        target,
        verdict(not heavy),
        ours="loaded: " + (", ".join(heavy) if heavy else "none"),
    )
