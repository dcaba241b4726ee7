"""The checks on one due automated touch before it is rendered and claimed (run.py's batch):
is it still the cadence's to send, is it still on time, and what the contact policy says now.
A touch that does not go is cancelled, skipped with its next one planned, moved to its next
allowed moment, or made a task for the officer; a dry run only says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from leadchase.cadence.expiry import expiry_reason
from leadchase.cadence.model import CAMPAIGNS
from leadchase.cadence.service import FollowUp, skip_touch
from leadchase.compliance.policy import Verdict
from leadchase.dispatch.senders import SendItem
from leadchase.store import sending as store
from leadchase.store.records import DueTouch


@dataclass(frozen=True)
class Looked:
    """What the batch's reads said of one touch: the policy's verdict at the batch's moment,
    and which attempt on its channel this would be."""

    moment: datetime
    verdict: Verdict
    attempt: int


def held_back(
    connection: Connection,
    followup: FollowUp,
    task: DueTouch,
    item: SendItem,
    look: Looked,
    *,
    dry_run: bool,
) -> bool:
    """True when the touch is not to be sent now; `item` says why, and the touch is cancelled,
    skipped or left to wait (unless this is a dry run)."""
    touch, lead = task.touch, task.lead
    moment = look.moment
    reason = closed_reason(task)
    if reason is not None:
        item.result, item.reason = "skipped", reason
        if not dry_run:
            store.update_touch(
                connection,
                touch.id,
                {"status": "cancelled", "done_at": moment, "outcome": reason},
            )
        return True
    expired = expiry_reason(touch, lead, moment)
    if expired is not None:  # never sent late: skipped, and the next one planned
        item.result, item.reason = "skipped", expired
        if not dry_run:
            skip_touch(connection, followup, lead, touch, moment, expired)
        return True
    return not allowed(connection, task, item, look, dry_run=dry_run)


def closed_reason(task: DueTouch) -> str | None:
    """Why this touch is no longer the cadence's to send (it is cancelled), or None."""
    touch, lead = task.touch, task.lead
    if touch.cadence != lead.cadence and touch.cadence not in CAMPAIGNS:
        return "the lead changed cadence"
    replied, started = lead.replied_at, lead.cadence_started_at
    if replied is not None and (started is None or replied >= started):
        return "the lead replied: automation paused"
    return None


def allowed(
    connection: Connection, task: DueTouch, item: SendItem, look: Looked, *, dry_run: bool
) -> bool:
    """The contact policy's answer for this automated touch now; when it says no, the touch
    waits for its next allowed moment, becomes a task for the officer, or is cancelled."""
    touch, verdict, moment = task.touch, look.verdict, look.moment
    if not verdict.allowed:
        item.reason = verdict.reason
        if verdict.next_allowed_at is not None:
            if not dry_run:
                store.update_touch(connection, touch.id, {"due_at": verdict.next_allowed_at})
        elif verdict.rule == "no-consent":
            # Not the program's to send: the same text goes on the agenda for the officer.
            item.reason += " (now a task on `leadchase today`)"
            if not dry_run:
                store.update_touch(connection, touch.id, {"automated": False})
        elif verdict.rule != "unknown-timezone":  # that one waits, flagged, for a fix
            item.result = "skipped"
            if not dry_run:
                store.update_touch(
                    connection,
                    touch.id,
                    {"status": "cancelled", "done_at": moment, "outcome": verdict.reason},
                )
        return False
    return True
