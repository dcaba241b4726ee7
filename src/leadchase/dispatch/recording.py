"""Recording what became of a send run's claimed touches, a batch in one transaction.

A claim is committed before its text or email goes; what the provider answered is recorded
here afterwards. A run that dies between the two leaves the claim to recovery.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from leadchase.cadence.made import MadeTouch, record_made
from leadchase.cadence.service import FollowUp, plan_next
from leadchase.channels.base import SendOutcome
from leadchase.dispatch import recovery
from leadchase.dispatch.senders import SendItem
from leadchase.messaging import Rendered
from leadchase.store import sending as store
from leadchase.store import suppressions
from leadchase.store.records import DueTouch

RETRY_LATER = timedelta(minutes=5)


@dataclass
class Claim:
    """A touch claimed for this run, its message written; then what the provider said, when."""

    task: DueTouch
    item: SendItem
    rendered: Rendered
    attempt: int
    message: dict[str, Any]
    message_id: int = 0
    outcome: SendOutcome | None = None
    at: datetime | None = None


@dataclass
class Stops:
    """What the answers recorded mean for the rest of the run: channels to hold (and why), a
    halt; and the sent texts' message updates, made together at the end."""

    held: list[tuple[str, str]] = field(default_factory=list)
    halted: str | None = None
    sent: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def record_claims(connection: Connection, followup: FollowUp, claims: list[Claim]) -> Stops:
    """Record each claim the provider answered, in `connection`'s one transaction."""
    stops = Stops()
    # The batch's opt-outs, read once: a record adds one only for its own lead's number, and a
    # batch has each lead and number once.
    reach = {v for c in claims for v in (c.task.lead.phone, c.task.lead.email) if v}
    scopes = suppressions.live_scopes(connection, reach) if claims else {}
    # The sent ones (nearly all) are recorded together, each run of them before the next
    # other answer, so every row comes out as recording them one by one would make it.
    sent: list[MadeTouch] = []
    for claim in claims:
        if claim.outcome is not None and claim.outcome.outcome == "sent":
            sent.append(_sent(claim, stops))
            continue
        record_made(connection, followup, sent, outcome="sent", status="sent", scopes=scopes)
        sent = []
        _record(connection, followup, claim, stops)
    record_made(connection, followup, sent, outcome="sent", status="sent", scopes=scopes)
    store.update_messages(connection, stops.sent)
    return stops


def _sent(claim: Claim, stops: Stops) -> MadeTouch:
    """A text or email the provider took: its message goes to `stops.sent`, for one update of
    them all (nothing here reads it), and its touch to record_made, with the batch's others."""
    touch, item, moment = claim.task.touch, claim.item, claim.at
    assert claim.outcome is not None and moment is not None
    item.provider_id, item.error_code = claim.outcome.provider_id, claim.outcome.error_code
    item.result = "sent"
    stops.sent.append((claim.message_id, {**_message(claim.outcome), "sent_at": moment}))
    extra = {"variant": item.variant, "attempt": claim.attempt}
    return MadeTouch(claim.task.lead, touch.id, touch.channel, moment, extra)


def _message(outcome: SendOutcome) -> dict[str, Any]:
    return {
        "provider_id": outcome.provider_id,
        "error_code": outcome.error_code,
        "status": outcome.provider_status or outcome.outcome,
    }


def _record(connection: Connection, followup: FollowUp, claim: Claim, stops: Stops) -> None:
    """What the provider said about a claimed touch it did not take, at the moment it
    answered."""
    touch, lead, item = claim.task.touch, claim.task.lead, claim.item
    message_id = claim.message_id
    outcome, moment = claim.outcome, claim.at
    assert outcome is not None and moment is not None
    item.provider_id, item.error_code = outcome.provider_id, outcome.error_code
    message = _message(outcome)
    item.reason = outcome.error_message or outcome.outcome
    if outcome.outcome == "unconfirmed":  # maybe sent: as after a crash
        recovery.look_up_later(connection, touch.id, message_id, moment)
        item.result = "retry_later"
        stops.held.append((touch.channel, item.reason))
        return
    store.update_message(connection, message_id, {**message, "status": "failed"})
    if outcome.outcome in ("retry", "halt"):
        # Not sent: the touch goes back to planned, to be tried again later.
        later = moment + RETRY_LATER if outcome.outcome == "retry" else touch.due_at
        store.update_touch(
            connection,
            touch.id,
            {"status": "planned", "due_at": later, "done_at": None},
        )
        item.result = "retry_later" if outcome.outcome == "retry" else "held"
        if outcome.outcome == "retry":  # still failing after the in-run retries
            stops.held.append((touch.channel, f"still failing: {item.reason}"))
        if outcome.outcome == "halt":
            stops.halted = outcome.error_message or "the provider refused the configuration"
        return
    item.result = "failed"
    store.update_touch(
        connection,
        touch.id,
        {
            "status": "failed",
            "done_at": moment,
            "outcome": outcome.error_code or outcome.outcome,
        },
    )
    if outcome.outcome == "opted-out":
        suppressions.add(
            connection,
            item.to,
            channel="text",
            reason="opt-out",
            now=moment,
            evidence=f"Twilio {outcome.error_code}: recipient opted out at the carrier",
        )
    elif outcome.outcome == "not-textable":
        recovery.stop_texting(connection, lead.id, moment, outcome.error_code or "not textable")
    else:
        plan_next(connection, followup, lead, touch.channel, moment)
