"""`leadchase daemon`: APScheduler wiring only.

Jobs in an in-memory job store: a send pass every `send_every` seconds, the officer's alerts
after each one (a job of their own, so a Twilio hanging on the officer's number never holds a
lead's first text), a look at the market
rates every few minutes (rate-drop alerts are planned when today's rates or the day changed)
and, with a watch folder, a scan every few seconds. With --listen, an HTTP listener
(listener/serve.py) runs in a thread beside them and asks for a send pass at once when a post
brings new leads. The database is the source of truth, so nothing is lost when
the process stops; the send lock keeps the daemon and cron runs from sending at the same time.
The jobs themselves are daemon_passes.py's.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from leadchase.daemon_log import daemon_logger as daemon_logger  # where callers look for it
from leadchase.daemon_passes import DaemonPasses as DaemonPasses
from leadchase.daemon_passes import DaemonPlan as DaemonPlan
from leadchase.daemon_passes import plan_daemon as plan_daemon
from leadchase.errors import EXIT_OK, ConfigError

WATCH_EVERY_SECONDS = 3.0
RATES_EVERY_SECONDS = 600.0
SEND_JOB = "send"
WATCH_JOB = "watch"
RATES_JOB = "rates"
ALERTS_JOB = "alerts"
JOB_OPTIONS: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}


def run_daemon(
    home: Path | None,
    *,
    send_every: float | None,
    watch_dir: Path | None,
    once: bool = False,
    log_file: Path | None = None,
    listen: str | None = None,
    max_body: int = 1_000_000,
) -> int:
    """Run until SIGTERM/SIGINT (exit code 0), or with `once` do one scan and one send pass."""
    if once and listen is not None:
        raise ConfigError("--listen serves until the daemon stops; drop --once to use it")
    plan = plan_daemon(home, send_every, watch_dir, listen, max_body)
    log = daemon_logger(log_file, plan.secrets)
    if once:
        passes = DaemonPasses(plan, log)
        passes.watch()
        passes.rates()
        code = passes.send()
        passes.alerts()
        return code
    return _schedule(plan, log)


def _schedule(plan: DaemonPlan, log: logging.Logger) -> int:
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(3)},
        job_defaults=JOB_OPTIONS,
        timezone=UTC,
    )

    # APScheduler's shutdown holds its job-store lock while it waits for the pass in flight, so
    # that pass (or a lead post) asking for another one then would wait on it forever.
    waking = threading.Lock()
    stopped = threading.Event()

    def send_soon() -> None:
        with waking:
            if not stopped.is_set():
                # The scheduler runs on the real clock; LEADCHASE_NOW only moves the business "now".
                scheduler.modify_job(SEND_JOB, next_run_time=datetime.now(UTC))

    passes = DaemonPasses(plan, log, send_soon)

    def alerts_soon() -> None:
        with waking:
            if not stopped.is_set():
                scheduler.modify_job(ALERTS_JOB, next_run_time=datetime.now(UTC))

    def after_job(event: JobExecutionEvent) -> None:
        # A send pass was running when new leads came in, so the run asked for then was skipped:
        # run the next one now rather than a whole interval later.
        if event.job_id == SEND_JOB and passes.leads_waiting:
            send_soon()
        if event.job_id == SEND_JOB:  # the alerts of replies it read, and any that waited
            alerts_soon()

    scheduler.add_listener(after_job, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    start = datetime.now(UTC)
    scheduler.add_job(
        passes.send, "interval", seconds=plan.send_every, id=SEND_JOB, next_run_time=start
    )
    scheduler.add_job(passes.alerts, "interval", seconds=plan.send_every, id=ALERTS_JOB)
    scheduler.add_job(
        passes.rates, "interval", seconds=RATES_EVERY_SECONDS, id=RATES_JOB, next_run_time=start
    )
    if plan.watch_dir is not None:
        scheduler.add_job(
            passes.watch,
            "interval",
            seconds=WATCH_EVERY_SECONDS,
            id=WATCH_JOB,
            next_run_time=start,
        )
    listener = None
    if plan.listen is not None:
        from leadchase.listener.serve import start_listener

        listener = start_listener(plan.root, plan.listen, plan.max_body, passes.leads_arrived)
    log.info(
        "daemon started in %s: sending every %g s%s%s",
        plan.root,
        plan.send_every,
        f", watching {plan.watch_dir}" if plan.watch_dir else "",
        f", listening on http://{listener.address}" if listener else "",
    )
    stopping = _install_stop_signals(log)
    try:
        scheduler.start()
    except _StopRequested as stop:
        log.info("%s received: finishing the pass in flight, then stopping", stop.signal_name)
    finally:
        with waking:
            stopped.set()
        if listener is not None:
            listener.stop()  # no new lead comes in while the last pass finishes
        if scheduler.running:
            scheduler.shutdown(wait=True)
        stopping()
    log.info("daemon stopped")
    return EXIT_OK


class _StopRequested(Exception):
    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


def _install_stop_signals(log: logging.Logger) -> Callable[[], None]:
    """SIGTERM/SIGINT end scheduler.start(); a second signal while stopping is only noted.

    Returns a function that puts the previous handlers back.
    """
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def while_stopping(signum: int, frame: FrameType | None) -> None:
        log.warning("still finishing the pass in flight; it stops right after")

    def stop(signum: int, frame: FrameType | None) -> None:
        for sig in previous:
            signal.signal(sig, while_stopping)
        raise _StopRequested(signal.Signals(signum).name)

    for sig in previous:
        signal.signal(sig, stop)

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore
