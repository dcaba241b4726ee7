"""`leadchase send` with real parts: the twilio SDK against a fake Twilio server, a real SMTP server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leadchase.context import open_workspace
from leadchase.dispatch import SendRun, configured_senders
from tests.conftest import PHONES, Sending, import_leads, query, run, wait_for
from tests.conftest import SF_MORNING as NOW  # Monday 10:00 in San Francisco: inside every window

# Storage-heavy: run on SQLite and on PostgreSQL (tests/conftest.py, backend).
pytestmark = pytest.mark.both_backends


def test_send_delivers_first_texts_and_emails_then_nothing_twice(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 3)
    result = run("send", "--json", now=NOW)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["sent"] == 6 and summary["failed"] == 0  # a text and an email per lead
    texts = sending.twilio.sent()
    assert sorted(m["to"] for m in texts) == PHONES[:3]
    for message in texts:
        assert message["from"] == "+15005550006"
        assert "{{" not in message["body"] and "Jordan" in message["body"]
        assert "STOP" in message["body"]  # the first text carries the opt-out wording
    emails = sending.smtp.received
    assert sorted(e.message["To"] for e in emails) == [f"lead{n}@example.com" for n in range(3)]
    for email in emails:
        assert email.message["From"] == "Jordan Rivera <jordan@example.com>"
        assert email.message["Subject"]
        assert email.message["Message-ID"]
        assert (
            email.message["List-Unsubscribe"]
            .replace(" ", "")
            .startswith("<mailto:jordan@example.com?subject=unsubscribe")
        )
        body = email.message.get_content()
        assert "100 Main Street" in body  # the postal address
        assert "unsubscribe" in body.lower()
    recorded = query(
        sending.workspace,
        "SELECT provider_id, status, body, variant FROM message WHERE channel = 'text'",
    )
    assert {r[0] for r in recorded} == {m["sid"] for m in texts}
    assert all(r[2] and r[3] for r in recorded)
    again = run("send", "--json", now=NOW + timedelta(minutes=1))
    assert json.loads(again.stdout)["sent"] == 0
    assert len(sending.twilio.sent()) == 3 and len(sending.smtp.received) == 3


def test_dry_run_shows_what_would_go_and_why_others_wait(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 2)
    with open_workspace(sending.workspace.root) as context:
        senders = configured_senders(context)
        try:
            now_result = SendRun(context, NOW, senders, dry_run=True).run()
            night = NOW + timedelta(hours=12)  # 22:00 in San Francisco
            night_result = SendRun(context, night, senders, dry_run=True).run()
        finally:
            senders.close()
    would = [i for i in now_result.items if i.result == "would-send"]
    assert len(would) == 4 and all(i.body for i in would)
    assert {i.channel for i in would} == {"text", "email"}
    assert night_result.items and all(i.result == "held" for i in night_result.items)
    assert all("20:00" in i.reason or "21:00" in i.reason for i in night_result.items), (
        night_result.items
    )
    assert sending.twilio.sent() == [] and sending.smtp.received == []


def test_held_outside_the_window_and_sent_when_it_opens(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 1)
    night = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # 22:00 in San Francisco, day 1 follow-ups due
    sending.send(NOW)
    first = len(sending.twilio.sent())
    result = sending.send(night)
    assert len(sending.twilio.sent()) == first
    assert all(item.result != "sent" for item in result.items)


def test_twilio_error_classes(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 4)
    opted_out, landline, flaky, fine = PHONES[:4]
    sending.twilio.fail_creates_to(opted_out, 400, 21610)
    sending.twilio.fail_creates_to(landline, 400, 21614)
    sending.twilio.fail_next_creates(429, 20429, count=1)
    result = sending.send(NOW)
    by_phone = {item.to: item for item in result.items if item.channel == "text"}
    assert by_phone[opted_out].result == "failed"
    assert by_phone[landline].result == "failed"
    sent_to = {m["to"] for m in sending.twilio.sent()}
    assert {flaky, fine} <= sent_to  # the 429 was retried within the run
    suppressed = query(sending.workspace, "SELECT value, channel, reason FROM suppression")
    assert (opted_out, "text", "opt-out") in suppressed
    (text_ok,) = query(sending.workspace, f"SELECT text_ok FROM lead WHERE phone = '{landline}'")[0]  # noqa: S608
    assert text_ok == 0
    # Later passes never text either of them again; the landline still gets calls and emails.
    sending.twilio.fail_creates_to(opted_out, 400, 21610)
    later = sending.send(NOW + timedelta(days=1, hours=1))
    assert not [i for i in later.items if i.channel == "text" and i.to in (opted_out, landline)]
    open_channels = query(
        sending.workspace,
        f"SELECT t.channel FROM touch t JOIN lead l ON l.id = t.lead_id WHERE l.phone = '{landline}' AND t.status = 'planned'",  # noqa: S608
    )
    assert {row[0] for row in open_channels} == {"call", "email"}


def test_configuration_error_halts_the_run_with_one_message(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 3)
    sending.twilio.fail_next_creates(400, 21606, count=1)
    result = run("send", now=NOW)
    assert result.exit_code == 5
    assert result.stderr.count("sending halted") == 1
    assert "Traceback" not in result.output
    assert len(sending.twilio.sent()) == 0
    # Nothing was consumed: once fixed, the texts go out.
    assert sending.send(NOW + timedelta(minutes=5)).count("sent") >= 3


def test_retry_later_after_repeated_server_errors(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 1)
    sending.twilio.fail_next_creates(503, 20500, count=3)
    first = sending.send(NOW)
    assert [i.result for i in first.items if i.channel == "text"] == ["retry_later"]
    second = sending.send(NOW + timedelta(minutes=10))
    assert [i.result for i in second.items if i.channel == "text"] == ["sent"]
    assert len(sending.texts_to(PHONES[0])) == 1


def test_delivery_status_follow_up_stops_texting_a_landline(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 1)
    sending.send(NOW)
    (sid,) = [m["sid"] for m in sending.twilio.sent()]
    sending.twilio.set_status(sid, "undelivered", 30006)
    sending.send(NOW + timedelta(minutes=2))
    assert query(
        sending.workspace, "SELECT status, error_code FROM message WHERE channel = 'text'"
    ) == [("undelivered", "30006")]
    assert query(sending.workspace, "SELECT text_ok FROM lead") == [(0,)]


def _run_and_die(sending: Sending, *, after_twilio: bool) -> list[str]:
    """A send run whose process dies at its first text, just after (or before) calling Twilio."""
    reached: list[str] = []
    with open_workspace(sending.workspace.root) as context:
        senders = configured_senders(context)
        real_send = senders.texts.send_text  # type: ignore[union-attr]

        def send_then_die(to: str, body: str, sender: str = "") -> None:
            if after_twilio:
                real_send(to, body, sender)
                reached.append(to)
            raise KeyboardInterrupt

        senders.texts.send_text = send_then_die  # type: ignore[union-attr, method-assign]
        try:
            SendRun(context, NOW, senders, sleep=lambda _s: None).run()
        except KeyboardInterrupt:
            pass
        finally:
            senders.close()
    return reached


def test_crash_between_twilio_and_the_record_never_sends_twice(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 2)
    calls = _run_and_die(sending, after_twilio=True)
    assert len(calls) == 1
    assert query(sending.workspace, "SELECT count(*) FROM touch WHERE status = 'claimed'") == [(1,)]
    result = sending.send(NOW + timedelta(minutes=1))
    assert result.reconciled == 1
    for phone in PHONES[:2]:
        assert len(sending.texts_to(phone)) == 1, phone
    assert query(sending.workspace, "SELECT count(*) FROM touch WHERE status = 'claimed'") == [(0,)]


def _send_process(
    sending: Sending, now: datetime, home: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """`leadchase send --json` in a process of its own, on the test's workspace or `home`."""
    env = {
        **os.environ,
        **sending.env(),
        "LEADCHASE_NOW": now.isoformat(),
        "PYTHONWARNINGS": "ignore",
        **(env or {}),
    }
    if home is not None:
        env["LEADCHASE_HOME"] = str(home)
    return subprocess.Popen(
        [sys.executable, "-m", "leadchase", "send", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_killed_send_process_then_rerun_gives_no_duplicates(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 12)
    sending.twilio.set_latency(0.15)
    process = _send_process(sending, NOW)
    wait_for(lambda: len(sending.twilio.sent()) >= 3)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    sending.twilio.set_latency(0.0)
    # The next passes: one right away (a text may still be in flight at Twilio), then later ones.
    for minutes in (1, 4, 8):
        sending.send(NOW + timedelta(minutes=minutes))
    for phone in PHONES[:12]:
        assert len(sending.texts_to(phone)) == 1, phone


def test_two_send_processes_at_once_send_each_message_once(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 8)
    sending.twilio.set_latency(0.05)
    first, second = _send_process(sending, NOW), _send_process(sending, NOW)
    outputs = [p.communicate(timeout=60) for p in (first, second)]
    assert {first.returncode, second.returncode} <= {0, 4}, outputs
    for phone in PHONES[:8]:
        assert len(sending.texts_to(phone)) == 1, phone
    assert len(sending.smtp.received) == 8


def test_pacing_follows_messages_per_second(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 5)
    waits: list[float] = []
    clock = [0.0]

    def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    with open_workspace(sending.workspace.root) as context:
        senders = configured_senders(context)
        senders.messages_per_second = 2.0
        try:
            SendRun(context, NOW, senders, sleep=fake_sleep, monotonic=lambda: clock[0]).run()
        finally:
            senders.close()
    assert len(sending.twilio.sent()) == 5
    assert sum(waits) >= 2.0 - 1e-6  # 5 texts at 2 per second: at least 4 gaps of 0.5 s


def test_a_text_that_never_left_is_sent_after_the_recheck(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 1)
    assert _run_and_die(sending, after_twilio=False) == []
    first = sending.send(NOW + timedelta(minutes=1))
    assert first.reconciled == 1 and sending.texts_to(PHONES[0]) == []  # not resent yet
    sending.send(NOW + timedelta(minutes=4))
    assert len(sending.texts_to(PHONES[0])) == 1
