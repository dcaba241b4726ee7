"""Officer alerts: a text and/or an email to the officer, at once, about a new lead or a reply.

The seed's first rule is to answer a new internet lead within five minutes, and a lead who
replies is the hottest one there is; the officer is told where they are, not only in `today`.
An alert goes only to the officer's own phone and address ([alerts], else [officer]); it is
never a touch or a message to a lead, so it never counts toward a lead's caps or reads as a
reply. Every alert is recorded (the `alert` table) and shown in `leadchase show`.

When: the import service (a file, the watch folder, the listener's intake) calls
`after_new_leads` once the new leads are committed (the intake sends them after its answer,
so a slow Twilio never holds a vendor's post); `replies.record_inbound` calls `on_reply`
inside the transaction that records the reply (both take `sync`'s and the webhook's path).
Each alert is recorded "pending", and `deliver` sends those waiting while the officer's alert
hours are open (in their own zone); outside them they wait for the next `deliver` inside the
hours: every send pass (`leadchase send`, the daemon's send job) calls it. One that waited
longer than STALE_AFTER is kept as "expired", never sent late.

Never twice: a pass claims an alert ("sending") before it calls the provider. One left
"sending" longer than STUCK_AFTER belongs to a pass that stopped mid-send (a crash, a kill):
a text Twilio has (same number and body since the claim) is recorded as sent; any other is
kept as "failed" with the reason, and never sent again, since an email, or a text Twilio
cannot be asked about, may have gone.

Only leads that asked within FRESH_FOR are news: an aged list imported today is not "call now".
An import of more than ONE_BY_ONE fresh leads gets one alert for all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from leadchase.channels.base import (
    EmailSender,
    OutgoingEmail,
    ProviderError,
    SendOutcome,
    TextSender,
)
from leadchase.config import Settings
from leadchase.context import Context
from leadchase.display import without_controls
from leadchase.store import alerts as store
from leadchase.store.history_records import Alert
from leadchase.store.records import Lead

if TYPE_CHECKING:
    from leadchase.channels.config import SmtpSettings, TwilioSettings

FRESH_FOR = timedelta(days=1)
ONE_BY_ONE = 3
STALE_AFTER = timedelta(hours=24)
# Far longer than a live pass holds a claim: PER_PASS sends, each bounded by its provider's
# timeout, take minutes at worst.
STUCK_AFTER = timedelta(minutes=30)
PER_PASS = 50  # alerts one pass sends; the rest wait for the next
NAME_CHARACTERS = 40
REPLY_CHARACTERS = 120


def after_new_leads(
    context: Context, lead_ids: Sequence[int], now: datetime, *, send: bool = True
) -> int:
    """Alert the officer of new leads just stored (committed), then send what may go now
    (with `send` off the caller sends them, after answering). Returns how many alerts were
    recorded. Costs nothing while [alerts] new_lead is off."""
    settings = context.settings
    if not settings.alerts.new_lead or not lead_ids:
        return 0
    with context.database.writing() as connection:
        fresh, count = store.fresh_leads(connection, lead_ids, now - FRESH_FOR, ONE_BY_ONE)
        if count == 0:
            return 0
        if count <= ONE_BY_ONE:
            rows = [row for lead in fresh for row in _alerts(settings, lead, "new-lead", now)]
        else:
            rows = _alerts(settings, fresh[0], "new-leads", now, more=count - 1)
        store.add(connection, rows)
    if send:
        deliver(context, now)
    return len(rows)


def on_reply(
    connection: Connection, settings: Settings, lead: Lead, body: str, now: datetime
) -> None:
    """Record the alerts for a lead's reply, in the caller's transaction (the reply's own);
    the caller's pass sends them (`deliver`) once it has committed."""
    if settings.alerts.reply:
        store.add(connection, _alerts(settings, lead, "reply", now, reply=body))


def within_hours(settings: Settings, now: datetime) -> bool:
    """Whether the officer's alert hours are open at `now`, in their own zone."""
    local = now.astimezone(ZoneInfo(settings.contact.default_timezone)).time()
    return settings.alerts.hours_start <= local < settings.alerts.hours_end


def deliver(
    context: Context,
    now: datetime,
    texts: TextSender | None = None,
    emails: EmailSender | None = None,
) -> int:
    """Send the alerts waiting, if the alert hours are open; returns how many went. Providers
    not given are made from the settings (and closed) only when an alert needs one."""
    if not within_hours(context.settings, now):
        return 0
    with context.database.writing() as connection:
        store.expire_pending(connection, now - STALE_AFTER)
        stuck = store.left_sending(connection, now - STUCK_AFTER)
        waiting = (
            store.claim_pending(connection, PER_PASS, now) if store.has_pending(connection) else []
        )
    if not (waiting or stuck):
        return 0
    made = _Providers(context, texts, emails)
    sent = 0
    try:
        for alert in stuck:
            found = made.recovered(alert)
            if found is not None:
                with context.database.writing() as connection:
                    store.settle(connection, alert.id, found)
        for alert in waiting:
            values = made.send(alert, now)
            sent += values.get("sent_at") is not None
            with context.database.writing() as connection:
                store.settle(connection, alert.id, values)
    finally:
        made.close()
    return sent


class _Providers:
    """The text and email providers a pass was given, else made from the settings on first use."""

    def __init__(
        self, context: Context, texts: TextSender | None, emails: EmailSender | None
    ) -> None:
        self.context = context
        self.texts, self.emails = texts, emails
        self.made: list[TextSender | EmailSender] = []
        self._twilio: TwilioSettings | None = None
        self._smtp: SmtpSettings | None = None

    def send(self, alert: Alert, now: datetime) -> dict[str, Any]:
        if not alert.to_address:
            where = "phone" if alert.channel == "text" else "email"
            why = f"no {where} to send it to: set [alerts] {where} or [officer] {where}"
            return {"status": "failed", "error": why, "sent_at": None}
        if alert.channel == "text":
            texts = self._text_sender()
            if texts is None:
                why = "Twilio is not set up (docs/configuration.md)"
                return {"status": "failed", "error": why, "sent_at": None}
            outcome = texts.send_text(alert.to_address, alert.body)
        else:
            emails = self._email_sender()
            if emails is None:
                why = "SMTP is not set up (docs/configuration.md)"
                return {"status": "failed", "error": why, "sent_at": None}
            outcome = emails.send_email(self._email(alert))
        return _settled(outcome, now)

    def recovered(self, alert: Alert) -> dict[str, Any] | None:
        """An alert a stopped pass left "sending": sent, if Twilio has its text since the
        claim; else failed, never sent again. None while Twilio cannot be asked: a later pass
        asks again."""
        texts = self._text_sender() if alert.channel == "text" else None
        if texts is not None and alert.to_address and alert.sent_at is not None:
            try:
                found = texts.find_sent(alert.to_address, alert.body, alert.sent_at)
            except ProviderError:
                return None
            if found is not None:
                return {"status": "sent", "provider_id": found}
            why = "not found at Twilio"
        else:
            why = "it may have gone: check your sent mail" if alert.channel == "email" else ""
            why = why or "Twilio is not set up to ask whether it went"
        return {
            "status": "failed",
            "error": f"a send was interrupted ({why}); not sent again, so never twice",
            "sent_at": None,
        }

    def _text_sender(self) -> TextSender | None:
        if self.texts is None:
            from leadchase.channels.config import twilio_settings

            twilio = twilio_settings(self.context.settings)
            if twilio.configured:
                from leadchase.channels.twilio_sms import TwilioTexts

                self.texts = TwilioTexts(twilio)
                self.made.append(self.texts)
        return self.texts

    def _email_sender(self) -> EmailSender | None:
        if self.emails is None:
            from leadchase.channels.config import smtp_settings

            self._smtp = smtp_settings(self.context.settings)
            if self._smtp.configured:
                from leadchase.channels.smtp_email import SmtpEmails

                self.emails = SmtpEmails(self._smtp)
                self.made.append(self.emails)
        return self.emails

    def _email(self, alert: Alert) -> OutgoingEmail:
        from leadchase.channels.config import smtp_settings

        smtp = self._smtp or smtp_settings(self.context.settings)
        return OutgoingEmail(
            to=alert.to_address,
            subject=alert.subject or alert.body,
            body=alert.body,
            from_name="leadchase",
            from_address=smtp.from_address,
        )

    def close(self) -> None:
        for provider in self.made:
            provider.close()


def _settled(outcome: SendOutcome, now: datetime) -> dict[str, Any]:
    """An alert's row after its send: a passing problem leaves it pending for the next pass."""
    if outcome.outcome == "sent":
        status = outcome.provider_status or "sent"
        return {"status": status, "provider_id": outcome.provider_id, "sent_at": now}
    error = outcome.error_message or outcome.outcome
    status = "pending" if outcome.outcome == "retry" else "failed"
    return {"status": status, "error": error, "sent_at": None}  # sent_at held the claim's time


def _alerts(
    settings: Settings,
    lead: Lead,
    kind: str,
    now: datetime,
    *,
    more: int = 0,
    reply: str = "",
) -> list[dict[str, Any]]:
    """The alert rows for one event: one per channel turned on."""
    subject, text = alert_text(lead, kind, more=more, reply=reply)
    officer, wanted = settings.officer, settings.alerts
    rows = []
    for channel, on, to in (
        ("text", wanted.by_text, _officer_phone(wanted.phone or officer.phone)),
        ("email", wanted.by_email, (wanted.email or officer.email).strip()),
    ):
        if on:
            email = channel == "email"
            rows.append(
                {
                    "lead_id": lead.id,
                    "kind": kind,
                    "channel": channel,
                    "to_address": to,
                    "subject": subject if email else None,
                    "body": f"{text}\n\nleadchase show #{lead.id}" if email else text,
                    "status": "pending",
                    "created_at": now,
                }
            )
    return rows


def alert_text(lead: Lead, kind: str, *, more: int = 0, reply: str = "") -> tuple[str, str]:
    """An alert's email subject and its text, e.g. "New lead: Wendy Fresh, equity calculator,
    (619) 555-0150. Call now." Lead data and reply bodies are outside text: control characters
    are removed and each part is cut short, so a vendor's cell cannot run on or carry escapes."""
    name = _name(lead)
    reach = phone_for_people(lead.phone) if lead.phone else _clean(lead.email or "", 60)
    what = _clean(lead.offer or lead.source, NAME_CHARACTERS)
    about = ", ".join(part for part in (name, what, reach) if part)
    if kind == "reply":
        said = _clean(reply, REPLY_CHARACTERS)
        who = ", ".join(part for part in (name, reach) if part)
        return f"Reply from {name}", f'Reply from {who}: "{said}". Call now.'
    if kind == "new-leads":
        return (
            f"{more + 1} new leads",
            f"{more + 1} new leads. First: {about}. See leadchase today.",
        )
    return f"New lead: {name}", f"New lead: {about}. Call now."


def phone_for_people(e164: str) -> str:
    """A US number as people write it, (619) 555-0150; any other as stored."""
    if e164.startswith("+1") and len(e164) == 12 and e164[2:].isdigit():
        return f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"
    return e164


def _name(lead: Lead) -> str:
    return _clean(lead.name, NAME_CHARACTERS) or f"lead #{lead.id}"


def _clean(text: str, limit: int) -> str:
    """Outside text on one line: control and bidi characters removed, spaces collapsed, cut."""
    line = " ".join(without_controls(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _officer_phone(raw: str) -> str:
    from leadchase.contact.phones import normalise_phone

    parsed = normalise_phone(raw) if raw.strip() else None
    return parsed.e164 if parsed is not None else ""
