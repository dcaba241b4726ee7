"""Start-up benchmarks: `leadchase today` on a big workspace, `leadchase --help`, import hygiene.

The baseline is a Python process that only imports the libraries `today` needs: whatever
leadchase adds on top of that is its own overhead (queries, agenda building, rendering).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.measure import (
    BIN,
    LEADCHASE,
    Line,
    best_of,
    environment,
    fastest,
    run,
    timings,
    verdict,
)

# The baseline the issue names: a process that only imports leadchase's runtime dependencies,
# i.e. every package in pyproject's [project] dependencies, by import name.
DEPENDENCIES = (
    "import typer, rich, sqlmodel, apscheduler, twilio.rest, jinja2, dateutil.parser,"
    " phonenumbers, yaml, email_validator, holidays, filelock"
)
MAX_VS_DEPENDENCIES = 1.5
# Modules `leadchase --help` must not load, to start fast (sqlalchemy is what makes sqlmodel slow).
HEAVY = ("sqlmodel", "sqlalchemy", "twilio", "apscheduler", "jinja2")
NOT_AVAILABLE = "today: not available yet"


def bench_startup(workspace: Path | None, leads: int) -> list[Line]:
    """(d) today vs importing its dependencies, best of 5 each; --help time and its imports."""
    print("  python importing today's dependencies x5 ...", flush=True)
    baseline_runs = best_of(5, [BIN / "python", "-c", DEPENDENCIES], environment())
    baseline = fastest(baseline_runs)
    if not baseline.ok:
        failed = Line("dependency import baseline", baseline.complaint(), "", "ERROR")
        return [failed, _help_line(None), _help_imports_line()]
    return [
        _today_line(workspace, leads, baseline.seconds, timings(baseline_runs)),
        _help_line(baseline.seconds),
        _help_imports_line(),
    ]


def _today_line(
    workspace: Path | None, leads: int, baseline: float, baseline_timings: dict[str, object]
) -> Line:
    name = f"today on {leads:,} leads vs importing deps"
    target = f"<= {MAX_VS_DEPENDENCIES:g}x"
    if workspace is None:
        return Line(name, "no imported workspace (the import benchmark failed)", target, "N/A")
    print("  leadchase today x5 ...", flush=True)
    runs = best_of(5, [LEADCHASE, "today"], environment(LEADCHASE_HOME=str(workspace)))
    if not runs[-1].ok:
        if "No such command" in runs[-1].stderr:
            print(f"  {NOT_AVAILABLE}", flush=True)
            return Line(name, NOT_AVAILABLE, target, "N/A")
        return Line(name, f"leadchase today {runs[-1].complaint()}", target, "ERROR")
    best = fastest(runs)
    ratio = best.seconds / baseline
    return Line(
        name,
        f"today {best.seconds:.2f} s, {best.peak_rss_mb:.0f} MB; deps {baseline:.2f} s",
        target,
        verdict(ratio <= MAX_VS_DEPENDENCIES),
        ratio,
        {"today": timings(runs), "dependencies": baseline_timings},
    )


def _help_line(baseline: float | None) -> Line:
    print("  leadchase --help x5 ...", flush=True)
    runs = best_of(5, [LEADCHASE, "--help"], environment())
    if not runs[-1].ok:
        return Line("leadchase --help", runs[-1].complaint(), "", "ERROR")
    best = fastest(runs)
    versus = f"; deps {baseline:.2f} s" if baseline else ""
    return Line(
        "leadchase --help vs importing deps",
        f"--help {best.seconds:.2f} s{versus}",
        "(no target)",
        "INFO",
        best.seconds / baseline if baseline else None,
        timings(runs),
    )


def loaded_modules(importtime_report: str) -> set[str]:
    """Top-level package names from `python -X importtime` output on stderr."""
    names = set()
    for line in importtime_report.splitlines():
        if line.startswith("import time:") and "|" in line:
            module = line.rsplit("|", 1)[1].strip()
            names.add(module.split(".")[0])
    return names


def _help_imports_line() -> Line:
    report = run([BIN / "python", "-X", "importtime", "-m", "leadchase", "--help"], environment())
    name = "--help leaves heavy modules unloaded"
    target = "none of " + ", ".join(HEAVY)
    if not report.ok:
        return Line(name, report.complaint(), target, "ERROR")
    heavy = sorted(loaded_modules(report.stderr).intersection(HEAVY))
    return Line(
        name,
        "loaded: " + (", ".join(heavy) if heavy else "none"),
        target,
        verdict(not heavy),
        data={"heavy_loaded": heavy},
    )
