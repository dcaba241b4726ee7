"""When a cadence's touches fall: attempts carried within their day, spacing, spread, expiry.

Each test here started as something seen with the reference cadence (internet-lead) and an
officer who does not work every task the minute it comes due.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from leadchase.cadence import load_cadences
from leadchase.cadence.model import LeadClock
from leadchase.cadence.schedule import jitter_minutes, plan
from leadchase.cadence.service import FollowUp
from leadchase.compliance.windows import ContactPolicy
from leadchase.context import open_workspace
from leadchase.store import leads as lead_store
from leadchase.workspace import Workspace
from tests.conftest import (
    PHONES,
    PROJECT,
    Sending,
    agenda_at,
    import_lead,
    import_leads,
    log_touch_at,
    make_cadence_folder,
    query,
    run,
    run_json,
)
from tests.officer import ONCE_AT_FIVE, PACIFIC, WHEN_DUE, Arrival, day_counts, simulate

TUESDAY = date(2026, 3, 3)
MONDAY_NOON = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # noon in Miami, the day before


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PACIFIC)


def _local(stored: str) -> datetime:
    return datetime.fromisoformat(stored).replace(tzinfo=UTC).astimezone(PACIFIC)


def _local_date(stored: str) -> date:
    return _local(stored).date()


def _arrival(hour: int, minute: int, n: int = 0) -> Arrival:
    return Arrival(_at(TUESDAY, hour, minute), PHONES[n], f"lead{n}@example.com")


def test_a_once_a_day_officer_loses_no_attempt_without_a_word(sending: Sending) -> None:
    """Checking once at 17:00, the day's second attempts cannot all be made: each one that is
    not made is on the lead's record as skipped, with the reason."""
    worked = simulate(sending, ONCE_AT_FIVE, [_arrival(10, 2)], TUESDAY + timedelta(days=1))
    (lead,) = worked.leads
    day_one_two = {
        f"d{day}-{channel}-{n}"
        for day, counts in ((1, (2, 2, 2)), (2, (2, 1, 1)))
        for channel, count in zip(("call", "text", "email"), counts, strict=True)
        for n in range(1, count + 1)
    }
    assert day_one_two <= worked.settled[lead], sorted(day_one_two - worked.settled[lead])
    assert worked.skipped, "the 17:00 officer cannot make two calls on day 1"


def test_a_lead_arriving_at_2030_keeps_day_1_apart_from_day_2(sending: Sending) -> None:
    """Arriving after the window closed, day 1 is the next day, and day 2 the one after."""
    worked = simulate(sending, WHEN_DUE, [_arrival(20, 30)], TUESDAY + timedelta(days=3))
    (lead,) = worked.leads
    assert day_counts(worked, lead, (1, 2, 3)) == {1: (2, 2, 2), 2: (2, 1, 1), 3: (1, 1, 1)}
    made = query(
        sending.workspace,
        "SELECT day, done_at FROM touch WHERE status IN ('done', 'sent') AND day = 1",
    )
    local_days = {_local_date(at) for _, at in made}
    assert local_days == {TUESDAY + timedelta(days=1)}


def test_after_a_1930_arrival_the_second_text_waits_the_minimum_gap(sending: Sending) -> None:
    worked = simulate(sending, WHEN_DUE, [_arrival(19, 30)], TUESDAY + timedelta(days=1))
    assert len(worked.leads) == 1
    sent = sorted(
        datetime.fromisoformat(at).replace(tzinfo=UTC)
        for (at,) in query(
            sending.workspace,
            "SELECT done_at FROM touch WHERE channel = 'text' AND status = 'sent'",
        )
    )
    # Speed to lead: the first text at arrival (the send run's clock moves on while it sends).
    assert timedelta(0) <= sent[0] - _at(TUESDAY, 19, 30) < timedelta(seconds=5)
    assert len(sent) >= 2 and sent[1] - sent[0] >= timedelta(hours=3)


