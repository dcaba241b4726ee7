"""A send run: claim the automated texts and emails that are due and allowed, send, record, retry.

Never twice: a touch is claimed (status "claimed" plus a message row holding the rendered body)
and committed before the provider is called, and the result is recorded after. A run that dies
in between leaves the claim behind; the next run reconciles it before sending anything: a text
is looked up at Twilio (same number and body since the claim) and recorded as sent if found,
an email is marked "unknown" for the officer to check and is never resent. A file lock keeps
two runs (two crons, cron and the daemon) from sending at the same time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from typing import TYPE_CHECKING

from leadchase.context import Context
from leadchase.dispatch.run import SendRun
from leadchase.dispatch.senders import (
    LOCK_WAIT_SECONDS,
    Senders,
    SendItem,
    SendResult,
    configured_senders,
    send_lock,
)
from leadchase.errors import LeadchaseError

if TYPE_CHECKING:
    from leadchase.replies import SyncResult

__all__ = [
    "SendItem",
    "SendResult",
    "SendRun",
    "Senders",
    "configured_senders",
    "send_lock",
    "send_pass",
    "sync_from_twilio",
]


def send_pass(
    context: Context,
    now: datetime,
    *,
    dry_run: bool = False,
    limit: int | None = None,
    senders: Senders | None = None,
    sleep: Callable[[float], None] = time.sleep,
    lock_wait: float = LOCK_WAIT_SECONDS,
    alerts: bool = True,
) -> SendResult:
    """One send run (what `leadchase send` and each daemon pass do), then the officer's alerts
    waiting, after the leads' texts (the daemon passes `alerts` off: its own job sends them, so
    a Twilio hanging on the officer's number never holds a lead's first text).

    Nothing goes out while your details or a channel's settings are incomplete: the result is
    halted, saying what to fill in; a dry run still shows what would go.
    """
    from leadchase.alerts import deliver
    from leadchase.channels.config import why_not_send

    chosen = senders or configured_senders(context)
    try:
        not_yet = why_not_send(context.settings, chosen.channels)
        if not_yet is not None and not dry_run:
            return SendResult(dry_run=False, halted=not_yet, channels=chosen.channels)
        run = SendRun(context, now, chosen, dry_run=dry_run, limit=limit, sleep=sleep)
        if dry_run:
            shown = run.run()
            shown.halted = not_yet or shown.halted
            return shown
        with send_lock(context, lock_wait):
            result = run.run()
        if alerts and not result.halted:
            # Alerts that waited for the officer's alert hours, or for a provider to recover.
            deliver(context, now, chosen.texts, chosen.emails)
        return result
    finally:
        chosen.close()


def sync_from_twilio(context: Context, now: datetime) -> SyncResult:
    """`leadchase sync`: new texts from the Twilio account in the settings.

    Holds the send lock, so a send run never texts a lead whose STOP is being recorded.
    """
    from leadchase.channels.config import twilio_settings
    from leadchase.channels.twilio_sms import TwilioTexts
    from leadchase.replies import sync_replies

    settings = twilio_settings(context.settings)
    if not settings.configured:
        raise LeadchaseError(
            "Twilio is not configured, so there are no texts to fetch; set TWILIO_ACCOUNT_SID, "
            "TWILIO_AUTH_TOKEN and TWILIO_FROM (docs/configuration.md)"
        )
    from leadchase.team import Team

    team = Team.load(context).senders
    with send_lock(context), closing(TwilioTexts(settings, team_senders=team)) as texts:
        return sync_replies(context, now, texts)
