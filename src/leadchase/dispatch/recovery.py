"""Crash recovery and delivery follow-up for send runs.

A run that died between claiming a text and recording it left the claim behind. Before sending,
the next run looks the text up at Twilio (same number and body since the claim): found, it is
recorded as sent; not found yet, the request may still be in flight there, so the touch waits a
couple of minutes and is looked up once more right before it is sent. An email may have left
before the crash and SMTP cannot tell: it is marked "unknown" for the officer, never resent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from leadchase.cadence.model import Channel
from leadchase.cadence.service import record_touch
from leadchase.dispatch.senders import SendItem
from leadchase.store import leads as lead_store
from leadchase.store import sending as store
from leadchase.store import touches as touch_store
from leadchase.store.records import DueTouch, Lead

if TYPE_CHECKING:
    from leadchase.dispatch.run import SendRun

RECHECK_AFTER = timedelta(minutes=2)  # a crashed run's text: look at Twilio again after this
UNCONFIRMED = "unconfirmed after an interrupted run"
STATUS_LOOKBACK = timedelta(days=3)
UNDELIVERABLE = {"30006": "landline or unreachable carrier"}


def sent_before_crash(run: SendRun, connection: Connection, task: DueTouch, item: SendItem) -> bool:
    """A text an interrupted run may have sent: if Twilio has it now, record it, never resend."""
    earlier = store.unconfirmed_message(connection, task.touch.id)
    if earlier is None or run.senders.texts is None:
        return False
    found = run.senders.texts.find_sent(earlier.to_address, earlier.body, earlier.created_at)
    if found is None:
        store.update_message(
            connection, earlier.id, {"status": "failed", "error_code": "never-sent"}
        )
        return False
    _record_found(
        run, connection, task.lead, task.touch.channel, task.touch.id, earlier.id, found,
        earlier.created_at, earlier.variant,
    )  # fmt: skip
    item.result, item.reason, item.provider_id = (
        "sent",
        "sent by an interrupted run; recorded",
        found,
    )
    run.result.reconciled += 1
    return True


def _record_found(
    run: SendRun,
    connection: Connection,
    lead: Lead,
    channel: Channel,
    touch_id: int,
    message_id: int | None,
    provider_id: str,
    at: datetime,
    variant: int | None,
) -> None:
    """Twilio has the text an interrupted run claimed: record it as sent then, never resend."""
    if message_id is not None:
        store.update_message(
            connection, message_id, {"provider_id": provider_id, "status": "sent", "sent_at": at}
        )
    record_touch(
        connection, run.followup, lead, channel, at,
        outcome="sent", status="sent", touch_id=touch_id, extra={"variant": variant},
    )  # fmt: skip


def stop_texting(connection: Connection, lead_id: int, moment: datetime, why: str) -> None:
    lead_store.update_lead(connection, lead_id, {"text_ok": False})
    touch_store.cancel_open(
        connection, lead_id, moment, f"not textable ({why})", channels=("text",)
    )
    lead_store.add_event(connection, lead_id, moment, "not-textable", f"texts stopped: {why}")


def reconcile(run: SendRun) -> None:
    """Settle the claims a crashed run left behind, before this run sends anything."""
    with run.context.database.reading() as connection:
        leftovers = store.claimed(connection)
    for claim in leftovers:
        touch, lead, message = claim.touch, claim.lead, claim.message
        # A claim's time is kept in done_at until the touch is recorded.
        claimed_at = touch.done_at or touch.due_at
        found: str | None = None
        if touch.channel == "text" and run.senders.texts is not None and message is not None:
            found = run.senders.texts.find_sent(message.to_address, message.body, claimed_at)
        message_id = message.id if message is not None else None
        with run.context.database.writing() as connection:
            run.result.reconciled += 1
            if found is not None:
                _record_found(
                    run, connection, lead, touch.channel, touch.id, message_id, found,
                    claimed_at, message.variant if message is not None else None,
                )  # fmt: skip
            elif touch.channel == "text":
                # Not at Twilio yet. The request may still be in flight there (the process
                # died mid-call), so do not resend now: look again on a pass a little
                # later, right before sending it.
                if message_id is not None:
                    store.update_message(connection, message_id, {"status": "unconfirmed"})
                store.update_touch(
                    connection,
                    touch.id,
                    {
                        "status": "planned",
                        "done_at": None,
                        "outcome": UNCONFIRMED,
                        "due_at": run.now() + RECHECK_AFTER,
                    },
                )
            else:
                # An email may have left before the crash; SMTP cannot tell. Never resend.
                if message_id is not None:
                    store.update_message(connection, message_id, {"status": "unknown"})
                record_touch(
                    connection, run.followup, lead, touch.channel, claimed_at,
                    outcome="unknown: check your sent mail", status="unknown", touch_id=touch.id,
                )  # fmt: skip
                to = message.to_address if message is not None else ""
                run.result.items.append(
                    SendItem(
                        touch.id, lead.id, lead.name or "", touch.channel, to,
                        "unknown", "a run stopped mid-send; check your sent mail, not resent",
                    )
                )  # fmt: skip


def follow_up_statuses(run: SendRun) -> None:
    """Fetch the delivery status of recent texts; a landline (30006) stops texting it."""
    assert run.senders.texts is not None
    with run.context.database.reading() as connection:
        in_flight = store.recent_texts_in_flight(connection, run.start - STATUS_LOOKBACK, 200)
    for message in in_flight:
        assert message.provider_id is not None  # the query reads texts Twilio accepted
        status = run.senders.texts.delivery_status(message.provider_id)
        if status.status == message.status and status.error_code == message.error_code:
            continue
        with run.context.database.writing() as connection:
            store.update_message(
                connection,
                message.id,
                {"status": status.status, "error_code": status.error_code},
            )
            if status.error_code in UNDELIVERABLE and message.lead_id is not None:
                stop_texting(
                    connection, message.lead_id, run.now(), UNDELIVERABLE[status.error_code]
                )
        run.result.statuses_updated += 1
