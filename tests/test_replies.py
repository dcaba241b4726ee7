"""Replies and compliance end to end: the real twilio SDK against the fake Twilio server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadchase.compliance.windows import check_moment
from leadchase.context import open_workspace
from leadchase.dispatch import SendRun, configured_senders
from leadchase.lead_work import log_touch
from leadchase.workspace import Workspace
from tests.conftest import PHONES, Sending, agenda_at, import_leads, query, run
from tests.conftest import SF_MORNING as NOW

# Storage-heavy: run on SQLite and on PostgreSQL (tests/conftest.py, backend).
pytestmark = pytest.mark.both_backends


def test_a_reply_stops_automation_at_once_and_tops_the_agenda(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 2)
    sending.send(NOW)
    assert len(sending.texts_to(PHONES[0])) == 1
    # The day-1 follow-up text is due at 15:00; the lead answers at 14:50.
    sending.twilio.clock = lambda: NOW + timedelta(hours=4, minutes=50)
    sending.twilio.add_inbound(PHONES[0], "Sure, what info do you need?")
    later = NOW + timedelta(hours=5, minutes=10)
    result = sending.send(later)
    assert result.replies == 1
    assert len(sending.texts_to(PHONES[0])) == 1  # the follow-up due in this very pass did not go
    assert len(sending.texts_to(PHONES[1])) == 2  # the other lead's did
    agenda = agenda_at(sending.workspace, later)
    assert [r.name for r in agenda.replies] == ["Lead A0"]
    (stage, replied) = query(
        sending.workspace,
        f"SELECT stage, replied_at FROM lead WHERE phone = '{PHONES[0]}'",  # noqa: S608
    )[0]
    assert stage == "engaged" and replied is not None
    # No automated touch is left for that lead; the conversation is the officer's now.
    assert query(
        sending.workspace,
        f"SELECT count(*) FROM touch t JOIN lead l ON l.id = t.lead_id WHERE l.phone = '{PHONES[0]}' AND t.status = 'planned' AND t.automated",  # noqa: S608
    ) == [(0,)]
    # Answering it (a logged text) takes it off the top of the agenda.
    with open_workspace(sending.workspace.root) as context:
        log_touch(context, PHONES[0], "text", "sent", "", later + timedelta(minutes=2))
    assert agenda_at(sending.workspace, later + timedelta(minutes=3)).replies == []


def test_stop_means_never_again_even_from_another_vendor_file_and_start_resumes(
    sending: Sending,
) -> None:
    import_leads(sending.workspace, NOW, 1)
    sending.send(NOW)
    sending.twilio.add_inbound(PHONES[0], "STOP")
    sending.send(NOW + timedelta(minutes=5))
    suppressed = query(
        sending.workspace, "SELECT value, channel, reason, evidence FROM suppression"
    )
    assert suppressed[0][:3] == (PHONES[0], "text", "opt-out") and "STOP" in suppressed[0][3]
    # Bought again from another vendor, in another format.
    other = sending.workspace.root / "vendor2.csv"
    other.write_text(
        f"FNAME,LNAME,CELL PHONE,ST\nLead,Again,({PHONES[0][2:5]}) {PHONES[0][5:8]}-{PHONES[0][8:]},CA\n"
    )
    assert run("import", str(other), now=NOW + timedelta(days=1)).exit_code == 0
    for day in range(1, 6):
        sending.send(NOW + timedelta(days=day))
    assert len(sending.texts_to(PHONES[0])) == 1
    assert all(
        item.channel != "text"
        for item in agenda_at(sending.workspace, NOW + timedelta(days=5)).items
    )
    # START lifts it; texting resumes on the next due step: day 7's midday text.
    sending.twilio.add_inbound(PHONES[0], "START")
    sending.send(NOW + timedelta(days=6))
    assert query(sending.workspace, "SELECT count(*) FROM suppression WHERE lifted_at IS NULL") == [
        (0,)
    ]
    sending.send(NOW + timedelta(days=6, hours=3))
    assert len(sending.texts_to(PHONES[0])) == 2


def test_help_gets_one_answer_at_once_even_at_night(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 1)
    sending.send(NOW)
    sending.twilio.add_inbound(PHONES[0], "help")
    night = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)  # 22:30 in San Francisco
    sending.send(night)
    answers = sending.texts_to(PHONES[0])[1:]
    assert len(answers) == 1
    assert "Jordan Rivera" in answers[0] and "Reply STOP to opt out" in answers[0]
    assert "Call or text (305) 555-0123." in answers[0]
    sending.send(night + timedelta(minutes=5))
    assert len(sending.texts_to(PHONES[0])) == 2  # answered once, not on every sync


def test_wrong_number_stops_texts_and_calls(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 1)
    sending.send(NOW)
    sending.twilio.add_inbound(PHONES[0], "wrong number")
    sending.send(NOW + timedelta(minutes=5))
    assert (
        agenda_at(sending.workspace, NOW + timedelta(days=2)).items == []
    )  # no call or text tasks
    planned = query(
        sending.workspace, "SELECT DISTINCT channel FROM touch WHERE status = 'planned'"
    )
    assert planned == [("email",)]  # the automated emails go on: the email may be right


def test_auto_replies_are_recorded_but_pause_nothing(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 1)
    sending.send(NOW)
    sending.twilio.add_inbound(
        PHONES[0],
        "I'm driving with Do Not Disturb While Driving turned on. I'll see your message when I get where I'm going.",
    )
    sending.send(NOW + timedelta(hours=5, minutes=10))
    assert len(sending.texts_to(PHONES[0])) == 2
    inbox = run("inbox", "--json")
    assert json.loads(inbox.stdout)[0]["kind"] == "auto-reply"


def test_unknown_senders_are_kept_in_the_inbox_and_our_own_texts_are_not_replies(
    sending: Sending,
) -> None:
    import_leads(sending.workspace, NOW, 1)
    sending.send(NOW)
    sending.twilio.add_inbound("+14155559999", "who is this?")
    result = run("sync", "--json", now=NOW + timedelta(minutes=3))
    assert result.exit_code == 0, result.output
    synced = json.loads(result.stdout)
    assert (
        synced["received"] == 1 and synced["unknown_senders"] == 1
    )  # our outbound text is not a reply
    again = run("sync", "--json", now=NOW + timedelta(minutes=4))
    assert json.loads(again.stdout)["received"] == 0  # de-duplicated by SID
    entries = json.loads(run("inbox", "--json").stdout)
    assert entries[0]["lead_id"] is None and entries[0]["body"] == "who is this?"


def test_florida_caps_calls_and_texts_at_three_a_day(sending: Sending) -> None:
    import_leads(sending.workspace, NOW - timedelta(hours=3), 1, state="FL")  # 10:00 in Miami
    with open_workspace(sending.workspace.root) as context:
        # Three calls logged from 09:00 in San Francisco (the 415 number's zone opens last).
        for minutes in (0, 10, 20):
            log_touch(
                context,
                PHONES[0],
                "call",
                "no-answer",
                "",
                NOW - timedelta(hours=1) + timedelta(minutes=minutes),
            )
    result = sending.send(NOW)
    texts = [item for item in result.items if item.channel == "text"]
    assert texts and texts[0].result == "held" and "3" in texts[0].reason
    assert sending.texts_to(PHONES[0]) == []
    # The cap lifts a day after the first call. By then the first text's wording ("I got your
    # request") is a day late: never sent; the day's own midday text goes in its place.
    lifted = sending.send(NOW + timedelta(days=1))
    assert [item.reason for item in lifted.items if item.channel == "text"] == [
        "first-contact wording (internet-lead/first-text) is never sent more than a day after "
        "the lead arrived"
    ]
    sending.send(NOW + timedelta(days=1, hours=2, minutes=15))
    (text,) = sending.texts_to(PHONES[0])
    assert "request" not in text


def test_consent_required_holds_texts_without_a_consent_record(sending: Sending) -> None:
    path = sending.workspace.settings_file
    path.write_text(
        path.read_text().replace(
            "require_consent_for_auto_text = false", "require_consent_for_auto_text = true"
        )
    )
    import_leads(sending.workspace, NOW, 1)
    with_consent = sending.workspace.root / "consented.csv"
    with_consent.write_text(
        "name,phone,state,lead_date,trustedform cert url\n"
        f"Cara Diaz,{PHONES[5]},CA,{NOW.isoformat()},https://cert.trustedform.com/abc123\n"
    )
    run("import", str(with_consent), now=NOW)
    result = sending.send(NOW)
    by_phone = {item.to: item for item in result.items if item.channel == "text"}
    assert by_phone[PHONES[0]].result == "held" and "consent" in by_phone[PHONES[0]].reason
    assert by_phone[PHONES[5]].result == "sent"


def test_compliance_report_lists_every_automated_text_with_the_rule(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 3)
    sending.send(NOW)
    result = run("compliance", "report", "--json", now=NOW + timedelta(hours=1))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["texts"]) == 3 and report["violations"] == 0
    assert all(t["allowed"] and t["states"] == "CA" for t in report["texts"])


STATES = ["CA", "FL", "TX", "NY", "WA", "OK", "MD", "AZ", "IN", "KY"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    state=st.sampled_from(STATES),
    minutes=st.integers(min_value=0, max_value=14 * 24 * 60),
    phone_index=st.integers(min_value=0, max_value=39),
)
def test_no_send_is_ever_allowed_outside_the_rules(
    sending: Sending, state: str, minutes: int, phone_index: int
) -> None:
    """Random leads, states and clocks: whatever the dry run would send is allowed right then."""
    moment = datetime(2026, 3, 1, 0, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    lead_file = sending.workspace.root / "one.csv"
    lead_file.write_text(
        f"name,phone,state,lead_date\nProp Lead,{PHONES[phone_index]},{state},{moment.isoformat()}\n"
    )
    run("import", str(lead_file), now=moment)
    with open_workspace(sending.workspace.root) as context:
        senders = configured_senders(context)
        try:
            send_run = SendRun(context, moment, senders, dry_run=True)
            result = send_run.run()
            for item in result.items:
                if item.result != "would-send" or item.channel != "text":
                    continue
                with context.database.reading() as connection:
                    from leadchase.store import leads as lead_store

                    lead = lead_store.get(connection, item.lead_id)
                assert lead is not None
                clock = send_run.followup.clock(lead, moment)
                assert clock.zones, "a text with no known zone must be held"
                assert check_moment(
                    moment, clock.zones, clock.states, send_run.followup.policy
                ).allowed
                for zone in clock.zones:
                    from zoneinfo import ZoneInfo

                    local = moment.astimezone(ZoneInfo(zone))
                    assert 8 <= local.hour < 21, (zone, local)
        finally:
            senders.close()


def test_today_json_lists_replies_first(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 1)
    sending.send(NOW)
    sending.twilio.clock = lambda: NOW + timedelta(minutes=30)
    sending.twilio.add_inbound(PHONES[0], "What rate could I get?")
    sending.send(NOW + timedelta(minutes=40))
    items = json.loads(run("today", "--json", now=NOW + timedelta(minutes=41)).stdout)
    assert (
        items[0]["channel"] == "reply" and items[0]["reason"] == "replied: What rate could I get?"
    )


def test_sync_without_twilio_says_what_to_set(workspace: Workspace) -> None:
    result = run("sync")
    assert result.exit_code == 1
    assert "Twilio is not configured" in result.stderr
    assert "TWILIO_ACCOUNT_SID" in result.stderr
