"""The daemon's tick with nothing due: the CPU one pass costs, measured inside a child Python.

A tick is what `leadchase daemon --once` does: one scan of the watch folder, then one send pass.
The child builds the daemon's pass objects the way daemon.py does (plan_daemon, daemon_logger,
DaemonPasses) on a copy of the 100,000-lead workspace, with Twilio pointed at the fake Twilio
(served by this process, so its CPU is not the child's), the officer's details filled in and an
empty watch folder. Its clock (LEADCHASE_NOW) is set to a moment before any lead's first touch,
so nothing is due: a dry run must show no touch at all, or the row is an ERROR. Each pass still
does all its fixed work: open the workspace, reconcile claims, fetch replies from the fake and
note the sync, query the due touches, look up delivery statuses.

After one untimed tick (imports, caches), the child times TICKS ticks with time.process_time
(user + system CPU of the whole child) and prints each tick's CPU and wall time as JSON.

    python -m benchmarks.bench_daemon HOME WATCH_DIR LOG_FILE TICKS   # the child (internal)
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from datetime import datetime
from pathlib import Path

from tests.fake_twilio import FakeTwilio

from benchmarks.bench_send import PACED_RATE, fresh_copy, send_environment
from benchmarks.measure import BIN, Run, RunFailed, Spread, run, verdict
from benchmarks.table import Row

TICKS = 20
MAX_TICK_CPU_MS = 50.0
# Before the first touch of any lead in the generated files, which start a month before NOW.
MOMENT = "2026-10-01T12:00:00+00:00"


def bench_daemon(workspace: Path | None, work: Path, leads: int, ticks: int = TICKS) -> Row:
    row = Row(
        f"daemon tick, nothing due, {leads:,} leads",
        "DaemonPasses.watch() + send() in a child Python",
        "-",
        f"< {MAX_TICK_CPU_MS:g} ms CPU (median tick)",
        "N/A",
    )
    if workspace is None:
        row.note = "no imported workspace"
        return row
    home, watch = work / "ws-daemon", work / "watch-empty"
    log_file = work / "daemon-tick.log"
    print(f"  daemon tick x{ticks} (+1 untimed) on {leads:,} leads ...", flush=True)
    fake = FakeTwilio(clock=lambda: datetime.fromisoformat(MOMENT))
    try:
        fresh_copy(workspace, home, PACED_RATE)
        shutil.rmtree(watch, ignore_errors=True)
        watch.mkdir()
        log_file.unlink(missing_ok=True)
        with fake:
            env = send_environment(home, fake)
            env["LEADCHASE_NOW"] = MOMENT
            command: list[str | Path] = [BIN / "python", "-m", "benchmarks.bench_daemon"]
            result = run([*command, home, watch, log_file, str(ticks)], env)
        cpu, wall = tick_times(result)
    except RunFailed as failure:
        row.status, row.note = "ERROR", str(failure)
        return row
    finally:
        shutil.rmtree(home, ignore_errors=True)
    median_ms = cpu.median * 1000
    row.status = verdict(median_ms < MAX_TICK_CPU_MS)
    row.ours = f"{median_ms:.1f} ms CPU\n({cpu.low * 1000:.1f}-{cpu.high * 1000:.1f})"
    row.note = f"median of {ticks} ticks; wall {wall.median * 1000:.1f} ms a tick"
    row.figures = {
        "daemon tick (in the child)": {
            "runs": ticks,
            "seconds": wall.to_json(4),
            "cpu_seconds": cpu.to_json(4),
            "peak_rss_mb": Spread.of([result.peak_rss_mb]).to_json(1),
        }
    }
    return row


def tick_times(result: Run) -> tuple[Spread, Spread]:
    """CPU and wall seconds per tick, from the child's JSON."""
    if not result.ok:
        raise RunFailed("daemon tick", result.complaint())
    try:
        document = json.loads(result.stdout)
        return Spread.of(document["cpu_seconds"]), Spread.of(document["wall_seconds"])
    except (ValueError, KeyError, TypeError):
        raise RunFailed("daemon tick", "printed no tick times") from None


def ticks_in_child(home: Path, watch: Path, log_file: Path, ticks: int) -> dict[str, list[float]]:
    """The child: build the passes as daemon.py does, check nothing is due, time `ticks` ticks."""
    from leadchase.clock import now
    from leadchase.context import open_workspace
    from leadchase.daemon import DaemonPasses, daemon_logger, plan_daemon
    from leadchase.dispatch import send_pass

    plan = plan_daemon(home, None, watch)
    passes = DaemonPasses(plan, daemon_logger(log_file, plan.secrets))
    with open_workspace(home) as context:
        shown = send_pass(context, now(), dry_run=True)
    if shown.halted or shown.items:
        why = shown.halted or f"{len(shown.items)} touches are due at {now().isoformat()}"
        raise SystemExit(f"not a tick with nothing due: {why}")

    def tick() -> None:
        imported, code = passes.watch(), passes.send()
        if imported or code != 0:
            raise SystemExit(f"the tick imported {imported} leads and ended with exit {code}")

    tick()  # imports and caches, untimed
    cpu, wall = [], []
    for _ in range(ticks):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        tick()
        cpu.append(time.process_time() - cpu_start)
        wall.append(time.perf_counter() - wall_start)
    logged = log_file.read_text(encoding="utf-8") if log_file.exists() else ""
    if logged.strip():
        # Nothing due logs nothing: a line here means a pass did something or failed.
        raise SystemExit(f"the daemon logged: {logged.strip().splitlines()[-1]}")
    return {"cpu_seconds": cpu, "wall_seconds": wall}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Time daemon ticks with nothing due (internal)")
    parser.add_argument("home", type=Path)
    parser.add_argument("watch", type=Path)
    parser.add_argument("log_file", type=Path)
    parser.add_argument("ticks", type=int)
    options = parser.parse_args()
    print(json.dumps(ticks_in_child(options.home, options.watch, options.log_file, options.ticks)))
