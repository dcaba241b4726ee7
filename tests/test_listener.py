"""`leadchase daemon --listen`: leads posted to a running daemon, each texted once, at once;
Twilio's signed webhooks acted on before the answer returns.

One daemon for the module (starting one costs a second): the tests share its workspace, so
each uses phone numbers of its own and counts what changed rather than what is there. Twilio is
told the daemon is at tests.webhooks.PUBLIC_URL (LEADCHASE_PUBLIC_URL), as behind a proxy.
"""

from __future__ import annotations

import http.client
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leadchase.config import default_settings_text
from leadchase.listener.token import ensure_token, rotate_token
from leadchase.workspace import Workspace, create_workspace
from tests.conftest import SF_MORNING, query, wait_for, with_officer
from tests.fake_twilio import AUTH_TOKEN, FakeTwilio
from tests.listener_daemon import ListeningDaemon, request
from tests.webhooks import PUBLIC_URL, inbound, post, post_signed, signature

MAX_BODY = 20_000


def phone(n: int) -> str:
    """Distinct valid San Francisco numbers, E.164 (a lead in its contact window at NOW)."""
    return f"+1415555{2700 + n:04d}"


def lead(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "First Name": f"Lead{n}",
        "Last Name": "Post",
        "Phone Number": f"(415) 555-{2700 + n:04d}",
        "State": "CA",
        **fields,
    }


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    settings = with_officer(default_settings_text()).replace(
        "messages_per_second = 1.0", "messages_per_second = 500.0"
    )
    workspace, _ = create_workspace(tmp_path_factory.mktemp("listener") / "ws", settings)
    ensure_token(workspace.root)
    return workspace


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio() as running:
        yield running


@pytest.fixture(scope="module")
def daemon(home: Workspace, fake: FakeTwilio) -> Iterator[ListeningDaemon]:
    log = home.root.parent / "daemon.log"
    with ListeningDaemon(
        home.root,
        fake,
        SF_MORNING.isoformat(),
        log,
        "--max-body",
        str(MAX_BODY),
        public_url=PUBLIC_URL,
    ) as running:
        yield running


COUNTS = {
    "lead": "SELECT count(*) FROM lead",
    "import_batch": "SELECT count(*) FROM import_batch",
}


def count(home: Workspace, table: str) -> int:
    return int(query(home, COUNTS[table])[0][0])


def texts_to(fake: FakeTwilio, number: str) -> list[dict[str, Any]]:
    return [m for m in fake.sent() if m["to"] == number]


def test_fifty_leads_posted_one_by_one_each_get_exactly_one_first_text(
    daemon: ListeningDaemon, fake: FakeTwilio, home: Workspace
) -> None:
    numbers = [phone(n) for n in range(50)]
    answers = [daemon.post(lead(n), headers={"Idempotency-Key": f"post-{n}"}) for n in range(50)]
    assert [a.status for a in answers] == [201] * 50
    ids = [a.document["leads"][0]["id"] for a in answers]
    assert len(set(ids)) == 50
    assert all(a.document["leads"][0]["result"] == "new" for a in answers)
    # The daemon's own pass comes once an hour: these texts went out because the posts asked.
    wait_for(lambda: all(texts_to(fake, number) for number in numbers), 60)
    first = {number: texts_to(fake, number)[0]["body"] for number in numbers}
    assert "Lead7" in first[phone(7)]

    # The same 50 posts again: the same answers, nothing stored, nothing sent.
    leads_before = count(home, "lead")
    for n, earlier in enumerate(answers):
        again = daemon.post(lead(n), headers={"Idempotency-Key": f"post-{n}"})
        assert (again.status, again.document) == (201, earlier.document)
        assert again.headers["Idempotent-Replayed"] == "true"
    # Without the key, the same lead is found by its phone: merged, not new, no text.
    unkeyed = daemon.post(lead(3))
    assert unkeyed.status == 201
    assert unkeyed.document["leads"] == [{"index": 0, "result": "merged", "id": ids[3]}]
    assert count(home, "lead") == leads_before
    # A send pass after the replays (a fresh lead asks for one) sends no second text to any.
    assert daemon.post(lead(60)).status == 201
    wait_for(lambda: bool(texts_to(fake, phone(60))), 30)
    assert all(len(texts_to(fake, number)) == 1 for number in numbers)
    log = daemon.log_text()
    assert "lead post: 1 new, 0 merged, 0 rejected" in log
    assert daemon.token() not in log and AUTH_TOKEN not in log


