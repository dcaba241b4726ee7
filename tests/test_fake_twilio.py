"""The fake Twilio answers in Twilio's shapes, and works as a separate process for daemon tests."""

from __future__ import annotations

import base64
import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from leadchase.channels.config import TwilioSettings
from leadchase.channels.twilio_sms import TwilioTexts
from tests.conftest import NOW, PROJECT
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, FakeTwilio

LEAD = "+14155550123"
MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
AUTHORIZATION = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(clock=lambda: NOW) as server:
        yield server


def call(
    base_url: str,
    method: str,
    path: str,
    form: dict[str, str] | None = None,
    *,
    control: dict[str, Any] | None = None,
    authorization: str = AUTHORIZATION,
) -> tuple[int, Any, Message]:
    """One raw HTTP request: (status, decoded JSON body, headers)."""
    data: bytes | None = urlencode(form).encode() if form else None
    kind = "application/x-www-form-urlencoded"
    if control is not None:
        data, kind = json.dumps(control).encode(), "application/json"
    request = urllib.request.Request(base_url + path, data=data, method=method)
    request.add_header("Content-Type", kind)
    request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response), response.headers
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error), error.headers


def send(fake: FakeTwilio, body: str) -> Any:
    status, created, _ = call(
        fake.base_url, "POST", MESSAGES, {"To": LEAD, "From": OUR_NUMBER, "Body": body}
    )
    assert status == 201
    return created


def test_errors_look_like_twilios(fake: FakeTwilio) -> None:
    status, body, _ = call(fake.base_url, "GET", MESSAGES, authorization="Basic bm8=")
    assert (status, body) == (
        401,
        {
            "code": 20003,
            "message": "Authenticate",
            "more_info": "https://www.twilio.com/docs/errors/20003",
            "status": 401,
        },
    )

    fake.fail_next_creates(400, 21610)
    status, body, _ = call(fake.base_url, "POST", MESSAGES, {"To": LEAD, "From": OUR_NUMBER})
    assert (status, body) == (
        400,
        {
            "code": 21610,
            "message": "Attempt to send to unsubscribed recipient",
            "more_info": "https://www.twilio.com/docs/errors/21610",
            "status": 400,
        },
    )


def test_a_created_text_is_queued_then_sent(fake: FakeTwilio) -> None:
    created = send(fake, "Hi Dana")

    assert re.fullmatch(r"SM[0-9a-f]{32}", created["sid"])
    assert created["status"] == "queued" and created["date_sent"] is None
    assert created["date_created"] == "Mon, 02 Mar 2026 15:00:00 +0000"
    assert created["direction"] == "outbound-api"
    assert (created["num_segments"], created["price"], created["error_code"]) == ("1", None, None)
    _, fetched, _ = call(fake.base_url, "GET", created["uri"])
    assert fetched["status"] == "sent"
    assert fetched["date_sent"] == "Mon, 02 Mar 2026 15:00:00 +0000"
    assert fake.request_count == 2


def test_listing_pages_newest_first_with_twilios_fields(fake: FakeTwilio) -> None:
    sids = [send(fake, f"#{number}")["sid"] for number in range(3)]

    _, first, _ = call(fake.base_url, "GET", f"{MESSAGES}?{urlencode({'To': LEAD, 'PageSize': 2})}")
    _, second, _ = call(fake.base_url, "GET", first["next_page_uri"])

    assert [m["sid"] for m in first["messages"]] == [sids[2], sids[1]]
    assert (first["page"], first["page_size"], first["previous_page_uri"]) == (0, 2, None)
    assert f"PageToken=PA{sids[1]}" in first["next_page_uri"]
    assert first["first_page_uri"].startswith(MESSAGES)
    assert [m["sid"] for m in second["messages"]] == [sids[0]]
    assert second["next_page_uri"] is None


def test_date_sent_filters_whole_days(fake: FakeTwilio) -> None:
    send(fake, "Hi")

    def listed(query: str) -> int:
        return len(call(fake.base_url, "GET", f"{MESSAGES}?{query}")[1]["messages"])

    assert listed(urlencode({"DateSent>": "2026-03-02T23:00:00Z"})) == 1
    assert listed(urlencode({"DateSent>": "2026-03-03"})) == 0
    assert listed(urlencode({"DateSent<": "2026-03-01"})) == 0
    assert listed(urlencode({"DateSent": "2026-03-02"})) == 1
    assert call(fake.base_url, "GET", f"{MESSAGES}?DateSent=yesterday")[0] == 400


def test_controls_work_over_http(fake: FakeTwilio) -> None:
    control = {"status": 429, "code": 20429, "retry_after": 2}
    assert call(fake.base_url, "POST", "/_fake/fail_next_creates", control=control)[0] == 200

    status, body, headers = call(fake.base_url, "POST", MESSAGES, {"To": LEAD, "From": OUR_NUMBER})
    assert (status, body["code"], headers["Retry-After"]) == (429, 20429, "2")

    reply = {"from_number": LEAD, "body": "yes, still interested"}
    _, added, _ = call(fake.base_url, "POST", "/_fake/add_inbound", control=reply)
    _, listed, _ = call(fake.base_url, "GET", "/_fake/messages")
    assert [(m["sid"], m["direction"], m["to"]) for m in listed["messages"]] == [
        (added["result"], "inbound", OUR_NUMBER)
    ]
    unknown = {"sid": "SM" + "0" * 32, "status": "delivered"}
    assert call(fake.base_url, "POST", "/_fake/set_status", control=unknown)[0] == 400
    assert call(fake.base_url, "GET", "/_fake/requests")[1] == {"count": 1}


def test_the_fake_runs_as_a_process_and_leaves_its_state(tmp_path: Path) -> None:
    state = tmp_path / "twilio.json"
    command = [sys.executable, "-m", "tests.fake_twilio", "--port", "0", "--state", str(state)]
    with subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            texts = TwilioTexts(
                TwilioSettings(ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, base_url=base_url)
            )
            outcome = texts.send_text(LEAD, "Hi Dana")
            texts.close()
        finally:
            process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0

    assert outcome.outcome == "sent"
    saved = json.loads(state.read_text(encoding="utf-8"))["messages"]
    assert [(m["sid"], m["to"], m["body"]) for m in saved] == [
        (outcome.provider_id, LEAD, "Hi Dana")
    ]
