"""Replies: pull inbound texts from Twilio, stop on reply, honour STOP / START / HELP at once.

A reply from a lead pauses every automated touch for that lead immediately, moves it to the
stage that starts the conversation cadence, puts "reply to NAME" at the top of `today` and
alerts the officer ([alerts] reply).
Opt-outs suppress the number for texts forever (the message is kept as proof), START lifts
that, HELP gets one answer right away (a response to the lead, so the contact window does not
apply). Automatic replies ("I'm driving") are recorded but pause nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from leadchase import alerts
from leadchase.cadence.service import FollowUp, StageMove, change_stage, plan_next
from leadchase.channels.base import InboundText, TextSender
from leadchase.compliance.keywords import STOPS, ReplyKind, classify_reply
from leadchase.compliance.optouts import OptOutScope, closed_by
from leadchase.config import Officer
from leadchase.context import Context
from leadchase.store import leads as lead_store
from leadchase.store import sending as send_store
from leadchase.store import suppressions
from leadchase.store import touches as touch_store
from leadchase.store.records import Lead
from leadchase.team import Team

FIRST_SYNC_LOOKBACK = timedelta(days=7)
OVERLAP = timedelta(minutes=10)
_LAST_SYNC = "replies:last_sync"


@dataclass
class InboundItem:
    provider_id: str
    from_number: str
    lead_id: int | None
    name: str
    kind: str  # a ReplyKind: reply, opt-out, stop-all, possible-opt-out, opt-in, help, ...
    body: str
    action: str


@dataclass
class SyncResult:
    items: list[InboundItem] = field(default_factory=list)
    since: datetime | None = None
    incomplete: str | None = None  # why some texts of the window were not read

    def to_json(self) -> dict[str, Any]:
        kinds: dict[str, int] = {}
        for item in self.items:
            kinds[item.kind] = kinds.get(item.kind, 0) + 1
        return {
            "received": len(self.items),
            "by_kind": kinds,
            "unknown_senders": sum(1 for item in self.items if item.lead_id is None),
            "since": self.since.isoformat() if self.since else None,
            "incomplete": self.incomplete,
            "items": [asdict(item) for item in self.items],
        }


def help_answer(officer: Officer) -> str:
    who = ", ".join(part for part in (officer.name, officer.company) if part)
    phone = f" Call or text {officer.phone_for_people}." if officer.phone else ""
    return f"{who or 'Your loan officer'} here.{phone} Reply STOP to opt out."


def sync_replies(
    context: Context, now: datetime, texts: TextSender, *, send_alerts: bool = True
) -> SyncResult:
    """Fetch and act on new inbound texts. Safe to run often: messages are de-duplicated by SID.
    A send run passes `send_alerts` off: it sends the officer's alerts after its own texts."""
    followup = FollowUp.load(context.settings)
    with context.database.reading() as connection:
        stored = touch_store.get_states(connection, _LAST_SYNC)
    last = stored.get(_LAST_SYNC)
    since = datetime.fromisoformat(last) - OVERLAP if last else now - FIRST_SYNC_LOOKBACK
    result = SyncResult(since=since)
    team = Team.load(context)
    inbound = texts.list_inbound(since)
    for message in sorted(inbound.texts, key=lambda m: m.received_at):
        item = record_inbound(context, followup, texts, message, now, team)
        if item is not None:
            result.items.append(item)
    if send_alerts:
        alerts.deliver(context, now, texts=texts)  # the officer's alerts of these replies
    if not inbound.complete:
        # Older texts of the window were not read: the next sync reads the window again.
        result.incomplete = (
            f"more incoming texts since {since:%Y-%m-%d %H:%M} UTC than one listing reads "
            f"({len(inbound.texts)} read): replies could not all be checked"
        )
        return result
    with context.database.writing() as connection:
        touch_store.set_state(connection, _LAST_SYNC, now.astimezone(UTC).isoformat())
    return result