def test_a_vendor_posting_its_lead_again_with_another_number_makes_no_second_lead(
    daemon: ListeningDaemon, fake: FakeTwilio
) -> None:
    first = daemon.post(lead(70, **{"Lead ID": "V-70"}), query={"source": "LendingTree"})
    assert first.document["leads"][0]["result"] == "new"
    wait_for(lambda: bool(texts_to(fake, phone(70))), 30)
    again = daemon.post(lead(71, **{"Lead ID": "V-70"}), query={"source": "LendingTree"})
    assert again.status == 201
    assert again.document["leads"] == [
        {"index": 0, "result": "merged", "id": first.document["leads"][0]["id"]}
    ]
    # The same vendor id from another source is another lead.
    other = daemon.post(lead(72, **{"Lead ID": "V-70"}), query={"source": "Zillow"})
    assert other.document["leads"][0]["result"] == "new"
    wait_for(lambda: bool(texts_to(fake, phone(72))), 30)
    assert not texts_to(fake, phone(71))


def test_a_form_post_and_a_list_post_take_the_same_header_words_as_a_file(
    daemon: ListeningDaemon, fake: FakeTwilio, home: Workspace
) -> None:
    form = daemon.post(
        {"full_name": "Wendy Fresh", "mobile": "415-555-2780", "st": "CA"},
        form=True,
        query={"source": "equity calculator"},
    )
    assert form.status == 201, form.document
    mixed = daemon.post([lead(81), {"name": "No Contact"}, lead(82, **{"Phone Number": "12"})])
    assert mixed.status == 201
    assert [item["result"] for item in mixed.document["leads"]] == ["new", "rejected", "rejected"]
    assert mixed.document["leads"][1]["reason"] == "no phone or email"
    assert mixed.document["leads"][2]["reason"] == "invalid phone and no email: phone '12'"
    wait_for(lambda: bool(texts_to(fake, phone(80)) and texts_to(fake, phone(81))), 30)
    assert "Wendy" in texts_to(fake, phone(80))[0]["body"]
    with sqlite3.connect(home.default_database) as connection:
        stored = connection.execute(
            "SELECT first_name, last_name, state, source FROM lead WHERE phone = ?", (phone(80),)
        ).fetchone()
    assert stored == ("Wendy", "Fresh", "CA", "equity calculator")
    rejects = sorted((home.root / "rejects").glob("post-*.rejects.csv"))
    assert any("No Contact" in path.read_text(encoding="utf-8-sig") for path in rejects)


def test_a_post_whose_leads_are_all_rejected_stores_nothing(
    daemon: ListeningDaemon, home: Workspace
) -> None:
    leads, batches = count(home, "lead"), count(home, "import_batch")
    answer = daemon.post(
        [{"name": "Bad Phone", "phone": "555"}, {"name": "Bad Email", "email": "nope@"}],
        headers={"Idempotency-Key": "all-rejected"},
    )
    assert answer.status == 422
    assert [item["reason"] for item in answer.document["leads"]] == [
        "invalid phone and no email: phone '555'",
        "invalid email and no phone: email 'nope@'",
    ]
    no_contact = daemon.post({"name": "Just A Name", "favourite colour": "blue"})
    assert no_contact.status == 422
    assert "no field is a phone or an email" in no_contact.document["leads"][0]["reason"]
    assert (count(home, "lead"), count(home, "import_batch")) == (leads, batches)
    with sqlite3.connect(home.default_database) as connection:
        kept = connection.execute("SELECT key FROM intake_request WHERE key = 'all-rejected'")
        assert kept.fetchall() == []  # a retry is taken afresh: nothing was stored to repeat