def test_touches_of_one_day_are_spread_not_all_at_the_window_opening(sending: Sending) -> None:
    lead_id = import_lead(sending.workspace, _at(TUESDAY, 10, 2).astimezone(UTC))
    with open_workspace(sending.workspace.root) as context:
        followup = FollowUp.load(context.settings)
        with context.database.reading() as connection:
            lead = lead_store.get(connection, lead_id)
    assert lead is not None and lead.cadence_started_at is not None
    cadence = followup.require("internet-lead")
    scheduled = plan(cadence, followup.clock(lead, lead.cadence_started_at), followup.policy)
    for day in range(2, 11):
        dues = [s.due_at for s in scheduled if s.touch.day == day]
        assert len(set(dues)) == len(dues), f"day {day}: two touches in the same minute"
        assert min(dues).astimezone(PACIFIC).second == 0
        first_of: dict[str, datetime] = {}
        for s in scheduled:
            if s.touch.day == day:
                first_of.setdefault(s.touch.channel, s.due_at)
        assert len({due.astimezone(PACIFIC).hour for due in first_of.values()}) == 3, day


def test_the_first_text_never_goes_out_two_years_late(sending: Sending) -> None:
    import_lead(sending.workspace, _at(TUESDAY, 10, 2).astimezone(UTC))
    later = _at(TUESDAY + timedelta(days=730), 11, 0).astimezone(UTC)
    result = sending.send(later)
    assert not any("request" in body for body in sending.texts_to("+14155552671"))
    skipped = [item for item in result.items if item.result == "skipped"]
    assert skipped and all(item.reason for item in skipped)
    rows = query(
        sending.workspace,
        "SELECT step_key, status, outcome FROM touch WHERE step_key = 'd1-text-1'",
    )
    assert rows and rows[0][1] == "skipped" and rows[0][2]


# -- cadence preview: the schedule as it would be met, with its day-by-day counts -------------


def _preview(*args: str) -> dict[str, Any]:
    document: dict[str, Any] = run_json(
        "cadence", "preview", "--cadence", "internet-lead", *args, now=MONDAY_NOON
    )
    return document


def _made_by_day(document: dict[str, Any]) -> dict[int, tuple[int, ...]]:
    return {
        day["day"]: tuple(day["made"][c] for c in ("call", "text", "email"))
        for day in document["days"]
        if day["day"] <= 10
    }


def _asked_by_day(document: dict[str, Any]) -> dict[int, tuple[int, ...]]:
    return {
        day["day"]: tuple(day["asked"][c] for c in ("call", "text", "email"))
        for day in document["days"]
        if day["day"] <= 10
    }


def test_preview_of_a_late_arrival_in_florida_keeps_the_playbook_counts(
    workspace: Workspace,
) -> None:
    """Tue 19:30 in Miami: the first call and text at once, the rest of day 1 on Wednesday,
    Florida's three calls and texts per 24 h respected, every day's count as asked."""
    document = _preview("--state", "FL", "--arrive", "Tue 19:30")
    eastern = ZoneInfo("America/New_York")
    arrival = datetime(2026, 3, 3, 19, 30, tzinfo=eastern)
    assert datetime.fromisoformat(document["arrival"]) == arrival
    touches = document["touches"]
    at_once = [t["channel"] for t in touches if datetime.fromisoformat(t["due"]) == arrival]
    assert sorted(at_once) == ["call", "text"]
    day_one = {
        datetime.fromisoformat(t["due"]).astimezone(eastern).date()
        for t in touches
        if t["day"] == 1 and datetime.fromisoformat(t["due"]) != arrival
    }
    assert day_one == {date(2026, 3, 4)}
    assert _made_by_day(document) == _asked_by_day(document)
    made = sorted(datetime.fromisoformat(t["due"]) for t in touches if t["channel"] != "email")
    for n, moment in enumerate(made):  # never four calls and texts in 24 hours
        assert sum(1 for m in made[n:] if m - moment < timedelta(hours=24)) <= 3


def test_preview_shows_what_is_skipped_and_why(workspace: Workspace) -> None:
    """Tue 16:45 in Miami: the cap holds day 1's second text until it has expired."""
    document = _preview("--state", "FL", "--arrive", "Tue 16:45")
    skipped = [t for t in document["touches"] if t["status"] == "skipped"]
    assert skipped and all(t["reason"] for t in skipped)
    assert skipped[0]["day"] == 1 and skipped[0]["channel"] == "text"
    assert skipped[0]["reason"].startswith("expired at Wed Mar 4 12:")
    assert _made_by_day(document)[1] == (2, 1, 2)
    shown = run(
        "cadence", "preview", "--cadence", "internet-lead", "--state", "FL",
        "--arrive", "Tue 16:45", now=MONDAY_NOON,
    ).stdout  # fmt: skip
    assert "skipped: expired at Wed Mar 4 12:" in " ".join(shown.split())
    assert "Made each day, of what the cadence asks:" in shown
    counts = shown.split("Made each day, of what the cadence asks:", 1)[1].splitlines()
    day_one = next(line.split() for line in counts if line.split()[:1] == ["1"])
    assert day_one == ["1", "2", "1", "of", "2", "2"]


