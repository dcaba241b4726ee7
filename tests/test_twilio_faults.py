"""Twilio misbehaving: answers that are not Twilio's, hung requests, endless listings.

The real twilio SDK against the fake Twilio on 127.0.0.1, told to answer like a broken proxy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from urllib.parse import quote

import pytest

from leadchase.channels.twilio_sms import ERROR_EXCERPT, INBOUND_PAGES, TwilioError, TwilioTexts
from tests.conftest import NOW, Sending, run
from tests.fake_twilio import FakeTwilio
from tests.test_twilio_channel import LEAD, closed_port, settings_for


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(clock=lambda: NOW) as server:
        yield server


@pytest.fixture
def texts(fake: FakeTwilio) -> Iterator[TwilioTexts]:
    with closing(TwilioTexts(settings_for(fake))) as sender:
        yield sender


PROXY_PAGE = (
    "<html><body>\x1b[31m502 Bad Gateway\x1b[0m\u202e\r\n" + "nginx " * 200 + "</body></html>"
)


def test_a_proxy_error_page_is_shown_as_a_short_clean_excerpt(
    fake: FakeTwilio, texts: TwilioTexts
) -> None:
    fake.answer_next("list", 502, body=PROXY_PAGE)

    with pytest.raises(TwilioError) as raised:
        texts.list_inbound(NOW - timedelta(hours=1))

    message = str(raised.value)
    assert message.startswith(
        "Twilio could not list incoming texts (HTTP 502): <html><body>[31m502 Bad Gateway[0m nginx"
    )
    assert "None" not in message
    assert not any(ord(c) < 32 or c == "\u202e" for c in message)
    assert len(message) < ERROR_EXCERPT + 60
    assert raised.value.outcome == "retry"


def test_json_that_is_not_twilios_error_is_shown_as_it_came(
    fake: FakeTwilio, texts: TwilioTexts
) -> None:
    fake.answer_next("create", 500, {"error": "upstream timed out"})
    fake.answer_next("fetch", 503, body="")

    outcome = texts.send_text(LEAD, "Hi Dana")
    with pytest.raises(TwilioError) as raised:
        texts.delivery_status("SM" + "1" * 32)

    assert outcome.outcome == "retry"
    assert outcome.error_message == (
        'Twilio could not send the text (HTTP 500): {"error": "upstream timed out"}'
    )
    assert str(raised.value) == "Twilio could not fetch text SM" + "1" * 32 + (
        " (HTTP 503): (an empty answer)"
    )


def test_a_twilio_error_still_gives_its_code_and_message(
    fake: FakeTwilio, texts: TwilioTexts
) -> None:
    fake.fail_next_creates(400, 30007, "Message filtered\x1b[2J")

    outcome = texts.send_text(LEAD, "Hi Dana")

    assert (outcome.outcome, outcome.error_code) == ("failed", "30007")
    assert outcome.error_message == (
        "Twilio could not send the text (HTTP 400, error 30007): Message filtered[2J"
    )


def test_a_network_error_never_shows_the_leads_number(fake: FakeTwilio) -> None:
    down = settings_for(fake, base_url=f"http://127.0.0.1:{closed_port()}")
    with closing(TwilioTexts(down)) as sender, pytest.raises(TwilioError) as raised:
        sender.find_sent(LEAD, "Hi Dana", NOW)

    message = str(raised.value)
    assert message.startswith(f"cannot reach Twilio at {down.base_url} (NewConnectionError: ")
    assert "Connection refused" in message
    assert LEAD not in message and quote(LEAD) not in message and "Messages.json" not in message


def test_a_huge_listing_stops_at_the_page_cap(fake: FakeTwilio, texts: TwilioTexts) -> None:
    fake.max_page_size = 2
    for number in range(2 * INBOUND_PAGES + 3):
        fake.add_inbound(LEAD, f"reply {number}")

    inbound = texts.list_inbound(NOW - timedelta(hours=1))

    assert not inbound.complete
    assert len(fake.requests) == INBOUND_PAGES
    newest = {f"reply {number}" for number in range(3, 2 * INBOUND_PAGES + 3)}
    assert {text.body for text in inbound.texts} == newest  # Twilio lists newest first
    fake.max_page_size = 1000
    assert texts.list_inbound(NOW - timedelta(hours=1)).complete


@pytest.mark.parametrize("typed", ["+1500555000", "5005550006", "+15005550006 "])
def test_check_wants_exactly_one_of_the_accounts_numbers(fake: FakeTwilio, typed: str) -> None:
    """Twilio's number filter matches part of a number; only a whole number passes."""
    with closing(TwilioTexts(settings_for(fake, from_number=typed))) as sender:
        problem = sender.check()

    assert problem == (
        f"{typed} is not a phone number on Twilio account {fake.account_sid}; set TWILIO_FROM "
        "to one of the account's numbers"
    )


def test_doctor_names_a_sending_number_that_is_only_part_of_one(
    sending: Sending, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_FROM", "+1500555")

    result = run("doctor")

    assert result.exit_code != 0
    assert "+1500555 is not a phone number on Twilio account" in result.output


def test_doctor_checks_twilios_own_messaging_service(
    sending: Sending, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = "MG" + "0123456789abcdef" * 2
    monkeypatch.delenv("TWILIO_FROM")
    monkeypatch.setenv("TWILIO_MESSAGING_SERVICE_SID", service)

    result = run("doctor")  # the fake's account has no messaging service

    assert result.exit_code != 0
    assert (
        f"{service} is not a messaging service on Twilio account {sending.twilio.account_sid}; "
        "set TWILIO_MESSAGING_SERVICE_SID to one of the account's"
    ) in " ".join(result.output.split())
    with FakeTwilio(services=(service,)) as holding:
        monkeypatch.setenv("LEADCHASE_TWILIO_BASE_URL", holding.base_url)
        content = run("doctor")
    assert f"credentials work, sending from {service}" in " ".join(content.output.split())
    assert "is not a messaging service" not in content.output


def test_an_answer_that_is_not_json_is_a_retry_or_for_a_text_unconfirmed(
    fake: FakeTwilio, texts: TwilioTexts
) -> None:
    fake.answer_next("create", 201, body="<html>Accepted</html>")
    fake.answer_next("list", 200, body="<html>Maintenance</html>")

    outcome = texts.send_text(LEAD, "Hi Dana")
    with pytest.raises(TwilioError) as raised:
        texts.list_inbound(NOW - timedelta(hours=1))

    assert outcome.outcome == "unconfirmed"  # it may have gone: looked up, never resent blindly
    assert outcome.error_message == (
        "Twilio's answer could not be read (HTTP 201): <html>Accepted</html>"
    )
    assert raised.value.outcome == "retry"
    assert str(raised.value) == (
        "Twilio's answer could not be read (HTTP 200): <html>Maintenance</html>"
    )