def test_a_missing_or_wrong_token_is_401_and_stores_nothing(
    daemon: ListeningDaemon, home: Workspace
) -> None:
    leads = count(home, "lead")
    for token in (None, "wrong-token", daemon.token() + "x"):
        answer = daemon.post(lead(90), token=token)
        assert answer.status == 401
        assert answer.headers["WWW-Authenticate"] == "Bearer"
    basic = daemon.post(lead(90), headers={"Authorization": f"Basic {daemon.token()}"}, token=None)
    assert basic.status == 401
    assert count(home, "lead") == leads


def test_a_rotated_token_takes_effect_in_the_running_daemon(
    daemon: ListeningDaemon, home: Workspace
) -> None:
    old = daemon.token()
    rotate_token(home.root)
    assert daemon.post(lead(91), token=old).status == 401
    assert daemon.post(lead(91)).status == 201


def _raw_post(daemon: ListeningDaemon, headers: dict[str, str], body: bytes) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=30)
    try:
        connection.putrequest("POST", "/leads")
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        if body:
            connection.send(body)
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_body_over_the_limit_is_413_and_stores_nothing(
    daemon: ListeningDaemon, home: Workspace
) -> None:
    leads = count(home, "lead")
    auth = {"Authorization": f"Bearer {daemon.token()}", "Content-Type": "application/json"}
    # Refused from the declared length alone, before a byte of the body is sent.
    declared = {**auth, "Content-Length": str(MAX_BODY + 1)}
    assert _raw_post(daemon, declared, b"") == 413
    # No length declared: refused once the streamed body passes the limit.
    big = b"[" + b",".join(b'{"phone": "4155552799"}' for _ in range(1000)) + b"]"
    assert len(big) > MAX_BODY
    chunk = hex(len(big))[2:].encode() + b"\r\n" + big + b"\r\n0\r\n\r\n"
    assert _raw_post(daemon, {**auth, "Transfer-Encoding": "chunked"}, chunk) == 413
    # The token is checked first: without it, a big body is 401.
    assert _raw_post(daemon, {"Content-Length": str(MAX_BODY + 1)}, b"") == 401
    assert count(home, "lead") == leads


def test_a_body_that_is_not_leads_is_400_and_another_type_is_415(
    daemon: ListeningDaemon, home: Workspace
) -> None:
    leads = count(home, "lead")
    assert daemon.post(b"{not json").status == 400
    assert daemon.post([]).status == 400
    assert daemon.post(["4155552798"]).status == 400
    nested = daemon.post({"phone": "4155552798", "address": {"city": "SF"}})
    assert nested.status == 400
    assert "field 'address' holds a dict" in nested.document["error"]
    unknown_cadence = daemon.post(lead(92), query={"cadence": "no-such-cadence"})
    assert unknown_cadence.status == 400
    assert "no cadence named 'no-such-cadence'" in unknown_cadence.document["error"]
    text = daemon.post(b"phone=4155552798", headers={"Content-Type": "text/plain"})
    assert text.status == 415
    assert count(home, "lead") == leads


def test_health_answers_without_a_token(daemon: ListeningDaemon) -> None:
    answer = request("GET", f"{daemon.url}/health", None, {})
    assert (answer.status, answer.document) == (200, {"ok": True})


SMS, STATUS = "/twilio/sms", "/twilio/status"


def posted_and_texted(daemon: ListeningDaemon, fake: FakeTwilio, n: int) -> tuple[int, str]:
    """Lead n posted and its first text at the fake: the lead's id and the text's SID."""
    answer = daemon.post(lead(n))
    assert answer.status == 201, answer.document
    wait_for(lambda: bool(texts_to(fake, phone(n))), 30)
    return int(answer.document["leads"][0]["id"]), str(texts_to(fake, phone(n))[0]["sid"])


