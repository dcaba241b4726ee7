"""TwilioTexts drives the real twilio SDK against the fake Twilio server; nothing leaves 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from leadchase.channels.base import DeliveryStatus
from leadchase.channels.config import DEFAULT_TWILIO_BASE_URL, TwilioSettings
from leadchase.channels.twilio_sms import (
    BAD_CREDENTIALS,
    TwilioError,
    TwilioTexts,
    classify_twilio_error,
    reroute,
    retry_after_seconds,
)
from leadchase.errors import EXIT_HALTED
from tests.conftest import NOW, wait_for
from tests.fake_twilio import OUR_NUMBER, FakeTwilio

LEAD = "+14155550123"
OTHER_LEAD = "+13055550188"
SERVICE = "MG" + "ab" * 16
MESSAGES = "/2010-04-01/Accounts/{sid}/Messages.json"


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any name lookup other than the loopback address fails the test's request at once."""
    real_getaddrinfo = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost"):
            raise OSError(f"test tried to reach {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(clock=lambda: NOW) as server:
        yield server


def settings_for(fake: FakeTwilio, **changes: Any) -> TwilioSettings:
    settings = TwilioSettings(
        account_sid=fake.account_sid,
        auth_token=fake.auth_token,
        from_number=OUR_NUMBER,
        base_url=fake.base_url,
    )
    return replace(settings, **changes)


@pytest.fixture
def texts(fake: FakeTwilio) -> Iterator[TwilioTexts]:
    with closing(TwilioTexts(settings_for(fake))) as sender:
        yield sender


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_sent_text_reaches_twilio_from_our_number(fake: FakeTwilio, texts: TwilioTexts) -> None:
    outcome = texts.send_text(LEAD, "Hi Dana, saw your equity estimate. Still thinking of a refi?")

    assert outcome.outcome == "sent"
    assert outcome.provider_status == "queued"
    assert outcome.provider_id is not None
    assert outcome.provider_id.startswith("SM") and len(outcome.provider_id) == 34
    [message] = fake.sent()
    assert message["sid"] == outcome.provider_id
    assert (message["to"], message["from"]) == (LEAD, OUR_NUMBER)
    assert message["body"] == "Hi Dana, saw your equity estimate. Still thinking of a refi?"
    # The SDK's https://api.twilio.com URL went to the fake: every request arrived there.
    assert fake.requests == [f"POST {MESSAGES.format(sid=fake.account_sid)}"]


def test_a_messaging_service_sends_when_there_is_no_from_number(fake: FakeTwilio) -> None:
    with closing(
        TwilioTexts(settings_for(fake, from_number="", messaging_service_sid=SERVICE))
    ) as sender:
        outcome = sender.send_text(LEAD, "Hi Dana")
        found = sender.find_sent(LEAD, "Hi Dana", since=NOW - timedelta(minutes=1))

    assert outcome.outcome == "sent"
    assert fake.sent()[0]["messaging_service_sid"] == SERVICE
    assert found == outcome.provider_id


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, 21610, "opted-out"),
        (400, 21211, "not-textable"),
        (400, 21614, "not-textable"),
        (400, 30006, "not-textable"),
        (429, 20429, "retry"),
        (500, 20500, "retry"),
        (503, 20503, "retry"),
        (400, 30003, "retry"),
        (400, 21606, "halt"),
        (400, 21212, "halt"),
        (400, 30032, "halt"),
        (400, 30034, "halt"),
        (401, 20003, "halt"),
        (404, 20404, "halt"),
        (400, 21617, "failed"),
        (400, 30007, "failed"),
    ],
)
def test_twilio_errors_become_send_outcomes(
    fake: FakeTwilio, texts: TwilioTexts, status: int, code: int, expected: str
) -> None:
    fake.fail_next_creates(status, code)

    outcome = texts.send_text(LEAD, "Hi Dana")

    assert outcome.outcome == expected
    assert outcome.error_code == str(code)
    assert outcome.provider_id is None
    assert outcome.error_message is not None and "\n" not in outcome.error_message
    assert fake.auth_token not in outcome.error_message
    if expected == "halt":
        assert "TWILIO_" in outcome.error_message or "Twilio console" in outcome.error_message
    else:
        assert str(code) in outcome.error_message
    assert fake.sent() == []


def test_classification_needs_no_server() -> None:
    assert classify_twilio_error(401, None) == "halt"
    assert classify_twilio_error(502, 502) == "retry"
    assert classify_twilio_error(400, None) == "failed"


def test_retry_after_comes_from_twilios_header(fake: FakeTwilio, texts: TwilioTexts) -> None:
    fake.fail_next_creates(429, 20429, retry_after=30)
    fake.fail_next_creates(500, 20500)

    throttled = texts.send_text(LEAD, "Hi Dana")
    broken = texts.send_text(LEAD, "Hi Dana")
    recovered = texts.send_text(LEAD, "Hi Dana")

    assert (throttled.outcome, throttled.retry_after) == ("retry", 30.0)
    assert (broken.outcome, broken.retry_after) == ("retry", None)
    assert recovered.outcome == "sent"
    assert len(fake.sent()) == 1


def test_retry_after_reads_seconds_only() -> None:
    assert retry_after_seconds("12.5") == 12.5
    assert retry_after_seconds("Wed, 21 Oct 2026 07:28:00 GMT") is None
    assert retry_after_seconds("-3") is None
    assert retry_after_seconds(None) is None


def test_a_number_that_always_fails_keeps_failing(fake: FakeTwilio, texts: TwilioTexts) -> None:
    fake.fail_creates_to(LEAD, 400, 21610)

    assert texts.send_text(LEAD, "Hi Dana").outcome == "opted-out"
    assert texts.send_text(LEAD, "Hi again").outcome == "opted-out"
    assert texts.send_text(OTHER_LEAD, "Hi Sam").outcome == "sent"


def test_twilios_own_checks_map_too(fake: FakeTwilio) -> None:
    """No injection: the fake refuses a malformed number and a sender that is not on the account."""
    foreign = settings_for(fake, from_number="+12125550100")
    with closing(TwilioTexts(settings_for(fake))) as ours, closing(TwilioTexts(foreign)) as theirs:
        malformed = ours.send_text("555-0123", "Hi Dana")
        not_our_number = theirs.send_text(LEAD, "Hi Dana")

    assert (malformed.outcome, malformed.error_code) == ("not-textable", "21211")
    assert (not_our_number.outcome, not_our_number.error_code) == ("halt", "21606")
    assert not_our_number.error_message is not None
    assert "+12125550100" in not_our_number.error_message
    assert "TWILIO_FROM" in not_our_number.error_message


def test_a_wrong_auth_token_halts_and_is_never_shown(fake: FakeTwilio) -> None:
    secret = "wrong-secret-token-0123456789"
    with closing(TwilioTexts(settings_for(fake, auth_token=secret))) as sender:
        outcome = sender.send_text(LEAD, "Hi Dana")
        problem = sender.check()

    assert outcome.outcome == "halt"
    assert outcome.error_message == BAD_CREDENTIALS
    assert problem == BAD_CREDENTIALS
    assert secret not in repr(outcome)
    assert fake.request_count == 2
    assert fake.sent() == []


def test_an_unreachable_twilio_is_a_retry(fake: FakeTwilio) -> None:
    secret = "token-that-must-not-leak-42"
    base_url = f"http://127.0.0.1:{closed_port()}"
    with closing(TwilioTexts(settings_for(fake, base_url=base_url, auth_token=secret))) as sender:
        outcome = sender.send_text(LEAD, "Hi Dana")
        problem = sender.check()

    assert outcome.outcome == "retry"
    assert outcome.error_message is not None
    assert outcome.error_message.startswith(f"cannot reach Twilio at {base_url}")
    assert secret not in outcome.error_message
    assert problem is not None and problem.startswith("cannot reach Twilio")


def test_a_hung_send_is_unconfirmed_not_retried(fake: FakeTwilio) -> None:
    """Twilio may take a text and answer too late: sending it again would send it twice."""
    fake.latency = 0.3
    with closing(TwilioTexts(settings_for(fake), timeout=0.05)) as sender:
        outcome = sender.send_text(LEAD, "Hi Dana")
    wait_for(lambda: bool(fake.sent()), seconds=10)

    assert outcome.outcome == "unconfirmed"
    assert outcome.error_message is not None and "ReadTimeout" in outcome.error_message
    assert "looked up at Twilio before it is ever sent again" in outcome.error_message
    assert len(fake.sent()) == 1  # it did go out


def test_find_sent_matches_recipient_body_and_time(fake: FakeTwilio, texts: TwilioTexts) -> None:
    first = texts.send_text(LEAD, "Hi Dana").provider_id
    texts.send_text(LEAD, "Quick question about your refi")
    texts.send_text(OTHER_LEAD, "Hi Dana")
    since = NOW - timedelta(minutes=1)

    assert texts.find_sent(LEAD, "Hi Dana", since) == first
    assert texts.find_sent(LEAD, "Hi Dana!", since) is None
    assert texts.find_sent("+16175550100", "Hi Dana", since) is None
    # Sent an hour before `since`: an earlier touch, not the one being reconciled.
    assert texts.find_sent(LEAD, "Hi Dana", NOW + timedelta(hours=1)) is None


def test_find_sent_ignores_texts_from_our_other_numbers() -> None:
    other_number = "+15005550009"
    with FakeTwilio(numbers=(OUR_NUMBER, other_number), clock=lambda: NOW) as fake:
        other = settings_for(fake, from_number=other_number)
        with (
            closing(TwilioTexts(settings_for(fake))) as ours,
            closing(TwilioTexts(other)) as theirs,
        ):
            theirs.send_text(LEAD, "Hi Dana")
            found = ours.find_sent(LEAD, "Hi Dana", NOW - timedelta(minutes=1))

    assert found is None


def test_find_sent_reaches_across_midnight_and_pages(fake: FakeTwilio, texts: TwilioTexts) -> None:
    before_midnight = datetime(2026, 3, 1, 23, 58, tzinfo=UTC)
    fake.clock = lambda: before_midnight
    wanted = texts.send_text(LEAD, "Hi Dana").provider_id
    for number in range(4):
        texts.send_text(LEAD, f"Follow-up {number}")
    fake.max_page_size = 2
    fake.requests.clear()

    found = texts.find_sent(LEAD, "Hi Dana", since=datetime(2026, 3, 2, 0, 1, tzinfo=UTC))

    assert found == wanted
    assert len(fake.requests) == 3  # five texts, two a page: the oldest is on the third page


def test_delivery_status_follows_the_carrier(fake: FakeTwilio, texts: TwilioTexts) -> None:
    sid = texts.send_text(LEAD, "Hi Dana").provider_id
    assert sid is not None

    assert texts.delivery_status(sid) == DeliveryStatus(sid, "sent", None)
    fake.set_status(sid, "undelivered", 30006)
    assert texts.delivery_status(sid) == DeliveryStatus(sid, "undelivered", "30006")


def test_delivery_status_of_an_unknown_text_fails(texts: TwilioTexts) -> None:
    unknown = "SM" + "0" * 32

    with pytest.raises(TwilioError, match=f"no text {unknown}") as raised:
        texts.delivery_status(unknown)

    assert raised.value.outcome == "failed"


def test_list_inbound_pages_dedupes_and_cuts_at_since(fake: FakeTwilio, texts: TwilioTexts) -> None:
    at = {"now": NOW - timedelta(days=3)}
    fake.clock = lambda: at["now"]
    fake.add_inbound(LEAD, "too old for the day filter")
    at["now"] = NOW - timedelta(hours=2)
    fake.add_inbound(LEAD, "same day, before since")
    bodies = [f"reply {number}" for number in range(5)]
    for number, body in enumerate(bodies):
        at["now"] = NOW + timedelta(minutes=number)
        fake.add_inbound(LEAD if number % 2 else OTHER_LEAD, body)
    texts.send_text(LEAD, "an outbound text is not a reply")
    fake.add_inbound(LEAD, "to another of our numbers", to="+15005550009")
    # Page-number paging plus a reply arriving after the first page: page two repeats the
    # boundary text of page one, as Twilio's Page paging does.
    fake.offset_paging = True
    fake.max_page_size = 2
    arrivals = ["arrives mid-listing"]

    def a_reply_arrives() -> None:
        if arrivals:
            fake.add_inbound(LEAD, arrivals.pop())

    fake.after_list_page = a_reply_arrives
    fake.requests.clear()

    inbound = texts.list_inbound(since=NOW - timedelta(minutes=30)).texts

    listing_pages = len(fake.requests)
    assert listing_pages == 4  # 6 texts of the listing, plus the repeat, two a page
    assert [text.body for text in inbound] == bodies
    assert len({text.provider_id for text in inbound}) == len(bodies)
    assert {text.to_number for text in inbound} == {OUR_NUMBER}
    assert inbound[1].from_number == LEAD and inbound[0].from_number == OTHER_LEAD
    assert inbound[0].received_at == NOW


def test_check_passes_for_a_good_account(texts: TwilioTexts) -> None:
    assert texts.check() is None


def test_check_names_a_from_number_not_on_the_account(fake: FakeTwilio) -> None:
    with closing(TwilioTexts(settings_for(fake, from_number="+12125550100"))) as sender:
        problem = sender.check()

    assert problem is not None
    assert "+12125550100 is not a phone number on Twilio account" in problem
    assert "TWILIO_FROM" in problem


def test_check_asks_for_missing_settings(fake: FakeTwilio) -> None:
    with closing(TwilioTexts(settings_for(fake, auth_token=""))) as sender:
        assert sender.check() == (
            "Twilio is not configured; set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
            "TWILIO_FROM (or TWILIO_MESSAGING_SERVICE_SID)"
        )
    assert fake.request_count == 0


def test_errors_outside_sending_carry_the_outcome(fake: FakeTwilio) -> None:
    sender = TwilioTexts(settings_for(fake, auth_token="not-the-token"))
    with closing(sender), pytest.raises(TwilioError) as raised:
        sender.list_inbound(NOW)

    assert (raised.value.outcome, raised.value.exit_code) == ("halt", EXIT_HALTED)
    assert str(raised.value) == BAD_CREDENTIALS


def test_reroute_swaps_scheme_and_host_and_keeps_a_prefix() -> None:
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?PageSize=2&Page=1"

    assert reroute(url, "http://127.0.0.1:8099") == (
        "http://127.0.0.1:8099/2010-04-01/Accounts/AC1/Messages.json?PageSize=2&Page=1"
    )
    assert reroute(url, "https://proxy.example/twilio/") == (
        "https://proxy.example/twilio/2010-04-01/Accounts/AC1/Messages.json?PageSize=2&Page=1"
    )


def test_the_default_base_url_is_twilios_own(fake: FakeTwilio) -> None:
    with closing(TwilioTexts(settings_for(fake, base_url=DEFAULT_TWILIO_BASE_URL))) as sender:
        outcome = sender.send_text(LEAD, "Hi Dana")

    assert outcome.outcome == "retry"
    assert outcome.error_message is not None
    assert "test tried to reach api.twilio.com" in outcome.error_message
    assert fake.request_count == 0


def test_importing_the_channel_does_not_import_twilio() -> None:
    code = "import sys, leadchase.channels.twilio_sms; print('twilio' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
