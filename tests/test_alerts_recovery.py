"""An officer alert left "sending" by a pass that stopped mid-send is settled, never sent twice.

The pass is really stopped: the provider it is given sends for real (fake Twilio, real SMTP)
and then raises SystemExit, as a kill between the provider's answer and the record would.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from leadchase.alerts import STUCK_AFTER, deliver
from leadchase.channels.base import (
    DeliveryStatus,
    EmailSender,
    Inbound,
    OutgoingEmail,
    SendOutcome,
    TextSender,
)
from leadchase.channels.config import smtp_settings, twilio_settings
from leadchase.channels.smtp_email import SmtpEmails
from leadchase.channels.twilio_sms import TwilioTexts
from leadchase.context import open_workspace
from tests.conftest import Sending, import_lead, query
from tests.test_alerts import (
    MORNING,
    NIGHT,
    alerting,
    alerts,
    officer_emails,
    officer_texts,
    turn_on,
)

__all__ = ["alerting"]  # the fixture, shared with test_alerts

LATER = MORNING + STUCK_AFTER + timedelta(minutes=1)


class StopsMidSend:
    """A text and email provider whose process "dies" on its first send: after the provider
    has the message (`after=True`), or before (`after=False`)."""

    def __init__(self, texts: TextSender, emails: EmailSender, *, after: bool) -> None:
        self.texts, self.emails, self.after = texts, emails, after

    def send_text(self, to: str, body: str, sender: str = "") -> SendOutcome:
        if self.after:
            self.texts.send_text(to, body, sender)
        raise SystemExit("killed mid-send")

    def send_email(self, email: OutgoingEmail) -> SendOutcome:
        if self.after:
            self.emails.send_email(email)
        raise SystemExit("killed mid-send")

    def find_sent(self, to: str, body: str, since: datetime) -> str | None:
        return self.texts.find_sent(to, body, since)

    def delivery_status(self, provider_id: str) -> DeliveryStatus:
        return self.texts.delivery_status(provider_id)

    def list_inbound(self, since: datetime) -> Inbound:
        return self.texts.list_inbound(since)

    def check(self) -> str | None:
        return None

    def close(self) -> None:
        self.texts.close()
        self.emails.close()


def stopped_pass(sending: Sending, *, after: bool) -> None:
    """A lead imported at night (its alerts wait), then a morning pass that dies mid-send."""
    import_lead(sending.workspace, NIGHT, name="Night Owl")
    with open_workspace(sending.workspace.root) as context:
        dying = StopsMidSend(
            TwilioTexts(twilio_settings(context.settings)),
            SmtpEmails(smtp_settings(context.settings)),
            after=after,
        )
        try:
            with pytest.raises(SystemExit):
                deliver(context, MORNING, texts=dying, emails=dying)
        finally:
            dying.close()


def errors(sending: Sending) -> list[str]:
    return [str(error) for (error,) in query(sending.workspace, "SELECT error FROM alert")]


@pytest.mark.both_backends
def test_a_text_twilio_got_before_the_stop_is_recorded_as_sent_not_sent_again(
    alerting: Sending,
) -> None:
    turn_on(alerting, by_email="false")
    stopped_pass(alerting, after=True)
    assert alerts(alerting) == [("new-lead", "text", "sending")]
    assert len(officer_texts(alerting)) == 1

    alerting.send(MORNING + timedelta(minutes=5))  # a live pass may still hold it: left alone
    assert alerts(alerting) == [("new-lead", "text", "sending")]
    alerting.send(LATER)
    assert alerts(alerting) == [("new-lead", "text", "sent")]
    ((sid,),) = query(alerting.workspace, "SELECT provider_id FROM alert")
    assert sid == alerting.twilio.sent()[0]["sid"]
    alerting.send(LATER + timedelta(minutes=5))
    assert len(officer_texts(alerting)) == 1


@pytest.mark.both_backends
def test_an_alert_stopped_before_it_went_is_failed_with_the_reason_never_resent(
    alerting: Sending,
) -> None:
    stopped_pass(alerting, after=False)  # the pass had claimed both, then sent neither
    assert alerts(alerting) == [("new-lead", "text", "sending"), ("new-lead", "email", "sending")]
    alerting.send(LATER)
    assert alerts(alerting) == [("new-lead", "text", "failed"), ("new-lead", "email", "failed")]
    text_error, email_error = errors(alerting)
    assert text_error == (
        "a send was interrupted (not found at Twilio); not sent again, so never twice"
    )
    assert "it may have gone: check your sent mail" in email_error  # SMTP cannot tell
    alerting.send(LATER + timedelta(hours=1))
    assert officer_texts(alerting) == [] and officer_emails(alerting) == []


@pytest.mark.both_backends
def test_an_email_that_may_have_gone_is_never_sent_again(alerting: Sending) -> None:
    turn_on(alerting, by_text="false")
    stopped_pass(alerting, after=True)
    assert len(officer_emails(alerting)) == 1
    alerting.send(LATER)
    assert alerts(alerting) == [("new-lead", "email", "failed")]
    assert "it may have gone: check your sent mail" in errors(alerting)[0]
    assert len(officer_emails(alerting)) == 1


def test_a_stuck_text_waits_while_twilio_cannot_be_asked(alerting: Sending) -> None:
    turn_on(alerting, by_email="false")
    stopped_pass(alerting, after=True)
    alerting.twilio.answer_next("list", 503, {"message": "down"})
    with open_workspace(alerting.workspace.root) as context:
        deliver(context, LATER)
    assert alerts(alerting) == [("new-lead", "text", "sending")]
    alerting.send(LATER + timedelta(minutes=5))  # Twilio is back
    assert alerts(alerting) == [("new-lead", "text", "sent")]
    assert len(officer_texts(alerting)) == 1