def test_preview_arrival_must_be_a_time_and_a_made_up_lead(workspace: Workspace) -> None:
    wrong = run("cadence", "preview", "--cadence", "internet-lead", "--arrive", "soonish")
    assert wrong.exit_code != 0
    assert "--arrive 'soonish' is not a time; use e.g. 'Tue 19:30'" in wrong.stderr
    lead = import_lead(workspace, MONDAY_NOON)
    real = run("cadence", "preview", str(lead), "--arrive", "Tue 19:30")
    assert real.exit_code != 0 and "--arrive is for a made-up lead" in real.stderr


def test_the_agenda_knows_how_many_of_a_channel_the_day_still_asks_for(
    workspace: Workspace,
) -> None:
    arrival = _at(TUESDAY, 10, 2).astimezone(UTC)
    lead = import_lead(workspace, arrival)
    (call,) = run_json("today", "--channel", "call", now=arrival + timedelta(minutes=1))
    assert call["owed_today"] == 2  # this call and one more today
    log_touch_at(workspace, str(lead), "call", arrival + timedelta(minutes=1))
    (second,) = agenda_at(workspace, _at(TUESDAY, 16, 0).astimezone(UTC), ("call",)).items
    assert second.owed_today == 1  # the last one of the day


def test_a_new_min_gap_reaches_the_leads_already_on_the_cadence(workspace: Workspace) -> None:
    arrival = _at(TUESDAY, 10, 2).astimezone(UTC)
    lead = import_lead(workspace, arrival)
    agenda_at(workspace, arrival)  # records the cadence as it was
    log_touch_at(workspace, str(lead), "call", arrival + timedelta(minutes=1))
    (due,) = query(
        workspace, "SELECT due_at FROM touch WHERE status = 'planned' AND channel = 'call'"
    )
    path = workspace.cadences_dir / "internet-lead.yaml"
    path.write_text(path.read_text().replace("min_gap: 3h ", "min_gap: 6h "))
    agenda_at(workspace, arrival + timedelta(minutes=2))  # today re-plans after an edit
    (moved,) = query(
        workspace, "SELECT due_at FROM touch WHERE status = 'planned' AND channel = 'call'"
    )
    assert _local(due[0]) < _at(TUESDAY, 16, 0) <= _local(moved[0])  # 6 h after 10:03


def test_a_step_that_waited_past_its_expiry_is_skipped_not_sent_late(sending: Sending) -> None:
    """No send run from Tuesday's arrival until Thursday afternoon: Tuesday's second text and
    Wednesday's text are not sent late; each is on the record with why; Thursday's is next."""
    arrival = _at(TUESDAY, 10, 2).astimezone(UTC)
    lead = import_lead(sending.workspace, arrival)
    sending.send(arrival)
    (first,) = sending.texts_to("+14155552671")
    thursday = _at(TUESDAY + timedelta(days=2), 13, 0).astimezone(UTC)
    result = sending.send(thursday)
    (late,) = [item for item in result.items if item.channel == "text"]
    assert late.result == "skipped"
    assert late.reason.startswith("expired at Wed Mar 4 12:0")  # day 2's text was due then
    assert sending.texts_to("+14155552671") == [first]
    texts = query(
        sending.workspace,
        f"SELECT step_key, status, outcome FROM touch WHERE lead_id = {lead} "  # noqa: S608
        "AND channel = 'text' ORDER BY id",
    )
    assert [(key, status) for key, status, _ in texts] == [
        ("d1-text-1", "sent"),
        ("d1-text-2", "skipped"),
        ("d2-text-1", "skipped"),
        ("d3-text-1", "planned"),
    ]
    assert texts[2][2] == "not made on day 2: their hours that day ended Wed Mar 4 8:00 PM PST"
    shown = run("show", str(lead)).stdout
    assert "skipped: expired at Wed Mar 4 12:0" in " ".join(shown.split())