def opted_out(home: Workspace, number: str) -> list[tuple[Any, ...]]:
    return query(
        home,
        f"SELECT reason FROM suppression WHERE value = '{number}' AND lifted_at IS NULL",  # noqa: S608
    )


def inbound_from(home: Workspace, lead_id: int) -> list[tuple[Any, ...]]:
    return query(
        home,
        f"SELECT provider_id, status FROM message WHERE direction = 'in' AND lead_id = {lead_id}",  # noqa: S608
    )


def test_a_signed_stop_to_the_daemon_suppresses_the_number_before_the_answer_returns(
    daemon: ListeningDaemon, fake: FakeTwilio, home: Workspace
) -> None:
    lead_id, _ = posted_and_texted(daemon, fake, 95)
    stop = inbound("SM" + "7" * 32, phone(95), "STOP")
    refused = [
        None,  # no signature at all
        signature(SMS, inbound("SM" + "7" * 32, phone(95), "START")),  # another body's
        signature(SMS, stop, token="another-accounts-token"),
        signature(STATUS, stop),  # signed for another URL
    ]
    for signed_as in refused:
        assert post(daemon.url, SMS, stop, signed_as).status_code == 403
    assert opted_out(home, phone(95)) == []
    assert inbound_from(home, lead_id) == []

    answer = post_signed(daemon.url, SMS, stop)
    # Read the moment the answer is in: the STOP was committed before it was sent.
    assert opted_out(home, phone(95)) == [("opt-out",)]
    assert inbound_from(home, lead_id) == [("SM" + "7" * 32, "opt-out")]
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/xml")
    planned = "SELECT count(*) FROM touch WHERE status = 'planned' AND automated = 1 AND lead_id = "
    assert query(home, planned + str(lead_id)) == [(0,)]
    assert len(texts_to(fake, phone(95))) == 1  # the first text only: nothing answered the STOP


def test_a_status_callback_to_the_daemon_updates_the_texts_delivery_status(
    daemon: ListeningDaemon, fake: FakeTwilio, home: Workspace
) -> None:
    _, sid = posted_and_texted(daemon, fake, 96)
    # The daemon knows its public URL, so it asked Twilio to call back there.
    assert texts_to(fake, phone(96))[0]["status_callback"] == f"{PUBLIC_URL}{STATUS}"
    status = f"SELECT status, error_code FROM message WHERE provider_id = '{sid}'"  # noqa: S608
    wait_for(lambda: bool(query(home, status)), 30)  # the send pass records it after Twilio answers
    (before,) = query(home, status)
    assert before[0] != "delivered"

    failed = {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": "30008"}
    assert post(daemon.url, STATUS, failed, None).status_code == 403
    assert post(daemon.url, STATUS, failed, signature(STATUS, failed, "wrong")).status_code == 403
    # The forged "failed" changed nothing. (The daemon's own send pass may still move the text
    # on from "queued" by polling Twilio meanwhile, so the check is on what the forgery said.)
    ((after, code),) = query(home, status)
    assert after != "failed" and code != "30008"
    delivered = {"MessageSid": sid, "MessageStatus": "delivered", "To": phone(96)}
    assert post_signed(daemon.url, STATUS, delivered).status_code == 204
    assert query(home, status) == [("delivered", None)]


def test_sigterm_stops_the_listener_and_the_daemon_cleanly(
    home: Workspace, fake: FakeTwilio, tmp_path: Path
) -> None:
    """Last, on a daemon of its own: the module's daemon stays up for the others."""
    log = tmp_path / "own.log"
    with ListeningDaemon(home.root, fake, SF_MORNING.isoformat(), log) as own:
        assert own.post(lead(93)).status == 201
        code = own.stop()
    assert code == 0, own.stderr
    assert own.log_text().splitlines()[-1].endswith("INFO daemon stopped")
    assert "Traceback" not in own.stderr
    with pytest.raises(OSError):
        http.client.HTTPConnection("127.0.0.1", own.port, timeout=5).request("GET", "/health")
