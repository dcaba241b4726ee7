"""Import benchmarks: leadchase vs sqlite-utils on the same file, the bare floor, a re-import of
the unchanged file, and the peak memory of a big import.

Every contender is a whole process reading the same generated file into a fresh database, so
start-up, parsing, cleaning, dedupe and the commit are all inside the measured time. One round
runs, in this order: leadchase import (into a fresh `leadchase init` workspace, untimed), the
same import again (the file is unchanged, so it is recognised by its SHA-256 and skipped),
`sqlite-utils insert --csv` into a fresh file, and the bare csv+sqlite3 script.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.generate import VERSION, generate
from benchmarks.measure import (
    BIN,
    LEADCHASE,
    PAIRS,
    Contender,
    Paired,
    Run,
    RunFailed,
    environment,
    paired,
    run,
    run_checked,
    verdict,
)
from benchmarks.table import Row, compared

BARE_SCRIPT = Path(__file__).with_name("bare_import.py")
SQLITE_UTILS = BIN / "sqlite-utils"
MAX_VS_SQLITE_UTILS = 1.0
MAX_REIMPORT = 0.1
MAX_PEAK_MB = 150.0

OURS = "leadchase import"
AGAIN = "leadchase import, same file again"
SQLITE_UTILS_NAME = "sqlite-utils insert"
BARE = "bare csv+sqlite3"
COMMAND = "leadchase import FILE --json"
SQLITE_UTILS_COMMAND = "sqlite-utils insert DB leads FILE --csv"


def lead_file(work: Path, rows: int, seed: int, *, fresh: bool = False) -> Path:
    """The generated file for (rows, seed, fresh), made once and reused while the generator
    is unchanged."""
    kind = "-fresh" if fresh else ""
    path = work / f"leads-{rows}{kind}-seed{seed}-v{VERSION}.csv"
    if not path.exists():
        partial = path.with_suffix(".partial")
        print(f"  generating {rows:,} {kind[1:] or 'vendor'} rows into {path.name} ...", flush=True)
        generate(partial, rows, seed=seed, fresh=fresh)
        partial.replace(path)
    return path


def fresh_workspace(folder: Path) -> None:
    """An empty leadchase workspace (leadchase init), so every import starts from nothing."""
    shutil.rmtree(folder, ignore_errors=True)
    made = run([LEADCHASE, "init", folder], environment())
    if not made.ok:
        raise RunFailed("leadchase init", made.complaint())


def import_command(path: Path, workspace: Path) -> list[str | Path]:
    return [LEADCHASE, "import", path, "--json", "--rejects", workspace / "rejects.csv"]


def import_summary(stdout: str) -> dict[str, Any] | None:
    try:
        document = json.loads(stdout)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def read_every_row(rows: int) -> Callable[[Run], str | None]:
    """A check that the import read the file: every row new, merged or rejected."""

    def check(result: Run) -> str | None:
        summary = import_summary(result.stdout)
        if summary is None:
            return "printed no --json summary"
        if summary.get("skipped"):
            return "skipped the file (it was imported before)"
        counted = sum(int(summary.get(key) or 0) for key in ("imported", "merged", "rejected"))
        return None if counted == rows else f"accounted for {counted:,} of {rows:,} rows"

    return check


def skipped_unchanged(result: Run) -> str | None:
    summary = import_summary(result.stdout)
    if summary is None:
        return "printed no --json summary"
    return None if summary.get("skipped") is True else "read the unchanged file again"


def inserted(rows: int) -> Callable[[Run], str | None]:
    """A check for the bare script, which prints how many rows it inserted."""

    def check(result: Run) -> str | None:
        count = result.stdout.strip()
        return None if count == str(rows) else f"inserted {count or 'nothing'}, not {rows:,}"

    return check


def described(result: Run) -> str:
    """What an import did, from its --json document: a sanity check on the generated file."""
    summary = import_summary(result.stdout) or {}
    try:
        return (
            f"{summary['imported']:,} new, {summary['merged']:,} merged, "
            f"{summary['rejected']:,} rejected"
        )
    except (KeyError, TypeError, ValueError):
        return "no --json summary"


@dataclass
class ImportBench:
    rows: list[Row]
    workspace: Path | None  # holds the imported leads when the import worked
    peak_rss_mb: float | None  # the median peak memory of the leadchase imports


def bench_import(
    path: Path, work: Path, rows: int, label: str, *, again: bool, pairs: int = PAIRS
) -> ImportBench:
    """leadchase vs sqlite-utils (target) and vs the bare script (the floor, information), and,
    with `again`, the unchanged file imported a second time vs the first import."""
    what = f"import {rows:,} {label} rows"
    workspace = work / f"ws-import-{label.replace(' ', '-')}"
    env = environment(LEADCHASE_HOME=str(workspace))
    database = work / "sqlite-utils.db"
    contenders = [
        Contender(
            OURS,
            import_command(path, workspace),
            env,
            prepare=lambda: fresh_workspace(workspace),
            check=read_every_row(rows),
        )
    ]
    if again:
        contenders.append(
            Contender(AGAIN, import_command(path, workspace), env, check=skipped_unchanged)
        )
    if SQLITE_UTILS.exists():
        contenders.append(
            Contender(
                SQLITE_UTILS_NAME,
                [SQLITE_UTILS, "insert", database, "leads", path, "--csv"],
                prepare=lambda: database.unlink(missing_ok=True),
            )
        )
    contenders.append(
        Contender(BARE, [BIN / "python", BARE_SCRIPT, path, work / "bare.db"], check=inserted(rows))
    )
    print(f"  {what}: {' / '.join(c.name for c in contenders)}, {pairs} rounds ...", flush=True)
    try:
        measured = paired(contenders, pairs)
    except RunFailed as failure:
        return ImportBench(_rows(what, None, str(failure), again), None, None)
    summary = described(measured.runs[OURS][-1])
    table_rows = _rows(what, measured, summary, again)
    return ImportBench(table_rows, workspace, measured.median(OURS, "peak_rss_mb"))


def _rows(what: str, measured: Paired | None, note: str, again: bool) -> list[Row]:
    """The table rows; with no measurement (`note` says why) they are ERROR rows."""
    rows = [
        _row(
            measured,
            (OURS, SQLITE_UTILS_NAME, MAX_VS_SQLITE_UTILS),
            Row(
                what,
                COMMAND,
                SQLITE_UTILS_COMMAND,
                f"<= {MAX_VS_SQLITE_UTILS:g}x",
                "N/A",
                note=note,
            ),
        ),
        _row(
            measured,
            (OURS, BARE, None),
            Row(
                f"{what}: the floor",
                COMMAND,
                "bare_import.py (csv.reader + sqlite3 executemany)",
                "(information)",
                "N/A",
                note="" if measured else note,
            ),
        ),
    ]
    if again:
        repeat = Row(
            f"{what} again, unchanged",
            f"{COMMAND} (same workspace)",
            f"{COMMAND} (fresh workspace)",
            f"< {MAX_REIMPORT:g}x",
            "N/A",
            note="recognised by its SHA-256 and skipped" if measured else note,
        )
        rows.append(_row(measured, (AGAIN, OURS, MAX_REIMPORT), repeat, under=True))
    return rows


def _row(
    measured: Paired | None,
    contest: tuple[str, str, float | None],
    row: Row,
    *,
    under: bool = False,
) -> Row:
    """`row` with the result of `contest` (ours, theirs, limit) filled in, if there is one."""
    ours, theirs, limit = contest
    if measured is None:
        row.status = "ERROR"
        return row
    if theirs not in measured.runs:
        row.note = "sqlite-utils missing: pip install -e '.[bench]'"
        return row
    return compared(
        measured,
        ours,
        theirs,
        limit,
        what=row.what,
        command=row.command,
        baseline=row.baseline,
        target=row.target,
        note=row.note,
        under=under,
    )


def bench_memory(
    path: Path, work: Path, rows: int, small_peak_mb: float | None
) -> tuple[Row, Path | None]:
    """Peak RSS of one leadchase import of the big file; the ratio is against the median peak of
    the small imports (flat means streaming). The workspace is returned for `today` at this
    size; the caller deletes it (a million leads is a lot of disk to keep)."""
    what = f"peak memory, import {rows:,} rows"
    target = f"< {MAX_PEAK_MB:g} MB"
    baseline = "the small import's median peak"
    workspace = work / "ws-memory"
    print(f"  leadchase import x1 ({rows:,} rows, peak memory) ...", flush=True)
    contender = Contender(
        OURS,
        import_command(path, workspace),
        environment(LEADCHASE_HOME=str(workspace)),
        prepare=lambda: fresh_workspace(workspace),
        check=read_every_row(rows),
    )
    try:
        result = run_checked(contender)
    except RunFailed as failure:
        shutil.rmtree(workspace, ignore_errors=True)
        return Row(what, COMMAND, baseline, target, "ERROR", note=str(failure)), None
    measured = Paired([OURS], {OURS: [result]})
    return Row(
        what,
        COMMAND,
        baseline,
        target,
        verdict(result.peak_rss_mb < MAX_PEAK_MB),
        ours=f"{result.peak_rss_mb:.0f} MB\n(1 run, {result.seconds:.1f} s)",
        theirs=f"{small_peak_mb:.0f} MB" if small_peak_mb else "-",
        ratio=result.peak_rss_mb / small_peak_mb if small_peak_mb else None,
        note=described(result),
        figures=measured.to_json(),
    ), workspace
