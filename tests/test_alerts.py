"""Officer alerts: a new lead or a reply reaches the officer (fake Twilio, real SMTP), in hours."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leadchase.alerts import alert_text
from leadchase.listener.token import ensure_token
from leadchase.store.records import Lead
from tests.conftest import OFFICER, PHONES, Sending, import_lead, import_leads, query, run, wait_for
from tests.conftest import SF_MORNING as NOW
from tests.listener_daemon import ListeningDaemon
from tests.webhooks import PUBLIC_URL, inbound, post_lead, post_signed, serve_listener

OFFICER_PHONE = OFFICER["phone"]
ALL_ON = {"new_lead": "true", "reply": "true", "by_text": "true", "by_email": "true"}
# 02:00 in New York, the officer's zone ([contact] default_timezone): outside 07:00-21:00.
NIGHT = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
MORNING = datetime(2026, 3, 3, 12, 5, tzinfo=UTC)  # 07:05 in New York


def turn_on(sending: Sending, **keys: str) -> None:
    path = sending.workspace.settings_file
    text = path.read_text()
    start = text.index("[alerts]")
    head, section = text[:start], text[start:]
    for key, value in keys.items():
        lines = section.splitlines()
        (index,) = [n for n, line in enumerate(lines) if line.startswith(f"{key} = ")]
        lines[index] = f"{key} = {value}"
        section = "\n".join(lines) + "\n"
    path.write_text(head + section)


@pytest.fixture
def alerting(sending: Sending) -> Iterator[Sending]:
    turn_on(sending, **ALL_ON)
    yield sending


def officer_texts(sending: Sending) -> list[str]:
    return sending.texts_to(OFFICER_PHONE)


def officer_emails(sending: Sending) -> list[tuple[str, str]]:
    return [
        (str(email.message["Subject"]), email.message.get_content())
        for email in sending.smtp.received
        if email.rcpt_tos == (OFFICER["email"],)
    ]


def alerts(sending: Sending) -> list[tuple[str, str, str]]:
    return [
        (str(kind), str(channel), str(status))
        for kind, channel, status in query(
            sending.workspace, "SELECT kind, channel, status FROM alert ORDER BY id"
        )
    ]


@pytest.mark.both_backends
def test_a_new_lead_alerts_the_officer_by_text_and_email_at_once(alerting: Sending) -> None:
    lead = import_lead(alerting.workspace, NOW, name="Wendy Fresh", source="equity calculator")

    expected = "New lead: Wendy Fresh, equity calculator, (415) 555-2671. Call now."
    assert officer_texts(alerting) == [expected]
    ((subject, body),) = officer_emails(alerting)
    assert subject == "New lead: Wendy Fresh"
    assert expected in body and f"leadchase show #{lead}" in body
    assert alerts(alerting) == [("new-lead", "text", "queued"), ("new-lead", "email", "accepted")]
    # Never to the lead, never a message or touch of the lead's.
    assert alerting.texts_to("+14155552671") == []
    assert query(alerting.workspace, "SELECT count(*) FROM message") == [(0,)]
    shown = run("show", str(lead), now=NOW + timedelta(minutes=1))
    assert shown.exit_code == 0, shown.output
    assert "alert" in shown.stdout and "New lead: Wendy Fresh" in shown.stdout
    assert f"you ({OFFICER_PHONE})" in shown.stdout


def test_a_lead_posted_to_the_listener_alerts_the_officer_once_and_never_the_lead(
    alerting: Sending, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADCHASE_NOW", NOW.isoformat())
    home = alerting.workspace.root
    ensure_token(home)
    wendy = {"First Name": "Wendy", "Last Name": "Fresh", "Phone": "(415) 555-2671", "State": "CA"}
    with serve_listener(home) as base_url:
        first = post_lead(base_url, home, wendy, key="form-1", source="equity calculator")
        # The alert goes once the answer has: Twilio's speed never holds the vendor's answer.
        expected = "New lead: Wendy Fresh, equity calculator, (415) 555-2671. Call now."
        wait_for(lambda: officer_texts(alerting) == [expected])
        wait_for(lambda: len(officer_emails(alerting)) == 1)
        again = post_lead(base_url, home, wendy, key="form-1", source="equity calculator")
        merged = post_lead(base_url, home, wendy, source="equity calculator")
    assert (first.status_code, first.json()["leads"][0]["result"]) == (201, "new")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert merged.json()["leads"][0]["result"] == "merged"
    # A replayed post and the same lead posted again are not new leads: no second alert.
    assert officer_texts(alerting) == [expected]
    assert len(officer_emails(alerting)) == 1
    assert alerts(alerting) == [("new-lead", "text", "queued"), ("new-lead", "email", "accepted")]
    addresses = query(alerting.workspace, "SELECT DISTINCT to_address FROM alert ORDER BY 1")
    assert addresses == [(OFFICER_PHONE,), (OFFICER["email"],)]

    alerting.send(NOW)  # the send pass the daemon would run: the lead's own first text
    (to_lead,) = alerting.texts_to("+14155552671")
    assert "Hi Wendy" in to_lead and "New lead" not in to_lead
    assert officer_texts(alerting) == [expected]


@pytest.mark.both_backends
def test_a_hung_twilio_for_the_officer_holds_neither_the_answer_nor_the_leads_first_text(
    alerting: Sending, tmp_path: Path
) -> None:
    turn_on(alerting, by_email="false")
    home = alerting.workspace.root
    ensure_token(home)
    wendy = {"First Name": "Wendy", "Last Name": "Fresh", "Phone": "(415) 555-2671", "State": "CA"}
    alerting.twilio.hold_creates_to(OFFICER_PHONE)
    try:
        with ListeningDaemon(home, alerting.twilio, NOW.isoformat(), tmp_path / "log") as daemon:
            answer = daemon.post(wendy, timeout=5)  # the alert's text hangs for up to a minute
            assert answer.status == 201
            # Recorded before the answer, so a crash after it still leaves the alert to send.
            assert alerts(alerting)[0][:2] == ("new-lead", "text")
            import time

            t0 = time.monotonic()
            wait_for(lambda: len(alerting.texts_to("+14155552671")) == 1)
            print("DEBUG lead text after", time.monotonic() - t0, alerts(alerting))
            assert officer_texts(alerting) == []
            alerting.twilio.release_creates()
            try:
                wait_for(lambda: alerts(alerting) == [("new-lead", "text", "queued")], 5)
            finally:
                print(
                    "DEBUG", alerts(alerting), query(alerting.workspace, "SELECT error FROM alert")
                )
                print(daemon.log_text())
    finally:
        alerting.twilio.release_creates()
    assert officer_texts(alerting) == ["New lead: Wendy Fresh, webhook, (415) 555-2671. Call now."]
    assert len(alerting.texts_to("+14155552671")) == 1


def test_alerts_do_not_count_toward_the_leads_own_texts(alerting: Sending) -> None:
    import_leads(alerting.workspace, NOW, 1)
    result = alerting.send(NOW)
    assert result.count("sent") == 2  # the lead's first text and first email, as without alerts
    assert len(alerting.texts_to(PHONES[0])) == 1
    assert len(officer_texts(alerting)) == 1


def test_alerts_are_off_unless_turned_on(sending: Sending) -> None:
    import_lead(sending.workspace, NOW)
    sending.twilio.add_inbound("+14155552671", "Yes, call me")
    sending.send(NOW + timedelta(minutes=5))
    assert officer_texts(sending) == [] and officer_emails(sending) == []
    assert query(sending.workspace, "SELECT count(*) FROM alert") == [(0,)]


def test_an_alert_outside_the_officers_hours_waits_for_them(alerting: Sending) -> None:
    turn_on(alerting, by_email="false")
    lead = import_lead(alerting.workspace, NIGHT, name="Night Owl")
    assert officer_texts(alerting) == []
    assert alerts(alerting) == [("new-lead", "text", "pending")]
    shown = run("show", str(lead), now=NIGHT + timedelta(minutes=1))
    assert "pending: New lead: Night Owl" in shown.stdout

    alerting.send(NIGHT + timedelta(hours=4))  # 06:00 in New York: still waiting
    assert officer_texts(alerting) == []
    alerting.send(MORNING)  # the first pass inside the hours sends it
    assert officer_texts(alerting) == ["New lead: Night Owl, Zillow, (415) 555-2671. Call now."]
    alerting.send(MORNING + timedelta(minutes=5))
    assert len(officer_texts(alerting)) == 1


def test_an_alert_that_waited_a_day_expires_instead_of_going_late(alerting: Sending) -> None:
    turn_on(alerting, by_email="false", hours_start='"08:00"', hours_end='"08:30"')
    import_lead(alerting.workspace, NIGHT)
    alerting.send(NIGHT + timedelta(days=1, hours=6, minutes=10))  # 08:10 the next morning
    assert officer_texts(alerting) == []
    assert alerts(alerting) == [("new-lead", "text", "expired")]


def test_a_big_import_gets_one_alert_and_an_aged_list_none(alerting: Sending) -> None:
    turn_on(alerting, by_email="false")
    import_leads(alerting.workspace, NOW, 10)
    assert officer_texts(alerting) == [
        "10 new leads. First: Lead A0, Zillow, (415) 555-2600. See leadchase today."
    ]
    import_lead(alerting.workspace, NOW, phone=PHONES[20], lead_date=NOW - timedelta(days=40))
    assert len(officer_texts(alerting)) == 1


def test_a_reply_by_webhook_alerts_the_officer_once(
    alerting: Sending, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import wait_for

    turn_on(alerting, new_lead="false")
    monkeypatch.setenv("LEADCHASE_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("LEADCHASE_NOW", (NOW + timedelta(minutes=5)).isoformat())
    lead = import_lead(alerting.workspace, NOW, name="Wendy Fresh")
    sid = alerting.twilio.add_inbound("+14155552671", "Yes\x1b[2J call me after 5")
    with serve_listener(alerting.workspace.root) as base_url:
        answer = post_signed(
            base_url, "/twilio/sms", inbound(sid, "+14155552671", "Yes\x1b[2J call me after 5")
        )
        assert answer.status_code == 200
        wait_for(lambda: len(officer_emails(alerting)) == 1)
    expected = 'Reply from Wendy Fresh, (415) 555-2671: "Yes[2J call me after 5". Call now.'
    wait_for(lambda: officer_texts(alerting) == [expected])
    alerting.send(NOW + timedelta(minutes=10))  # sync lists the same text: no second alert
    assert officer_texts(alerting) == [expected]
    assert alerts(alerting) == [("reply", "text", "queued"), ("reply", "email", "accepted")]
    shown = run("show", str(lead), now=NOW + timedelta(minutes=11))
    assert "\x1b" not in shown.stdout and "Reply from Wendy Fresh" in shown.stdout


def test_a_reply_found_by_sync_alerts_the_officer(alerting: Sending) -> None:
    turn_on(alerting, new_lead="false", by_email="false")
    import_leads(alerting.workspace, NOW, 1)
    alerting.send(NOW)
    alerting.twilio.add_inbound(PHONES[0], "Sure, what do you need?")
    alerting.send(NOW + timedelta(minutes=5))
    assert officer_texts(alerting) == [
        'Reply from Lead A0, (415) 555-2600: "Sure, what do you need?". Call now.'
    ]


def test_alert_text_keeps_outside_text_short_and_on_one_line() -> None:
    lead = Lead(
        id=7,
        name="Eve\u202e\x1b]8;;http://evil\x07 " + "x" * 80,
        phone=None,
        email="eve@example.com",
        offer="rate\nquote",
    )
    subject, text = alert_text(lead, "new-lead")
    assert "\x1b" not in text and "\u202e" not in text and "\n" not in text
    assert subject.startswith("New lead: Eve]8;;http://evil ") and subject.endswith("…")
    assert text.endswith(", rate quote, eve@example.com. Call now.")
