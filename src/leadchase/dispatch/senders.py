"""What a send run talks to and reports: the providers, the lock, the per-message results."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Any

from leadchase.channels.base import EmailSender, TextSender
from leadchase.context import Context
from leadchase.errors import BusyError

LOCK_WAIT_SECONDS = 10.0


@dataclass
class SendItem:
    touch_id: int
    lead_id: int
    name: str
    channel: str
    to: str
    result: str  # sent | failed | held | skipped | retry_later | would-send | unknown
    reason: str = ""
    template: str | None = None
    variant: int | None = None
    body: str | None = None
    subject: str | None = None
    provider_id: str | None = None
    error_code: str | None = None


@dataclass
class SendResult:
    dry_run: bool
    items: list[SendItem] = field(default_factory=list)
    halted: str | None = None
    # A channel whose provider failed this run (down, hung, replies unreadable): why its
    # touches were held for the next run. The other channel still sends.
    held_channels: dict[str, str] = field(default_factory=dict)
    reconciled: int = 0
    statuses_updated: int = 0
    replies: int = 0
    channels: tuple[str, ...] = ()

    def count(self, result: str) -> int:
        return sum(1 for item in self.items if item.result == result)

    def held_summary(self) -> str:
        """Which channels wait for the next run, and why, on one line."""
        return "; ".join(
            f"{channel}s held until the next run: {why}"
            for channel, why in self.held_channels.items()
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "sent": self.count("sent"),
            "failed": self.count("failed"),
            "held": self.count("held"),
            "skipped": self.count("skipped"),
            "retry_later": self.count("retry_later"),
            "would_send": self.count("would-send"),
            "unknown": self.count("unknown"),
            "halted": self.halted,
            "held_channels": dict(self.held_channels),
            "reconciled": self.reconciled,
            "replies": self.replies,
            "dry_run": self.dry_run,
            # Field by field: asdict's deep copies cost a send of 1,000 texts 40 ms (flat items).
            "items": [{f.name: getattr(item, f.name) for f in fields(item)} for item in self.items],
        }


@dataclass
class Senders:
    texts: TextSender | None = None
    emails: EmailSender | None = None
    messages_per_second: float = 1.0
    from_number: str = ""
    from_address: str = ""

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(c for c, s in (("text", self.texts), ("email", self.emails)) if s is not None)

    def close(self) -> None:
        if self.texts is not None:
            self.texts.close()
        if self.emails is not None:
            self.emails.close()


def configured_senders(context: Context) -> Senders:
    """The real providers for every channel whose settings are complete."""
    from leadchase.channels.config import smtp_settings, twilio_settings

    twilio = twilio_settings(context.settings)
    smtp = smtp_settings(context.settings)
    senders = Senders(messages_per_second=twilio.messages_per_second)
    if twilio.configured:
        from leadchase.channels.twilio_sms import TwilioTexts
        from leadchase.team import Team

        senders.texts = TwilioTexts(twilio, team_senders=Team.load(context).senders)
        senders.from_number = twilio.from_number or twilio.messaging_service_sid
    if smtp.configured:
        from leadchase.channels.smtp_email import SmtpEmails

        senders.emails = SmtpEmails(smtp)
        senders.from_address = smtp.from_address
    return senders


BUSY = (
    "another send run (cron or the daemon) is sending right now; this one stopped "
    "without sending. It is safe to run again in a minute."
)


@contextmanager
def send_lock(context: Context, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """One send run at a time: a file lock in the workspace for its SQLite file; on a shared
    PostgreSQL an advisory lock in the database, so runs on different machines queue too.
    Runs take turns rather than share the due touches (SKIP LOCKED): the send rate is the
    account's, and recovery reads any unrecorded claim as a dead run's (docs/team.md)."""
    database = context.database
    if database.shared:
        with database.held_lock("leadchase send", wait) as held:
            if not held:
                raise BusyError(BUSY)
            yield
        return
    from filelock import FileLock, Timeout

    lock = FileLock(str(context.settings.workspace.root / ".leadchase-send.lock"), mode=0o600)
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise BusyError(BUSY) from None
    try:
        yield
    finally:
        lock.release()
