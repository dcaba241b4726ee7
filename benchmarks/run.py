"""`make bench`: every performance target in README.md's Benchmarks section, as ratios in one run.

    .venv/bin/python benchmarks/run.py [--rows 100000] [--memory-rows 1000000] [--skip-memory]
                                       [--texts 1000]

Prints one table line per target (measured values, ratio, target, PASS/MISS) and writes
benchmarks/.work/results.json. Exits 1 only when a benchmark could not run at all (ERROR);
a MISS is a result, not a failure of the harness.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

# `make bench` runs this file as a script: make the `benchmarks` package importable.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from benchmarks.measure import Line

WORK = ROOT / "benchmarks" / ".work"


def measure_all(args: argparse.Namespace) -> list[Line]:
    from benchmarks.bench_import import bench_import, bench_memory, lead_file
    from benchmarks.bench_send import bench_send
    from benchmarks.bench_today import bench_startup

    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    print("Import", flush=True)
    small = lead_file(work, args.rows, args.seed)
    imported = bench_import(small, work, args.rows)
    lines = list(imported.lines)
    if not args.skip_memory:
        big = lead_file(work, args.memory_rows, args.seed)
        lines.append(bench_memory(big, work, args.memory_rows, imported.peak_rss_mb))
    print("Start-up", flush=True)
    lines.extend(bench_startup(imported.workspace, args.rows))
    print("Send", flush=True)
    lines.extend(bench_send(work, args.texts))
    return lines


def render(lines: list[Line]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="leadchase benchmarks", show_lines=True, expand=True)
    table.add_column("benchmark", ratio=3)
    table.add_column("measured", ratio=5, overflow="fold")
    table.add_column("ratio", no_wrap=True, justify="right")
    table.add_column("target", ratio=3)
    table.add_column("result", no_wrap=True)
    colours = {"PASS": "green", "MISS": "red", "ERROR": "bold red"}
    for line in lines:
        ratio = f"{line.ratio:.2f}x" if line.ratio is not None else "-"
        colour = colours.get(line.status, "yellow")
        table.add_row(line.name, line.measured, ratio, line.target, f"[{colour}]{line.status}[/]")
    Console(width=max(Console().width, 120)).print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run leadchase's performance benchmarks.")
    parser.add_argument("--rows", type=int, default=100_000, help="rows for import and today")
    parser.add_argument("--memory-rows", type=int, default=1_000_000, help="rows for peak memory")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--skip-memory", action="store_true", help="skip the big-file import")
    parser.add_argument("--texts", type=int, default=1000, help="due texts for the send run")
    parser.add_argument("--work", type=Path, default=WORK, help="folder for generated files")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    lines = measure_all(args)
    elapsed = time.perf_counter() - started
    render(lines)
    print(f"{len(lines)} benchmarks in {elapsed:.0f} s")
    results = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "rows": args.rows,
        "memory_rows": None if args.skip_memory else args.memory_rows,
        "seed": args.seed,
        "texts": args.texts,
        "elapsed_seconds": round(elapsed, 1),
        "results": [line.to_json() for line in lines],
    }
    results_path = args.work / "results.json"
    results_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results: {results_path}")
    return 1 if any(line.status == "ERROR" for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
