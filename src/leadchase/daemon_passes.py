"""The daemon's jobs: what it will do (DaemonPlan, from the command line and leadchase.toml) and
each pass it runs (send, the officer's alerts, market rates, the watch folder). daemon.py
schedules them. Each pass opens its own workspace context and closes it, and reads the clock
afresh.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

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
