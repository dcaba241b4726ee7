"""Crash recovery and delivery follow-up for send runs.

A run that died between claiming a text and recording it left the claim behind. Before sending,
the next run looks the text up at Twilio (same number and body since the claim): found, it is
recorded as sent; not found yet, the request may still be in flight there, so the touch waits a
couple of minutes and is looked up once more right before it is sent. An email may have left
before the crash and SMTP cannot tell: it is marked "unknown" for the officer, never resent.

Each function takes what it works with (the database, the text provider, the follow-up rules,
the run's clock) and returns what it did, so a send run uses it without being passed in whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from leadchase.cadence.service import FollowUp, record_touch
from leadchase.channels.base import DeliveryStatus, ProviderError, TextSender
from leadchase.dispatch.senders import SendItem
from leadchase.store import leads as lead_store
from leadchase.store import sending as store
from leadchase.store import touches as touch_store
from leadchase.store.records import DueTouch, Lead, Message, Touch

if TYPE_CHECKING:
    from leadchase.store.database import Database

RECHECK_AFTER = timedelta(minutes=2)  # a crashed run's text: look at Twilio again after this
UNCONFIRMED = "unconfirmed after an interrupted run"
STATUS_LOOKBACK = timedelta(days=3)  # a text's delivery status is followed this long
STATUS_FOLLOW_UPS = 200  # texts whose status one run asks Twilio about, newest first
UNDELIVERABLE = {"30006": "landline or unreachable carrier"}


# Twilio's id of a text sent to `to` with `body` since a moment, if it has one (find_sent).
Lookup = Callable[[str, str, datetime], str | None]


@dataclass(frozen=True)
class Settled:
    """What reconcile did: claims settled, emails that may have gone, and the provider error
    that left the remaining text claims for a later run."""

    count: int
    unknown: list[SendItem]
    problem: ProviderError | None = None


def sent_before_crash(
    connection: Connection, lookup: Lookup | None, followup: FollowUp, task: DueTouch
) -> str | None:
    """A text an interrupted run may have sent: if Twilio has it now, it is recorded as sent
    (never resent) and its Twilio id returned; None when it must be sent. Without a lookup
    (Twilio not configured) there is nothing to ask."""
    earlier = store.unconfirmed_message(connection, task.touch.id)
    if earlier is None or lookup is None:
        return None
    found = lookup(earlier.to_address, earlier.body, earlier.created_at)
    if found is None:
        store.update_message(
            connection, earlier.id, {"status": "failed", "error_code": "never-sent"}
        )
        return None
    _record_found(connection, followup, task.touch, task.lead, earlier, found, earlier.created_at)
    return found


def _record_found(
    connection: Connection,
    followup: FollowUp,
    touch: Touch,
    lead: Lead,
    message: Message | None,
    provider_id: str,
    at: datetime,
) -> None:
    """Twilio has the text an interrupted run claimed: record it as sent then, never resend."""
    if message is not None:
        store.update_message(
            connection, message.id, {"provider_id": provider_id, "status": "sent", "sent_at": at}
        )
    variant = message.variant if message is not None else None
    record_touch(
        connection, followup, lead, touch.channel, at,
        outcome="sent", status="sent", touch_id=touch.id, extra={"variant": variant},
    )  # fmt: skip


def stop_texting(connection: Connection, lead_id: int, moment: datetime, why: str) -> None:
    lead_store.update_lead(connection, lead_id, {"text_ok": False})
    touch_store.cancel_open(
        connection, lead_id, moment, f"not textable ({why})", channels=("text",)
    )
    lead_store.add_event(connection, lead_id, moment, "not-textable", f"texts stopped: {why}")


def look_up_later(
    connection: Connection, touch_id: int, message_id: int | None, at: datetime
) -> None:
    """A text that may have gone out unrecorded: it is planned again, to be looked up at Twilio
    on a pass a little after `at`, right before it would be sent, and never sent blindly."""
    if message_id is not None:
        store.update_message(connection, message_id, {"status": "unconfirmed"})
    store.update_touch(
        connection,
        touch_id,
        {
            "status": "planned",
            "done_at": None,
            "outcome": UNCONFIRMED,
            "due_at": at + RECHECK_AFTER,
        },
    )


def reconcile(
    database: Database,
    lookup: Lookup | None,
    followup: FollowUp,
    now: Callable[[], datetime],
) -> Settled:
    """Settle the claims a crashed run left behind, before this run sends anything.

    A text claim Twilio cannot be asked about (down, refusing) stays claimed, so it is never
    sent, until a later run can ask."""
    with database.reading() as connection:
        leftovers = store.claimed(connection)
    unknown: list[SendItem] = []
    settled = 0
    for claim in leftovers:
        touch, lead, message = claim.touch, claim.lead, claim.message
        # A claim's time is kept in done_at until the touch is recorded.
        claimed_at = touch.done_at or touch.due_at
        found: str | None = None
        if touch.channel == "text" and lookup is not None and message is not None:
            try:
                found = lookup(message.to_address, message.body, claimed_at)
            except ProviderError as error:
                return Settled(settled, unknown, error)
        settled += 1
        with database.writing() as connection:
            if found is not None:
                _record_found(connection, followup, touch, lead, message, found, claimed_at)
            elif touch.channel == "text":
                # Not at Twilio yet. The request may still be in flight there (the process
                # died mid-call), so do not resend now.
                look_up_later(connection, touch.id, message.id if message else None, now())
            else:
                # An email may have left before the crash; SMTP cannot tell. Never resend.
                if message is not None:
                    store.update_message(connection, message.id, {"status": "unknown"})
                record_touch(
                    connection, followup, lead, touch.channel, claimed_at,
                    outcome="unknown: check your sent mail", status="unknown", touch_id=touch.id,
                )  # fmt: skip
                to = message.to_address if message is not None else ""
                unknown.append(
                    SendItem(
                        touch.id, lead.id, lead.name or "", touch.channel, to,
                        "unknown", "a run stopped mid-send; check your sent mail, not resent",
                    )
                )  # fmt: skip
    return Settled(settled, unknown)


def follow_up_statuses(
    database: Database, texts: TextSender, since: datetime, now: Callable[[], datetime]
) -> int:
    """Fetch the delivery status of texts sent since `since` (STATUS_LOOKBACK ago: a text
    whose carrier never reports stays "sent" for good, and is not asked about for ever), newest
    first; a landline (30006) stops texting it. Returns how many statuses changed.

    Following up is a nicety: when Twilio fails, it stops until the next run; an answer about
    another text than the one asked for is not recorded."""
    with database.reading() as connection:
        in_flight = store.recent_texts_in_flight(connection, since, STATUS_FOLLOW_UPS)
    answers: list[tuple[Message, DeliveryStatus, datetime]] = []
    for message in in_flight:
        assert message.provider_id is not None  # the query reads texts Twilio accepted
        try:
            status = texts.delivery_status(message.provider_id)
        except ProviderError as error:
            if error.outcome == "failed":  # this text only (deleted at Twilio): the others
                continue
            break
        if status.provider_id == message.provider_id:
            answers.append((message, status, now()))
    if not answers:
        return 0
    # Recorded in one transaction: a run stopped before it loses only answers asked again next.
    # Each text is weighed as it is now, inside the write: a status callback may have moved it
    # on meanwhile, and a poll must not move it back ("sent" over "delivered").
    with database.writing() as connection:
        now_stored = store.messages_by_provider_id(
            connection, [m.provider_id or "" for m, *_ in answers]
        )
        return sum(
            record_status(
                connection, now_stored.get(message.provider_id or "", message), status, moment
            )
            for message, status, moment in answers
        )


# How far along a text is: a status report never moves a text back (Twilio's callbacks may
# arrive out of order, "sent" after "delivered"). Any other status ranks with "sent".
_PROGRESS = {"accepted": 0, "scheduled": 0, "queued": 0, "sending": 1, "sent": 2}
_PROGRESS |= dict.fromkeys(("delivered", "undelivered", "failed", "canceled", "read"), 3)


def record_status(
    connection: Connection, message: Message, status: DeliveryStatus, now: datetime
) -> bool:
    """Record a text's delivery status from Twilio, polled here or posted to the listener's
    status callback: one code path. A landline (30006) stops texting the lead. True when the
    status changed."""
    if status.status == message.status and status.error_code == message.error_code:
        return False
    if _progress(status.status) < _progress(message.status):
        return False
    store.update_message(
        connection, message.id, {"status": status.status, "error_code": status.error_code}
    )
    if status.error_code in UNDELIVERABLE and message.lead_id is not None:
        stop_texting(connection, message.lead_id, now, UNDELIVERABLE[status.error_code])
    return True


def _progress(status: str) -> int:
    return _PROGRESS.get(status, 2)
