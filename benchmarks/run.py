"""`make bench`: every performance target in README.md's Benchmarks section, in one run.

    .venv/bin/python benchmarks/run.py [--rows 100000] [--memory-rows 1000000] [--skip-memory]
                                       [--texts 1000] [--pairs 5] [--ticks 20] [--posted 50]
                                       [--only startup|send|import]

Prints one table row per target (command, baseline, both medians, the median of the per-pair
ratios, the target, PASS/MISS), then the figures behind it (wall, CPU and peak memory of every
contender as min / median / max), and writes benchmarks/.work/results.json. Exits 1 only when a
benchmark could not run at all (ERROR); a MISS is a result, not a failure of the harness.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

# `make bench` runs this file as a script: make the `benchmarks` package importable.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from benchmarks.table import Row

WORK = ROOT / "benchmarks" / ".work"


def imported_workspace(work: Path, rows: int, seed: int) -> Path:
    """A workspace holding the generated vendor file of `rows` rows, imported once, untimed
    (for --only startup: the start-up rows without the import comparisons)."""
    from benchmarks.bench_import import fresh_workspace, import_command, lead_file
    from benchmarks.measure import RunFailed, environment, run

    workspace = work / f"ws-startup-{rows}"
    fresh_workspace(workspace)
    print(f"  importing {rows:,} rows (untimed) ...", flush=True)
    path = lead_file(work, rows, seed)
    done = run(import_command(path, workspace), environment(LEADCHASE_HOME=str(workspace)))
    if not done.ok:
        raise RunFailed("leadchase import", done.complaint())
    return workspace


def measure_startup(args: argparse.Namespace) -> list[Row]:
    """Only the start-up rows: `today` on both sizes and --help."""
    from benchmarks.bench_today import bench_help, bench_today

    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    print("Start-up", flush=True)
    sizes = [args.rows] if args.skip_memory else [args.rows, args.memory_rows]
    today = []
    for rows in sizes:
        workspace = imported_workspace(work, rows, args.seed)
        today.append(bench_today(workspace, rows, args.pairs))
        shutil.rmtree(workspace, ignore_errors=True)
    return [*today, *bench_help(args.pairs)]


def measure_send(args: argparse.Namespace) -> list[Row]:
    """Only the send rows: our time per text over the bare SDK loop, and pacing."""
    from benchmarks.bench_send import bench_send

    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    print("Send", flush=True)
    return bench_send(work, args.texts, args.pairs)


def measure_imports(args: argparse.Namespace) -> list[Row]:
    """Only the import rows: both 100,000-row files against sqlite-utils and the floor, the
    re-import, and (unless --skip-memory) the peak memory of the big import."""
    from benchmarks.bench_import import bench_import, bench_memory, lead_file

    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    print("Import", flush=True)
    vendor = bench_import(
        lead_file(work, args.rows, args.seed),
        work,
        args.rows,
        "vendor",
        again=True,
        pairs=args.pairs,
    )
    fresh = bench_import(
        lead_file(work, args.rows, args.seed, fresh=True),
        work,
        args.rows,
        "fresh",
        again=False,
        pairs=args.pairs,
    )
    memory: list[Row] = []
    if not args.skip_memory:
        path = lead_file(work, args.memory_rows, args.seed)
        row, big = bench_memory(path, work, args.memory_rows, vendor.peak_rss_mb)
        memory.append(row)
        if big is not None:
            shutil.rmtree(big, ignore_errors=True)
    *imports, again = vendor.rows
    return [*imports, *fresh.rows, *memory, again]


def measure_all(args: argparse.Namespace) -> list[Row]:
    from benchmarks.bench_daemon import bench_daemon
    from benchmarks.bench_import import bench_import, bench_memory, lead_file
    from benchmarks.bench_postgres import bench_postgres
    from benchmarks.bench_send import bench_send
    from benchmarks.bench_speed import bench_speed
    from benchmarks.bench_today import bench_help, bench_today, bench_today_vs_dependencies

    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    pairs = args.pairs
    print("Import", flush=True)
    vendor = bench_import(
        lead_file(work, args.rows, args.seed), work, args.rows, "vendor", again=True, pairs=pairs
    )
    fresh = bench_import(
        lead_file(work, args.rows, args.seed, fresh=True),
        work,
        args.rows,
        "fresh",
        again=False,
        pairs=pairs,
    )
    memory: list[Row] = []
    big: Path | None = None
    if not args.skip_memory:
        path = lead_file(work, args.memory_rows, args.seed)
        row, big = bench_memory(path, work, args.memory_rows, vendor.peak_rss_mb)
        memory.append(row)
    print("Start-up", flush=True)
    today = [
        bench_today(vendor.workspace, args.rows, pairs),
        bench_today_vs_dependencies(vendor.workspace, args.rows, pairs),
    ]
    if big is not None:
        today.append(bench_today(big, args.memory_rows, pairs))
        shutil.rmtree(big, ignore_errors=True)  # a million leads is a lot of disk to keep
    startup = bench_help(pairs)
    print("Daemon", flush=True)
    daemon = bench_daemon(vendor.workspace, work, args.rows, args.ticks)
    print("Send", flush=True)
    send = bench_send(work, args.texts, pairs)
    print("Listener", flush=True)
    speed = bench_speed(work, args.posted)
    print("PostgreSQL", flush=True)
    postgres = bench_postgres(lead_file(work, args.rows, args.seed), work, args.rows, pairs)
    # In the order of README.md's list of targets (the import's again-row comes after memory).
    *imports, again = vendor.rows
    return [
        *today,
        *startup,
        *imports,
        *fresh.rows,
        *memory,
        again,
        *send,
        daemon,
        *speed,
        *postgres,
    ]


def at_least(smallest: int) -> Callable[[str], int]:
    """An argparse type: a whole number no smaller than `smallest`."""

    def parse(text: str) -> int:
        value = int(text)
        if value < smallest:
            raise argparse.ArgumentTypeError(f"{value} is less than {smallest}")
        return value

    return parse


def main(argv: list[str] | None = None) -> int:
    from rich.console import Console

    from benchmarks.measure import PAIRS
    from benchmarks.table import render

    parser = argparse.ArgumentParser(description="Run leadchase's performance benchmarks.")
    parser.add_argument("--rows", type=int, default=100_000, help="rows for import and today")
    parser.add_argument("--memory-rows", type=int, default=1_000_000, help="rows for peak memory")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--skip-memory", action="store_true", help="skip the big-file import")
    parser.add_argument("--texts", type=int, default=1000, help="due texts for the send run")
    parser.add_argument(
        "--pairs",
        type=at_least(PAIRS),
        default=PAIRS,
        help=f"counted paired rounds per comparison (at least {PAIRS})",
    )
    parser.add_argument("--ticks", type=at_least(5), default=20, help="timed daemon ticks")
    parser.add_argument(
        "--posted", type=at_least(20), default=50, help="leads posted for speed to lead"
    )
    parser.add_argument("--work", type=Path, default=WORK, help="folder for generated files")
    parser.add_argument(
        "--only",
        choices=["startup", "send", "import"],
        help="only these rows: startup is today on --rows and --memory-rows leads (each "
        "imported once, untimed) and --help; send is the two send rows; import is the import "
        "rows (with the peak memory unless --skip-memory)",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    only = {"startup": measure_startup, "send": measure_send, "import": measure_imports}
    rows = only.get(args.only or "", measure_all)(args)
    elapsed = time.perf_counter() - started
    console = Console(width=max(Console().width, 160))
    render(rows, console)
    print(f"{len(rows)} rows in {elapsed:.0f} s; {args.pairs} counted pairs per comparison")
    results = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "rows": args.rows,
        "memory_rows": None if args.skip_memory else args.memory_rows,
        "seed": args.seed,
        "texts": args.texts,
        "pairs": args.pairs,
        "ticks": args.ticks,
        "posted": args.posted,
        "elapsed_seconds": round(elapsed, 1),
        "results": [row.to_json() for row in rows],
    }
    results_path = args.work / "results.json"
    results_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results: {results_path}")
    return 1 if any(row.status == "ERROR" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
