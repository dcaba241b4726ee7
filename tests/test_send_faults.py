"""A send run when Twilio is down, hung or answering nonsense: emails still go, texts wait.

Real parts: the twilio SDK against the fake Twilio (told to fail, hang or never stop paging), a
real SMTP server, the real workspace database.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from leadchase.channels.config import twilio_settings
from leadchase.channels.twilio_sms import INBOUND_PAGES, TwilioTexts
from leadchase.context import open_workspace
from leadchase.dispatch import SendResult, configured_senders, send_pass
from leadchase.errors import EXIT_HELD
from tests.conftest import PHONES, Sending, import_leads, query, run, wait_for
from tests.conftest import SF_MORNING as NOW  # inside every lead's contact window
from tests.test_twilio_channel import closed_port

LISTING = "GET /2010-04-01/Accounts/{sid}/Messages.json"


def listings(sending: Sending) -> int:
    return sending.twilio.requests.count(LISTING.format(sid=sending.twilio.account_sid))


def send_with_timeout(sending: Sending, timeout: float) -> tuple[SendResult, float]:
    """A send run whose Twilio client gives up after `timeout` seconds; and how long it took."""
    with open_workspace(sending.workspace.root) as context:
        senders = configured_senders(context)
        assert senders.texts is not None
        senders.texts.close()
        senders.texts = TwilioTexts(twilio_settings(context.settings), timeout=timeout)
        started = time.monotonic()
        result = send_pass(context, NOW, senders=senders, sleep=lambda _s: None)
    return result, time.monotonic() - started


def test_twilio_unreachable_emails_still_go_and_texts_wait(
    sending: Sending, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_leads(sending.workspace, NOW, 2)
    down = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("LEADCHASE_TWILIO_BASE_URL", down)

    result = run("send", now=NOW)

    assert result.exit_code == EXIT_HELD, result.output
    assert "Traceback" not in result.output
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(
        "error: texts held until the next run: replies could not be checked (cannot reach "
        f"Twilio at {down} (NewConnectionError"
    )
    assert "2 sent, 2 held" in result.stdout
    assert len(sending.smtp.received) == 2
    # Twilio is back: the texts go out, once each, and the emails are not sent again.
    monkeypatch.setenv("LEADCHASE_TWILIO_BASE_URL", sending.twilio.base_url)
    again = run("send", "--json", now=NOW + timedelta(minutes=2))
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["held_channels"] == {}
    assert sorted(m["to"] for m in sending.twilio.sent()) == PHONES[:2]
    assert len(sending.smtp.received) == 2


def test_a_5xx_from_the_inbound_listing_is_retried_then_texts_wait(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 1)
    sending.twilio.answer_next("list", 503, body="Service Unavailable", count=2)

    retried = sending.send(NOW)

    assert listings(sending) == 3 and retried.held_channels == {}
    assert len(sending.twilio.sent()) == 1

    import_leads(sending.workspace, NOW, 2)  # one more lead, with a text and an email due
    sending.twilio.answer_next("list", 500, {"error": "upstream"}, count=3)
    held = sending.send(NOW + timedelta(minutes=1))

    assert held.held_channels == {
        "text": "replies could not be checked (Twilio could not list incoming texts (HTTP "
        '500): {"error": "upstream"})'
    }
    assert [(i.channel, i.result) for i in held.items] == [("text", "held"), ("email", "sent")]
    assert len(sending.twilio.sent()) == 1 and len(sending.smtp.received) == 2


def test_a_hung_twilio_costs_a_few_timeouts_not_minutes(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 3)
    sending.twilio.set_latency(20.0)

    result, seconds = send_with_timeout(sending, timeout=0.5)

    assert seconds < 5.0  # the listing's three tries, then no more calls to Twilio
    assert "ReadTimeout" in result.held_channels["text"]
    assert result.count("held") == 3 and result.count("sent") == 3
    assert len(sending.smtp.received) == 3
    assert sending.twilio.request_count == 3


def test_a_text_whose_answer_never_came_is_looked_up_not_resent(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 3)
    # The listing answers at once; from then on Twilio takes the texts but answers too late.
    sending.twilio.after_list_page = lambda: sending.twilio.set_latency(1.0)

    first, _ = send_with_timeout(sending, timeout=0.3)

    texts = [item for item in first.items if item.channel == "text"]
    assert [item.result for item in texts] == ["retry_later", "held", "held"]
    assert "no answer from Twilio" in first.held_channels["text"]
    assert len(sending.smtp.received) == 3
    wait_for(lambda: bool(sending.twilio.sent()), seconds=10)
    assert len(sending.twilio.sent()) == 1  # Twilio took it after all
    sending.twilio.after_list_page = None
    sending.twilio.set_latency(0.0)
    for minutes in (1, 4):
        sending.send(NOW + timedelta(minutes=minutes))
    for phone in PHONES[:3]:
        assert len(sending.texts_to(phone)) == 1, phone
    assert query(sending.workspace, "SELECT count(*) FROM touch WHERE status = 'claimed'") == [(0,)]


def test_an_endless_inbound_listing_stops_and_texts_wait(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 1)
    path = f"/2010-04-01/Accounts/{sending.twilio.account_sid}/Messages.json"
    endless = {"messages": [], "next_page_uri": f"{path}?PageSize=200&Page=1", "page": 0}
    sending.twilio.answer_next("list", 200, endless, count=INBOUND_PAGES + 10)

    result = sending.send(NOW)

    assert listings(sending) == INBOUND_PAGES
    assert "replies could not all be checked" in result.held_channels["text"]
    assert [i.result for i in result.items if i.channel == "email"] == ["sent"]
    assert sending.twilio.sent() == []
    # The window was not all read, so the next sync reads it again from the same start.
    assert (
        query(sending.workspace, "SELECT value FROM workspace_state WHERE key LIKE 'replies%'")
        == []
    )


def test_a_failing_status_follow_up_does_not_fail_the_run(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 2)
    sending.send(NOW)
    first = sending.twilio.sent()[0]["sid"]
    sending.twilio.answer_next("fetch", 500, body="<html>oops</html>")

    result = run("send", now=NOW + timedelta(minutes=2))

    assert result.exit_code == 0, result.output
    assert query(sending.workspace, "SELECT count(*) FROM message WHERE status = 'sent'") == [(2,)]
    sending.twilio.set_status(first, "delivered")
    sending.send(NOW + timedelta(minutes=4))
    assert ("delivered",) in query(
        sending.workspace,
        f"SELECT status FROM message WHERE provider_id = '{first}'",  # noqa: S608
    )


def test_a_status_answer_about_another_text_is_not_recorded(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 2)
    sending.send(NOW)
    wrong = {**sending.twilio.sent()[0], "sid": "SM" + "f" * 32}
    wrong.update(status="undelivered", error_code=30006)
    sending.twilio.answer_next("fetch", 200, wrong, count=2)

    sending.send(NOW + timedelta(minutes=2))

    assert query(
        sending.workspace, "SELECT status, error_code FROM message WHERE channel = 'text'"
    ) == [
        ("sent", None),
        ("sent", None),
    ]
    assert query(sending.workspace, "SELECT text_ok FROM lead") == [(1,), (1,)]


def test_statuses_are_followed_for_three_days_not_for_ever(sending: Sending) -> None:
    """A carrier that never reports leaves a text "sent" for good: it is not asked about for ever."""
    import_leads(sending.workspace, NOW, 1)
    sending.send(NOW)
    (first,) = sending.twilio.sent()

    def fetches() -> int:
        return sending.twilio.requests.count(f"GET {first['uri']}")

    after_sending = fetches()
    sending.send(NOW + timedelta(days=2, hours=23))
    within = fetches()
    sending.send(NOW + timedelta(days=3, hours=1))

    assert (after_sending, within, fetches()) == (1, 2, 2)


def test_smtp_down_texts_still_go_and_emails_wait(
    sending: Sending, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_leads(sending.workspace, NOW, 3)
    monkeypatch.setenv("LEADCHASE_SMTP_PORT", str(closed_port()))

    result = sending.send(NOW)

    emails = [item.result for item in result.items if item.channel == "email"]
    assert emails == ["retry_later", "held", "held"]  # one tried three times, the rest wait
    assert result.held_channels["email"].startswith("still failing: SMTP server 127.0.0.1:")
    assert sorted(m["to"] for m in sending.twilio.sent()) == PHONES[:3]
    monkeypatch.setenv("LEADCHASE_SMTP_PORT", str(sending.smtp.port))
    later = sending.send(NOW + timedelta(minutes=6))
    assert later.count("sent") == 3 and len(sending.smtp.received) == 3
