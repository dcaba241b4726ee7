"""What was seen in issue #10, each reproduced: the agenda, snooze, the calendar, log and send
all obey the one contact policy (compliance/policy.py through gate.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from leadchase.workspace import Workspace
from tests.conftest import PHONES, Sending, import_lead, query, run, run_json

# Monday 30 November 2026, 08:00 in New York: 05:00 on the West Coast.
EIGHT_EASTERN = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)
ARRIVED = EIGHT_EASTERN - timedelta(days=2, hours=-6)  # Saturday 11:00 Pacific, fresh


def _west_coast_lead(workspace: Workspace) -> int:
    return import_lead(workspace, ARRIVED, phone=PHONES[0], email="ann@example.com")


def test_a_west_coast_text_at_five_in_the_morning_waits_with_its_opening(
    workspace: Workspace,
) -> None:
    lead = _west_coast_lead(workspace)
    items = run_json("today", "--json", "--channel", "text", now=EIGHT_EASTERN)
    (item,) = [i for i in items if i["lead_id"] == lead]
    assert item["allowed_now"] is False
    assert "05:00 in America/Los_Angeles" in item["blocked_reason"]
    assert item["next_allowed_at"] == "2026-11-30T17:00:00+00:00"  # 09:00 Pacific
    screen = run("today", "--channel", "text", now=EIGHT_EASTERN).stdout
    assert "TEXT  (" not in screen  # not offered as work to do now
    assert "WAITING" in screen and "Mon Nov 30 9:00 AM PST" in screen


def test_calls_after_midnight_their_time_are_not_due_now(workspace: Workspace) -> None:
    _west_coast_lead(workspace)
    three_eastern = EIGHT_EASTERN - timedelta(hours=5) + timedelta(minutes=5)  # 00:05 Pacific
    items = run_json("today", "--json", "--channel", "call", now=three_eastern)
    assert items and all(item["allowed_now"] is False for item in items)
    assert all("00:05 in America/Los_Angeles" in item["blocked_reason"] for item in items)


def test_snoozing_to_a_date_lands_on_that_days_opening_and_so_does_the_calendar(
    workspace: Workspace, tmp_path: Path
) -> None:
    lead = _west_coast_lead(workspace)
    result = run("snooze", str(lead), "2026-12-02", now=EIGHT_EASTERN)
    assert result.exit_code == 0, result.output
    ((snoozed,),) = query(workspace, f"SELECT snoozed_until FROM lead WHERE id = {lead}")  # noqa: S608
    assert str(snoozed).startswith("2026-12-02 17:00:00")  # 09:00 Pacific, not midnight
    document = run_json("agenda", "--days", "4", "--json", now=EIGHT_EASTERN)
    starts = [event["start"] for event in document["events"] if event["lead_id"] == lead]
    assert starts and starts[0] == "2026-12-02T17:00:00+00:00"
    for start in starts:
        local = datetime.fromisoformat(start).astimezone(UTC) - timedelta(hours=8)
        assert 9 <= local.hour < 20


def _florida_lead(workspace: Workspace, at: datetime) -> int:
    return import_lead(
        workspace, at, phone="3055550142", email="fl@example.com", state="FL", zip_code="33101"
    )


def test_a_fourth_attempt_in_24_hours_to_a_florida_lead_waits_and_log_refuses_it(
    workspace: Workspace,
) -> None:
    morning = datetime(2026, 11, 30, 14, 30, tzinfo=UTC)  # 09:30 in Miami
    lead = _florida_lead(workspace, morning)
    for minutes in (0, 30, 60):
        result = run("log", str(lead), "call", now=morning + timedelta(minutes=minutes))
        assert result.exit_code == 0, result.output
    later = morning + timedelta(hours=5)
    waiting = [
        item
        for item in run_json("today", "--json", now=later)
        if item["lead_id"] == lead and item["channel"] in ("call", "text")
    ]
    assert waiting and all(item["allowed_now"] is False for item in waiting)
    assert {item["next_allowed_at"] for item in waiting} == {"2026-12-01T14:30:00+00:00"}
    refused = run("log", str(lead), "text", now=later)
    assert refused.exit_code == 1
    assert "Florida law allows 3 per rolling 24 h" in " ".join(refused.stderr.split())
    assert "--force" in refused.stderr
    forced = run("log", str(lead), "text", "--force", now=later)
    assert forced.exit_code == 0, forced.output
    events = query(workspace, f"SELECT kind FROM event WHERE lead_id = {lead}")  # noqa: S608
    assert ("forced",) in events


def test_log_against_an_opted_out_lead_is_refused_unless_forced(workspace: Workspace) -> None:
    start = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # 10:00 Pacific
    lead = _west_coast_lead(workspace)
    assert run("optout", str(lead), "--channel", "text", now=start).exit_code == 0
    refused = run("log", str(lead), "text", now=start)
    assert refused.exit_code == 1 and "not logged" in refused.stderr
    assert query(workspace, "SELECT count(*) FROM touch WHERE status = 'done'") == [(0,)]
    assert run("log", str(lead), "text", "--force", now=start).exit_code == 0
    assert run("log", str(lead), "call", now=start).exit_code == 0  # calls were not stopped


def test_a_lead_whose_zone_is_unknown_gets_nothing_automated_and_a_warning_by_hand(
    sending: Sending,
) -> None:
    noon = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    nowhere = sending.workspace.root / "tollfree.csv"
    nowhere.write_text(
        f"name,phone,email,lead_date\nTolly Free,(800) 555-0199,tolly@example.com,{noon.isoformat()}\n"
    )
    assert run("import", str(nowhere), now=noon).exit_code == 0
    result = sending.send(noon + timedelta(hours=8))  # past every step due that day
    assert sending.twilio.sent() == [] and sending.smtp.received == []
    held = [item for item in result.items if item.to in ("+18005550199", "tolly@example.com")]
    assert held and all(item.result == "held" for item in held)
    assert all("time zone unknown" in item.reason for item in held)
    (call,) = run_json("today", "--json", "--channel", "call", now=noon + timedelta(hours=8))
    assert call["allowed_now"] is True
    assert "time zone unknown" in call["warning"]


def test_an_aged_list_lead_without_consent_gets_its_texts_by_hand(sending: Sending) -> None:
    monday = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # 10:00 Pacific
    aged = monday - timedelta(days=200)
    import_lead(sending.workspace, monday, phone=PHONES[1], email="old@example.com", lead_date=aged)
    fresh = import_lead(sending.workspace, monday, phone=PHONES[2], email="new@example.com")
    result = sending.send(monday + timedelta(minutes=1))
    assert sending.texts_to(PHONES[1]) == []  # no consent on record, not a fresh inquiry
    assert len(sending.texts_to(PHONES[2])) == 1
    (handed,) = [item for item in result.items if item.to == PHONES[1]]
    assert "consent" in handed.reason
    texts = run_json("today", "--json", "--channel", "text", now=monday + timedelta(minutes=2))
    assert [item["phone"] for item in texts] == [PHONES[1]]  # now a task for the officer
    report = run_json("compliance", "report", "--json", now=monday + timedelta(hours=1))
    (audited,) = report["texts"]
    assert audited["lead_id"] == fresh and audited["allowed"] is True
    assert audited["basis"] == "fresh inquiry: the lead asked through a form"


def test_a_possible_opt_out_tops_today_and_resume_lets_texts_go_on(sending: Sending) -> None:
    monday = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
    lead = import_lead(sending.workspace, monday, phone=PHONES[3], email="maybe@example.com")
    sending.send(monday)
    sending.twilio.clock = lambda: monday + timedelta(minutes=4)
    sending.twilio.add_inbound(PHONES[3], "who gave you my number?")
    sending.send(monday + timedelta(minutes=5))
    items = run_json("today", "--json", now=monday + timedelta(minutes=6))
    assert items[0]["lead_id"] == lead and items[0]["kind"] == "possible-opt-out"
    screen = run("today", now=monday + timedelta(minutes=6)).stdout
    assert "OPT-OUT?" in screen and "read and decide" in screen
    assert run("resume", str(lead), now=monday + timedelta(minutes=7)).exit_code == 0
    assert query(sending.workspace, "SELECT count(*) FROM suppression WHERE lifted_at IS NULL") == [
        (0,)
    ]
    after = run_json("today", "--json", now=monday + timedelta(minutes=8))
    assert all(item.get("kind") != "possible-opt-out" for item in after)
