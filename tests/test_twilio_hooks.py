"""Twilio's webhooks served by uvicorn: signed requests act at once, anything else changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import requests

from leadchase.channels.config import twilio_settings
from leadchase.context import open_workspace
from leadchase.errors import ConfigError
from tests.conftest import PHONES, Sending, import_leads, query, run
from tests.conftest import SF_MORNING as NOW
from tests.webhooks import (
    PUBLIC_URL,
    inbound,
    post,
    post_signed,
    serve_listener,
    signature,
)

SMS, STATUS = "/twilio/sms", "/twilio/status"
STOP_SID = "SM" + "5" * 32


@pytest.fixture
def hooks(sending: Sending, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """One lead texted once, the listener's Twilio routes served, Twilio told PUBLIC_URL."""
    monkeypatch.setenv("LEADCHASE_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("LEADCHASE_NOW", (NOW + timedelta(minutes=5)).isoformat())
    import_leads(sending.workspace, NOW, 1)
    sending.send(NOW)
    with serve_listener(sending.workspace.root) as base_url:
        yield base_url


def suppressed(sending: Sending) -> list[tuple[str, str]]:
    return [
        (value, reason)
        for value, reason in query(
            sending.workspace, "SELECT value, reason FROM suppression WHERE lifted_at IS NULL"
        )
    ]


def inbound_count(sending: Sending) -> int:
    return int(
        query(sending.workspace, "SELECT count(*) FROM message WHERE direction = 'in'")[0][0]
    )


def test_a_signed_stop_is_recorded_before_the_answer_returns(sending: Sending, hooks: str) -> None:
    answer = post_signed(hooks, SMS, inbound(STOP_SID, PHONES[0], "STOP"))

    # Read the moment the answer is in: nothing is left for later.
    assert suppressed(sending) == [(PHONES[0], "opt-out")]
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/xml")
    assert "<Response" in answer.text and "<Message" not in answer.text
    assert query(
        sending.workspace,
        "SELECT count(*) FROM touch WHERE status = 'planned' AND automated = 1",
    ) == [(0,)]
    (row,) = query(
        sending.workspace, "SELECT provider_id, status FROM message WHERE direction = 'in'"
    )
    assert row == (STOP_SID, "opt-out")


@pytest.mark.parametrize(
    "signed_as",
    [
        None,  # no header at all
        "",
        signature(SMS, inbound(STOP_SID, PHONES[0], "START")),  # another body's signature
        signature(SMS, inbound(STOP_SID, PHONES[0], "STOP"), token="another-accounts-token"),
        signature(STATUS, inbound(STOP_SID, PHONES[0], "STOP")),  # signed for another URL
    ],
    ids=["missing", "empty", "other-body", "other-token", "other-url"],
)
def test_an_unsigned_or_badly_signed_text_is_refused_and_changes_nothing(
    sending: Sending, hooks: str, signed_as: str | None
) -> None:
    answer = post(hooks, SMS, inbound(STOP_SID, PHONES[0], "STOP"), signed_as)

    assert answer.status_code == 403
    assert suppressed(sending) == []
    assert inbound_count(sending) == 0


def test_a_body_over_64_kib_is_413_even_streamed_without_a_length(
    sending: Sending, hooks: str
) -> None:
    fields = inbound(STOP_SID, PHONES[0], "STOP" + " " * 70_000)
    headers = {"X-Twilio-Signature": signature(SMS, fields)}
    assert requests.post(hooks + SMS, data=fields, headers=headers, timeout=30).status_code == 413
    body = urlencode(fields).encode()
    chunks = (body[start : start + 8192] for start in range(0, len(body), 8192))
    streamed = requests.post(hooks + SMS, data=chunks, headers=headers, timeout=30)
    assert streamed.request.headers["Transfer-Encoding"] == "chunked"
    assert streamed.status_code == 413
    assert suppressed(sending) == []
    # A signed STOP streamed without a length is read like any other.
    stop = inbound(STOP_SID, PHONES[0], "STOP")
    small = requests.post(
        hooks + SMS,
        data=iter([urlencode(stop).encode()]),
        headers={"X-Twilio-Signature": signature(SMS, stop)},
        timeout=30,
    )
    assert small.status_code == 200
    assert suppressed(sending) == [(PHONES[0], "opt-out")]


def test_without_a_public_url_nothing_can_be_checked_so_nothing_is_accepted(
    sending: Sending, hooks: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEADCHASE_PUBLIC_URL")
    answer = post_signed(hooks, SMS, inbound(STOP_SID, PHONES[0], "STOP"))
    assert answer.status_code == 403
    assert suppressed(sending) == []


def test_a_text_twilio_posts_twice_and_sync_then_lists_is_acted_on_once(
    sending: Sending, hooks: str
) -> None:
    sid = sending.twilio.add_inbound(PHONES[0], "Yes please call me after 5")
    fields = inbound(sid, PHONES[0], "Yes please call me after 5")
    assert post_signed(hooks, SMS, fields).status_code == 200
    assert post_signed(hooks, SMS, fields).status_code == 200  # Twilio's retry
    result = sending.send(NOW + timedelta(minutes=10))  # the send run's sync lists it too

    assert result.replies == 0
    assert inbound_count(sending) == 1
    replies = query(sending.workspace, "SELECT count(*) FROM event WHERE kind = 'reply'")
    assert replies == [(1,)]
    (stage,) = query(sending.workspace, "SELECT stage FROM lead")[0]
    assert stage == "engaged"


def sent_sid(sending: Sending) -> str:
    (sid,) = query(
        sending.workspace,
        "SELECT provider_id FROM message WHERE direction = 'out' AND channel = 'text'",
    )[0]
    return str(sid)


def status_of(sending: Sending, sid: str) -> tuple[str, str | None]:
    (row,) = query(
        sending.workspace,
        f"SELECT status, error_code FROM message WHERE provider_id = '{sid}'",  # noqa: S608
    )
    return row[0], row[1]


def test_a_status_callback_updates_the_delivery_status_and_never_moves_it_back(
    sending: Sending, hooks: str
) -> None:
    sid = sent_sid(sending)
    delivered = {"MessageSid": sid, "MessageStatus": "delivered", "To": PHONES[0]}
    assert post_signed(hooks, STATUS, delivered).status_code == 204
    assert status_of(sending, sid) == ("delivered", None)
    # Twilio's callbacks may come out of order: a late "sent" does not undo "delivered".
    late = {"MessageSid": sid, "MessageStatus": "sent", "To": PHONES[0]}
    assert post_signed(hooks, STATUS, late).status_code == 204
    assert status_of(sending, sid) == ("delivered", None)
    # Unsigned: refused, nothing changes.
    failed = {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": "30008"}
    assert post(hooks, STATUS, failed, None).status_code == 403
    assert status_of(sending, sid) == ("delivered", None)


def test_a_landline_reported_by_callback_stops_texting_the_lead(
    sending: Sending, hooks: str
) -> None:
    sid = sent_sid(sending)
    undelivered = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30006"}
    assert post_signed(hooks, STATUS, undelivered).status_code == 204
    assert status_of(sending, sid) == ("undelivered", "30006")
    assert query(sending.workspace, "SELECT text_ok FROM lead") == [(0,)]


def test_texts_ask_for_status_callbacks_only_when_there_is_a_public_url(
    sending: Sending, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_leads(sending.workspace, NOW, 2)
    sending.send(NOW)  # no public URL: Twilio is not asked to call back
    monkeypatch.setenv("LEADCHASE_PUBLIC_URL", PUBLIC_URL + "/")
    sending.send(NOW + timedelta(hours=5, minutes=10))  # the day-1 follow-up texts

    callbacks = [message["status_callback"] for message in sending.twilio.sent()]
    assert callbacks == [None, None, f"{PUBLIC_URL}/twilio/status", f"{PUBLIC_URL}/twilio/status"]


@pytest.mark.parametrize("url", ["leads.example.com", "ftp://leads.example.com", "https://"])
def test_a_public_url_that_is_not_an_address_is_a_config_error(
    sending: Sending, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("LEADCHASE_PUBLIC_URL", url)
    with open_workspace(sending.workspace.root) as context, pytest.raises(ConfigError) as error:
        twilio_settings(context.settings)
    assert "LEADCHASE_PUBLIC_URL" in str(error.value)


def test_a_help_posted_through_an_officers_messaging_service_is_answered_through_it(
    sending: Sending, hooks: str
) -> None:
    service = "MG" + "4" * 32
    assert run("officer", "add", "Cy Hale", "--messaging-service", service).exit_code == 0
    # Twilio posts a text to a number of the service's pool with the service's SID.
    fields = {**inbound("SM" + "6" * 32, PHONES[0], "HELP"), "To": "+14155550199"}
    assert post_signed(hooks, SMS, {**fields, "MessagingServiceSid": service}).status_code == 200
    (answer,) = [m for m in sending.twilio.sent() if m["body"].endswith("Reply STOP to opt out.")]
    assert answer["body"].startswith("Cy Hale") and answer["messaging_service_sid"] == service
