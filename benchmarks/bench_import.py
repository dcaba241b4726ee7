"""Import benchmarks: leadchase vs a bare csv+sqlite3 script and vs sqlite-utils; peak memory.

Every contender is a whole process reading the same generated file into a fresh database, so
start-up, parsing, cleaning, dedupe and the commit are all inside the measured time.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from benchmarks.generate import VERSION, generate
from benchmarks.measure import (
    BIN,
    LEADCHASE,
    Line,
    Run,
    best_of,
    environment,
    fastest,
    run,
    timings,
    verdict,
)

BARE_SCRIPT = Path(__file__).with_name("bare_import.py")
SQLITE_UTILS = BIN / "sqlite-utils"
MAX_VS_BARE = 3.0
MIN_SQLITE_UTILS_VS_LEADCHASE = 5.0
MAX_PEAK_MB = 150.0
SQLITE_UTILS_NAME = "sqlite-utils insert --csv / leadchase import"
SQLITE_UTILS_TARGET = f">= {MIN_SQLITE_UTILS_VS_LEADCHASE:g}x"


def lead_file(work: Path, rows: int, seed: int) -> Path:
    """The generated file for (rows, seed), made once and reused while the generator is unchanged."""
    path = work / f"leads-{rows}-seed{seed}-v{VERSION}.csv"
    if not path.exists():
        partial = path.with_suffix(".partial")
        print(f"  generating {rows:,} rows into {path.name} ...", flush=True)
        generate(partial, rows, seed=seed)
        partial.replace(path)
    return path


def fresh_workspace(folder: Path) -> None:
    """An empty leadchase workspace (leadchase init), so every import starts from nothing."""
    shutil.rmtree(folder, ignore_errors=True)
    made = run([LEADCHASE, "init", folder], environment())
    if not made.ok:
        raise RuntimeError(f"leadchase init {folder} failed ({made.complaint()})")


def import_command(path: Path, workspace: Path) -> list[str | Path]:
    return [LEADCHASE, "import", path, "--json", "--rejects", workspace / "rejects.csv"]


def _summary(result: Run) -> str:
    """What the import did, from its --json document: a sanity check on the generated file."""
    try:
        document = json.loads(result.stdout)
        return (
            f"{document['imported']:,} new, {document['merged']:,} merged, "
            f"{document['rejected']:,} rejected"
        )
    except (ValueError, KeyError, TypeError):
        return "no --json summary"


@dataclass
class ImportBench:
    lines: list[Line]
    workspace: Path | None  # holds the imported leads when the import worked
    peak_rss_mb: float | None


def bench_import(path: Path, work: Path, rows: int) -> ImportBench:
    """(a) leadchase vs bare script, (b) sqlite-utils vs leadchase; best of 3 each."""
    name = f"import {rows:,} rows: leadchase / bare csv+sqlite3"
    target = f"<= {MAX_VS_BARE:g}x"
    workspace = work / "ws-import"
    print(f"  leadchase import x3 ({rows:,} rows) ...", flush=True)
    try:
        ours = best_of(
            3,
            import_command(path, workspace),
            environment(LEADCHASE_HOME=str(workspace)),
            prepare=lambda: fresh_workspace(workspace),
        )
    except RuntimeError as error:
        return _failed(Line(name, str(error), target, "ERROR"))
    if not ours[-1].ok:
        return _failed(Line(name, f"leadchase {ours[-1].complaint()}", target, "ERROR"))
    best = fastest(ours)
    peak = max(r.peak_rss_mb for r in ours)
    print("  bare csv+sqlite3 x3 ...", flush=True)
    bare = best_of(3, [BIN / "python", BARE_SCRIPT, path, work / "bare.db"])
    if not bare[-1].ok:
        line = Line(name, f"bare script {bare[-1].complaint()}", target, "ERROR")
    else:
        baseline = fastest(bare)
        ratio = best.seconds / baseline.seconds
        line = Line(
            name,
            f"leadchase {best.seconds:.2f} s ({_summary(best)}); bare {baseline.seconds:.2f} s",
            target,
            verdict(ratio <= MAX_VS_BARE),
            ratio,
            {"leadchase": timings(ours), "bare": timings(bare), "summary": _summary(best)},
        )
    return ImportBench([line, _sqlite_utils_line(path, work, best)], workspace, peak)


def _failed(line: Line) -> ImportBench:
    skipped = Line(SQLITE_UTILS_NAME, "leadchase import failed", SQLITE_UTILS_TARGET, "N/A")
    return ImportBench([line, skipped], None, None)


def _sqlite_utils_line(path: Path, work: Path, ours: Run) -> Line:
    name, target = SQLITE_UTILS_NAME, SQLITE_UTILS_TARGET
    if not SQLITE_UTILS.exists():
        return Line(name, "sqlite-utils missing: pip install -e '.[bench]'", target, "N/A")
    database = work / "sqlite-utils.db"
    print("  sqlite-utils insert x3 ...", flush=True)
    theirs = best_of(
        3,
        [SQLITE_UTILS, "insert", database, "leads", path, "--csv"],
        prepare=lambda: database.unlink(missing_ok=True),
    )
    if not theirs[-1].ok:
        return Line(name, f"sqlite-utils {theirs[-1].complaint()}", target, "ERROR")
    best = fastest(theirs)
    ratio = best.seconds / ours.seconds
    return Line(
        name,
        f"sqlite-utils {best.seconds:.2f} s; leadchase {ours.seconds:.2f} s",
        target,
        verdict(ratio >= MIN_SQLITE_UTILS_VS_LEADCHASE),
        ratio,
        {"sqlite_utils": timings(theirs)},
    )


def bench_memory(path: Path, work: Path, rows: int, small_peak_mb: float | None) -> Line:
    """(c) Peak RSS of one leadchase import of the big file; the ratio is against the small file."""
    name = f"peak memory, import {rows:,} rows (ratio: vs the small import)"
    target = f"< {MAX_PEAK_MB:g} MB"
    workspace = work / "ws-memory"
    print(f"  leadchase import x1 ({rows:,} rows, peak memory) ...", flush=True)
    try:
        fresh_workspace(workspace)
    except RuntimeError as error:
        return Line(name, str(error), target, "ERROR")
    result = run(import_command(path, workspace), environment(LEADCHASE_HOME=str(workspace)))
    shutil.rmtree(workspace, ignore_errors=True)  # a million leads is a lot of disk to keep
    if not result.ok:
        return Line(name, f"leadchase {result.complaint()}", target, "ERROR")
    ratio = result.peak_rss_mb / small_peak_mb if small_peak_mb else None
    small = f"; small import {small_peak_mb:.0f} MB" if small_peak_mb else ""
    return Line(
        name,
        f"{result.peak_rss_mb:.0f} MB{small}; took {result.seconds:.1f} s ({_summary(result)})",
        target,
        verdict(result.peak_rss_mb < MAX_PEAK_MB),
        ratio,
        {"seconds": round(result.seconds, 3), "peak_rss_mb": round(result.peak_rss_mb, 1)},
    )