def test_each_lead_gets_its_own_few_minutes_on_the_same_step(workspace: Workspace) -> None:
    start = _at(TUESDAY, 10, 2).astimezone(UTC)
    import_leads(workspace, start, 20)
    with open_workspace(workspace.root) as context:
        followup = FollowUp.load(context.settings)
        with context.database.reading() as connection:
            leads = [lead_store.get(connection, n) for n in range(1, 21)]
    cadence = followup.require("internet-lead")
    minutes = set()
    for lead in leads:
        assert lead is not None and lead.cadence_started_at is not None
        clock = followup.clock(lead, lead.cadence_started_at)
        (call,) = [s for s in plan(cadence, clock, followup.policy) if s.step_key == "d3-call-1"]
        again = [s for s in plan(cadence, clock, followup.policy) if s.step_key == "d3-call-1"]
        assert again == [call]  # the same every time it is worked out
        local = call.due_at.astimezone(PACIFIC)
        assert (local.hour, local.second) == (9, 0) and local.minute < 10
        minutes.add(local.minute)
    assert len(minutes) >= 5


def test_a_late_arrival_in_california_previews_two_of_each_on_its_day_1(
    workspace: Workspace,
) -> None:
    document = _preview("--state", "CA", "--arrive", "Tue 20:30")
    assert _made_by_day(document) == _asked_by_day(document)
    local_days = {
        datetime.fromisoformat(t["due"]).astimezone(PACIFIC).date()
        for t in document["touches"]
        if t["day"] == 1
    }
    assert local_days == {TUESDAY + timedelta(days=1)}  # nothing on the evening it arrived


def test_expires_after_and_times_of_day_from_the_file(tmp_path: Path) -> None:
    folder = make_cadence_folder(
        tmp_path,
        {
            "demo.yaml": """\
                automated: [text]
                min_gap: 90m
                steps:
                  - day: 2
                    text: {count: 2, at: [midday, evening], expires_after: 1h}
                  - day: 3
                    call: {at: afternoon}
                """
        },
    )
    loaded = load_cadences(folder)
    assert loaded.problems == ()
    cadence = loaded.cadences["demo"]
    assert cadence.min_gap == timedelta(minutes=90)
    texts = [t for t in cadence.touches() if t.channel == "text"]
    assert [t.at for t in texts] == [time(12), time(18)]
    assert {t.expires_after for t in texts} == {timedelta(hours=1)}
    start = _at(TUESDAY, 10, 2)
    clock = LeadClock(start, "America/Los_Angeles", ("America/Los_Angeles",), ("CA",), seed=7)
    scheduled = plan(cadence, clock, ContactPolicy())
    for s in scheduled:
        if s.touch.channel == "text":
            assert s.expires_at == s.due_at - timedelta(
                minutes=jitter_minutes(7, s.step_key)
            ) + timedelta(hours=1)
        else:
            assert s.expires_at is None  # a call is a task: it never expires
    local = [s.due_at.astimezone(PACIFIC) for s in scheduled]
    assert [(moment.day, moment.hour) for moment in local] == [(4, 12), (4, 18), (5, 15)]


def test_the_preview_in_the_docs_is_what_the_command_prints(workspace: Workspace) -> None:
    docs = (PROJECT / "docs" / "cadences.md").read_text(encoding="utf-8")
    command = 'leadchase cadence preview --cadence internet-lead --state FL --arrive "Tue 16:45"'
    assert f"    {command}\n" in docs
    shown = docs.split("meets\nFlorida's three calls and texts per 24 hours:\n\n```text\n", 1)[1]
    shown = shown.split("```", 1)[0]
    output = run(
        "cadence", "preview", "--cadence", "internet-lead", "--state", "FL",
        "--arrive", "Tue 16:45", now=MONDAY_NOON, env={"COLUMNS": "100"},
    ).stdout  # fmt: skip
    lines = output.splitlines()
    parts = [part.splitlines() for part in shown.split("  …\n") if part.strip()]
    assert len(parts) == 2
    for block in parts:  # each part between the trims is printed as it is
        start = lines.index(block[0])
        assert lines[start : start + len(block)] == block