def record_inbound(
    context: Context,
    followup: FollowUp,
    texts: TextSender | None,
    message: InboundText,
    now: datetime,
    team: Team | None = None,
) -> InboundItem | None:
    """Record one inbound text and act on it, committed before this returns; None when its SID
    was recorded before. `sync` (polling) and the listener's webhook (listener/twilio_hooks.py)
    both come here, so a text that reaches both is acted on once. Without `texts` (Twilio
    cannot send) a HELP is recorded but not answered."""
    kind = classify_reply(message.body)
    with context.database.writing() as connection:
        if send_store.message_exists(connection, message.provider_id):
            return None
        lead = _lead_for(connection, message.from_number)
        lead_id = lead.id if lead else None
        send_store.add_message(
            connection,
            {
                "lead_id": lead_id,
                "direction": "in",
                "channel": "text",
                "to_address": message.to_number,
                "from_address": message.from_number,
                "body": message.body,
                "provider_id": message.provider_id,
                "status": kind,
                "created_at": message.received_at,
                "sent_at": message.received_at,
            },
        )
        at = message.received_at
        evidence = f"{at.isoformat()} {message.provider_id}: {message.body}"
        action = "recorded"
        if kind in STOPS:
            action = _stop(connection, lead, message.from_number, kind, now, evidence)
            if lead is not None:
                lead_store.add_event(connection, lead_id or 0, now, kind, message.body)
        elif kind == "possible-opt-out":
            action = "possible opt-out: automated texts held until you decide"
            suppressions.add(
                connection,
                message.from_number,
                channel="text",
                reason="possible-opt-out",
                now=now,
                evidence=evidence,
            )
            if lead is not None:
                lead_store.add_event(connection, lead_id or 0, now, kind, message.body)
                # It may be a reply too: it goes to the top of the agenda like one.
                _reply(connection, followup, lead, at, now, message.body)
        elif kind == "opt-in" and suppressions.lift_text_opt_out(
            connection, message.from_number, now
        ):
            action = "texts allowed again"
            if lead is not None:
                lead_store.add_event(connection, lead_id or 0, now, "opt-in", message.body)
                plan_next(connection, followup, lead, "text", now)
        elif kind == "help":
            action = "help answer sent"
        elif kind == "auto-reply":
            action = "automatic reply: nothing paused"
        elif lead is not None:
            # A plain reply (a "Yes" from someone who never opted out is a reply too).
            kind = "reply" if kind == "opt-in" else kind
            action = _reply(connection, followup, lead, at, now, message.body)
        else:
            action = "unknown sender: kept in the inbox"
    if kind == "help" and texts is None:
        action = "help answer not sent: Twilio cannot send (docs/configuration.md)"
    elif kind == "help" and texts is not None:
        # Answered by the officer whose number (or messaging service) was texted, from it.
        team = team or Team.load(context)
        texted = (message.to_number, message.service_sid)
        sender = next((s for s in texted if s and s in team.senders), "")
        member = next((o for o in team.officers if sender and o.sender == sender), None)
        answer = help_answer(team.as_officer(member))
        outcome = texts.send_text(message.from_number, answer, sender)
        with context.database.writing() as connection:
            send_store.add_message(
                connection,
                {
                    "lead_id": lead_id,
                    "direction": "out",
                    "channel": "text",
                    "to_address": message.from_number,
                    "from_address": message.to_number,
                    "body": answer,
                    "provider_id": outcome.provider_id,
                    "status": outcome.provider_status or outcome.outcome,
                    "error_code": outcome.error_code,
                    "created_at": now,
                    "sent_at": now,
                },
            )
        if outcome.outcome != "sent":
            action = f"help answer not sent: {outcome.error_message or outcome.outcome}"
    name = (lead.name if lead else None) or "(unknown sender)"
    return InboundItem(
        message.provider_id, message.from_number, lead_id, name, kind, message.body, action
    )


def _stop(
    connection: Connection,
    lead: Lead | None,
    phone: str,
    kind: ReplyKind,
    now: datetime,
    evidence: str,
) -> str:
    """Honour a text that ends contact: suppress what `STOPS` says and cancel those touches.

    A STOP ends texts (and, while it stands, every automated touch for the lead); a request to
    stop all contact also ends calls and the lead's email; a wrong number ends calls and texts
    to that phone only, since the email may still be the lead's."""
    scope: OptOutScope = "text" if kind == "opt-out" else "all"
    suppressions.add(connection, phone, channel=scope, reason=kind, now=now, evidence=evidence)
    closes = closed_by([scope], "phone")
    if lead is not None:
        if "email" in STOPS[kind] and lead.email:
            suppressions.add(
                connection, lead.email, channel=scope, reason=kind, now=now, evidence=evidence
            )
            closes += closed_by([scope], "email")
        touch_store.cancel_open(connection, lead.id, now, kind, channels=closes)
        if kind == "opt-out":
            # STOP also ends every automated touch of this lead, emails included.
            touch_store.cancel_open_automated(connection, lead.id, now, kind)
    if kind == "opt-out":
        return "texts stopped for good"
    if kind == "wrong-number":
        return "texts stopped for good and calls"
    return "all contact stopped: calls, texts and emails"


def _reply(
    connection: Connection,
    followup: FollowUp,
    lead: Lead,
    at: datetime,
    now: datetime,
    body: str,
) -> str:
    """Stop on reply: pause automation now, switch to the conversation stage, flag the agenda."""
    lead_store.update_lead(connection, lead.id, {"replied_at": at})
    if lead.contacted_at is None:
        lead_store.update_lead(connection, lead.id, {"contacted_at": at})
    lead_store.add_event(connection, lead.id, now, "reply", body)
    alerts.on_reply(connection, followup.settings, lead, body, now)
    touch_store.cancel_open_automated(connection, lead.id, now, "lead replied")
    stage = followup.settings.replies.stage_on_reply
    if lead.stage in ("new", "contacted", "nurture"):
        # The lead as it is now, reply and contact recorded, starts the conversation cadence.
        now_lead = lead_store.get(connection, lead.id) or lead
        change_stage(connection, followup, now_lead, stage, now, move=StageMove(by="reply"))
        return f"automation paused; stage {stage}"
    return "automation paused"


def _lead_for(connection: Connection, phone: str) -> Lead | None:
    from leadchase.contact.phones import normalise_phone

    parsed = normalise_phone(phone)
    if parsed is None:
        return None
    leads = lead_store.by_key(connection, parsed.e164, None)
    return leads[0] if leads else None


@dataclass(frozen=True)
class InboxEntry:
    lead_id: int | None
    name: str
    phone: str
    body: str
    kind: str
    received_at: datetime
    answered: bool
    timezone: str | None = None  # the lead's, None for an unknown sender


def inbox(context: Context, limit: int = 30) -> list[InboxEntry]:
    """Recent inbound texts, unanswered first (answered = a call or text logged since)."""
    with context.database.reading() as connection:
        received = send_store.inbound_messages(connection, limit)
    entries = []
    for pair in received:
        message, lead = pair.message, pair.lead
        last_touch = lead.last_touch_at if lead is not None else None
        entries.append(
            InboxEntry(
                message.lead_id,
                (lead.name if lead is not None else "") or "(unknown sender)",
                message.from_address,
                message.body,
                message.status,
                message.created_at,
                last_touch is not None and last_touch >= message.created_at,
                lead.timezone if lead is not None else None,
            )
        )
    return sorted(entries, key=lambda e: (e.answered, -e.received_at.timestamp()))
