"""`leadchase daemon`: APScheduler wiring only.

Jobs in an in-memory job store: a send pass every `send_every` seconds, the officer's alerts
after each one (a job of their own, so a Twilio hanging on the officer's number never holds a
lead's first text), a look at the market
rates every few minutes (rate-drop alerts are planned when today's rates or the day changed)
and, with a watch folder, a scan every few seconds. With --listen, an HTTP listener
(listener/serve.py) runs in a thread beside them and asks for a send pass at once when a post
brings new leads. The database is the source of truth, so nothing is lost when
the process stops; the send lock keeps the daemon and cron runs from sending at the same time.
Each pass opens its own workspace context and closes it, and reads the clock afresh.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from leadchase.daemon_log import daemon_logger as daemon_logger  # where callers look for it
from leadchase.errors import (
    EXIT_ERROR,
    EXIT_HALTED,
    EXIT_HELD,
    EXIT_OK,
    BusyError,
    ConfigError,
    LeadchaseError,
    explain,
)
from leadchase.words import counted

if TYPE_CHECKING:
    from leadchase.dispatch import SendResult
    from leadchase.listener.serve import Address
    from leadchase.watch import FileLook

WATCH_EVERY_SECONDS = 3.0
RATES_EVERY_SECONDS = 600.0
SEND_JOB = "send"
WATCH_JOB = "watch"
RATES_JOB = "rates"
ALERTS_JOB = "alerts"
JOB_OPTIONS: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
ACTIONS = ("sent", "failed", "retry_later", "unknown")  # logged one line each; held/skipped counted


@dataclass(frozen=True)
class DaemonPlan:
    """What the daemon will do, from the command line and [daemon] in leadchase.toml."""

    root: Path
    send_every: float
    watch_dir: Path | None
    secrets: tuple[str, ...] = field(default=(), repr=False)
    listen: Address | None = None
    max_body: int = 1_000_000


def plan_daemon(
    home: Path | None,
    send_every: float | None,
    watch_dir: Path | None,
    listen: str | None = None,
    max_body: int = 1_000_000,
) -> DaemonPlan:
    from leadchase.channels.config import smtp_settings, twilio_settings
    from leadchase.context import open_workspace

    with open_workspace(home) as context:
        settings = context.settings
        if listen is not None:
            # Migrated now, before the listener's threads and the first pass open it at once.
            context.database  # noqa: B018
    every = settings.daemon.send_every_seconds if send_every is None else send_every
    folder = watch_dir
    if folder is None:
        configured = settings.daemon.watch_dir
        folder = Path(configured).expanduser() if configured.strip() else None
        if folder is not None and not folder.is_absolute():
            folder = settings.workspace.root / folder
    if folder is not None:
        folder = _ready_folder(folder.expanduser().resolve())
    secrets = [twilio_settings(settings).auth_token, smtp_settings(settings).password]
    address = None
    if listen is not None:
        from leadchase.listener.serve import check_extra, parse_listen
        from leadchase.listener.token import read_token

        address = parse_listen(listen)
        check_extra()
        secrets.append(read_token(settings.workspace.root))
    return DaemonPlan(
        settings.workspace.root,
        float(every),
        folder,
        tuple(s for s in secrets if s),
        listen=address,
        max_body=max_body,
    )


def _ready_folder(folder: Path) -> Path:
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"watch folder {folder} is a file; give a folder with --watch")
    try:
        folder.mkdir(exist_ok=True)
    except OSError as error:
        raise ConfigError(
            f"cannot create watch folder {folder} ({error.strerror}); create it or fix --watch"
        ) from None
    return folder


class DaemonPasses:
    """The daemon's jobs. A failing pass is logged and tried again next time, never fatal."""

    def __init__(
        self,
        plan: DaemonPlan,
        log: logging.Logger,
        send_soon: Callable[[], None] = lambda: None,
    ) -> None:
        self.plan = plan
        self.log = log
        self.send_soon = send_soon
        self._looks: dict[str, FileLook] = {}
        self._named_waiting: set[str] = set()
        self._leads_waiting = threading.Event()

    @property
    def leads_waiting(self) -> bool:
        """New leads were imported since the current (or last) send pass started."""
        return self._leads_waiting.is_set()

    def send(self) -> int:
        """One send pass; the exit code `daemon --once` would end with."""
        from leadchase.clock import now
        from leadchase.context import open_workspace
        from leadchase.dispatch import send_pass

        self._leads_waiting.clear()
        try:
            with open_workspace(self.plan.root) as context:
                result = send_pass(context, now(), alerts=False)  # self.alerts() sends them
        except BusyError as busy:
            self.log.warning("another run is sending; skipped")
            return busy.exit_code
        except LeadchaseError as error:
            self.log.error("send pass failed: %s", error)
            return error.exit_code
        except Exception as error:
            known = explain(error)
            if known is not None:
                self.log.error("send pass failed: %s", known)
                return known.exit_code
            self.log.exception("send pass failed (a bug: please report it); trying again next time")
            return EXIT_ERROR
        self._report(result)
        if result.halted:
            return EXIT_HALTED
        return EXIT_HELD if result.held_channels else EXIT_OK

    def _report(self, result: SendResult) -> None:
        for item in result.items:
            if item.result in ACTIONS:
                self.log.info(
                    "%s %s to lead %s%s%s",
                    item.result.replace("_", " "),
                    item.channel,
                    item.lead_id,
                    f" ({item.provider_id})" if item.provider_id else "",
                    f" error {item.error_code}" if item.error_code else "",
                )
        if result.reconciled:
            reconciled = counted(result.reconciled, "message")
            self.log.info("reconciled %s left by an interrupted run", reconciled)
        counts = result.to_json()
        summary = ", ".join(
            f"{counts[key]} {key.replace('_', ' ')}"
            for key in ("sent", "failed", "held", "skipped", "retry_later", "unknown")
            if counts[key]
        )
        self.log.log(
            logging.INFO if summary else logging.DEBUG, "send pass: %s", summary or "nothing due"
        )
        if result.held_channels:
            self.log.warning("%s", result.held_summary())
        if result.halted:
            self.log.critical(
                "SENDING HALTED: %s. Fix it; the daemon keeps running and the next pass tries again.",
                result.halted,
            )

    def alerts(self) -> int:
        """Send the officer's alerts waiting (in their alert hours); returns how many went."""
        from leadchase.alerts import deliver
        from leadchase.clock import now
        from leadchase.context import open_workspace

        try:
            with open_workspace(self.plan.root) as context:
                sent = deliver(context, now())
        except Exception as error:
            known = error if isinstance(error, LeadchaseError) else explain(error)
            if known is None:
                self.log.exception("sending alerts failed (a bug: please report it)")
            else:
                self.log.error("sending alerts failed: %s", known)
            return 0
        if sent:
            self.log.info("sent %s to you", counted(sent, "alert"))
        return sent

    def rates(self) -> int:
        """Plan rate-drop alerts when today's rates (or the day) changed; how many it planned."""
        from leadchase.clock import now
        from leadchase.context import open_workspace
        from leadchase.rates.service import plan_if_changed

        try:
            with open_workspace(self.plan.root) as context:
                planned = plan_if_changed(context, now())
        except Exception as error:
            known = error if isinstance(error, LeadchaseError) else explain(error)
            if known is None:
                self.log.exception("rate-drop planning failed (a bug: please report it)")
            else:
                self.log.error("rate-drop planning failed: %s", known)
            return 0
        if planned is None:
            return 0
        if planned.problem:
            self.log.warning("%s", planned.problem)
        for found in planned.planned:
            self.log.info("rate-drop alert planned for lead %s: %s", found.lead.id, found.facts)
        return len(planned.planned)

    def watch(self) -> int:
        """One scan of the watch folder; returns how many new leads it imported."""
        from leadchase.clock import now
        from leadchase.context import open_workspace
        from leadchase.watch import scan_watch_folder

        folder = self.plan.watch_dir
        if folder is None:
            return 0
        waiting: list[str] = []
        try:
            with open_workspace(self.plan.root) as context:
                results = scan_watch_folder(
                    context, folder, now(), last_looks=self._looks, waiting=waiting
                )
        except Exception as error:
            known = error if isinstance(error, LeadchaseError) else explain(error)
            if known is not None:
                self.log.error("watch scan failed: %s", known)
            else:
                self.log.exception("watch scan failed (a bug: please report it); trying again soon")
            return 0
        self._name_waiting(waiting)
        new_leads = 0
        for result in results:
            if result.outcome == "failed":
                self.log.error(
                    "import failed: %s -> %s: %s", result.file, result.moved_to, result.error
                )
                continue
            new_leads += result.imported
            self.log.info(
                "imported %s: %d new, %d merged, %d rejected -> %s",
                result.file,
                result.imported,
                result.merged,
                result.rejected,
                result.moved_to,
            )
        if new_leads:
            self.leads_arrived()
        return new_leads

    def leads_arrived(self) -> None:
        """Speed to lead: new leads were stored, so their first text goes out on a send pass
        now, not a whole interval later (the pass claims each touch before sending it)."""
        self._leads_waiting.set()
        self.send_soon()

    def _name_waiting(self, waiting: list[str]) -> None:
        """One line for each file left for a later scan, the first time it is left."""
        for name in waiting:
            if name not in self._named_waiting:
                self.log.info(
                    "not imported yet: %s was still changing at this scan (a copy or download in "
                    "progress?); the next pass picks it up",
                    name,
                )
        self._named_waiting = set(waiting)


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
