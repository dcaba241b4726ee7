"""Stages as data: the loan lifecycle from new to closed, stage checks, reasons, history, quiet leads."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from leadchase.cadence.schedule import plan
from leadchase.cadence.service import FollowUp
from leadchase.context import open_workspace
from leadchase.store import leads as lead_store
from leadchase.store import touches as touch_store
from leadchase.workspace import Workspace
from tests.conftest import (
    SF_MORNING,
    Sending,
    agenda_at,
    import_lead,
    log_touch_at,
    query,
    run,
    run_json,
)

SF = ZoneInfo("America/Los_Angeles")


def _at(day: str, hour: int = 10) -> datetime:
    """`day` at `hour` o'clock in San Francisco, in UTC."""
    return datetime.combine(date.fromisoformat(day), time(hour), SF).astimezone(UTC)


def _moved(lead: int, stage: str, now: datetime, *extra: str) -> None:
    result = run("stage", str(lead), stage, *extra, now=now)
    assert result.exit_code == 0, result.output


@pytest.mark.both_backends
def test_a_lead_walks_to_closed_and_its_past_client_touches_fall_on_their_days(
    workspace: Workspace,
) -> None:
    lead = import_lead(workspace, SF_MORNING)
    assert run("set", str(lead), "birthday=9/15/1985", now=SF_MORNING).exit_code == 0
    _moved(lead, "contacted", _at("2026-03-03"))
    _moved(lead, "Pre-Approved", _at("2026-03-10"))
    _moved(lead, "under contract", _at("2026-04-13"))
    closed_at = _at("2026-05-11")  # a Monday
    _moved(lead, "closed", closed_at)
    with open_workspace(workspace.root) as context:
        followup = FollowUp.load(context.settings)
        with context.database.reading() as connection:
            found = lead_store.get(connection, lead)
            assert found is not None
            history = lead_store.stage_changes(connection, lead)
            open_touches = {t.channel: t for t in touch_store.open_touches(connection, lead)}
    assert [(c.from_stage, c.to_stage) for c in history] == [
        ("new", "contacted"),
        ("contacted", "pre-approved"),
        ("pre-approved", "under-contract"),
        ("under-contract", "closed"),
    ]
    assert found.closing_date == date(2026, 5, 11)  # closing recorded the day it closed
    assert (found.cadence, found.cadence_started_at) == ("closed", closed_at)

    schedule = plan(followup.require("closed"), followup.clock(found, closed_at), followup.policy)
    days = {
        (s.touch.template or s.touch.say or "", s.due_at.astimezone(SF).date()) for s in schedule
    }
    expected = {
        ("closed/thank-you-text", date(2026, 5, 11)),
        ("closed/review-ask-text", date(2026, 6, 9)),  # day 30
        ("closed/anniversary-text", date(2027, 5, 11)),
        ("closed/equity-email", date(2028, 5, 11)),  # then every year on the anniversary
        ("closed/equity-email", date(2029, 5, 11)),
        ("closed/birthday-text", date(2026, 9, 15)),
        ("closed/birthday-text", date(2027, 9, 15)),
    }
    assert expected <= days
    anniversary_call = [s for s in schedule if s.touch.channel == "call"]
    assert [s.due_at.astimezone(SF).date() for s in anniversary_call] == [date(2027, 5, 11)]
    # Every touch inside the lead's hours (09:00-20:00 their time); past birthdays are not owed.
    for scheduled in schedule:
        local = scheduled.due_at.astimezone(SF).time()
        assert time(9) <= local < time(20), scheduled
    assert min(s.due_at for s in schedule if s.touch.anchor == "birthday").year == 2026
    # The database holds each channel's next touch: the thank-you, the anniversary call and the
    # first equity email, on the same days the plan gives.
    assert open_touches["text"].template == "closed/thank-you-text"
    assert open_touches["call"].due_at.astimezone(SF).date() == date(2027, 5, 11)
    assert open_touches["call"].step_key == "closing_date+1y-call-1"
    assert open_touches["email"].due_at.astimezone(SF).date() == date(2028, 5, 11)
    # A closed lead stays closed: its campaign is its own, never nurture.
    log_touch_at(workspace, str(lead), "text", _at("2026-05-11", 11))
    assert query(workspace, "SELECT stage FROM lead") == [("closed",)]


def test_a_lead_without_a_birthday_gets_no_birthday_touch(workspace: Workspace) -> None:
    lead = import_lead(workspace, SF_MORNING)
    _moved(lead, "closed", _at("2026-03-03"), "--on", "2026-03-02")
    with open_workspace(workspace.root) as context:
        followup = FollowUp.load(context.settings)
        with context.database.reading() as connection:
            found = lead_store.get(connection, lead)
    assert found is not None and found.closing_date == date(2026, 3, 2)
    schedule = plan(
        followup.require("closed"),
        followup.clock(found, found.cadence_started_at or SF_MORNING),
        followup.policy,
    )
    assert not [s for s in schedule if s.touch.anchor == "birthday"]
    # A birthday learned later is planned at once, on its day.
    assert run("set", str(lead), "birthday=1980-03-20", now=_at("2026-03-04")).exit_code == 0
    with open_workspace(workspace.root) as context, context.database.reading() as connection:
        texts = [t for t in touch_store.open_touches(connection, lead) if t.channel == "text"]
    assert [(t.template, t.due_at.astimezone(SF).date()) for t in texts] == [
        ("closed/birthday-text", date(2026, 3, 20))
    ]
    review = next(s for s in schedule if s.touch.template == "closed/review-ask-text")
    assert review.due_at.astimezone(SF).date() == date(2026, 3, 31)  # day 30 from --on


def test_stage_names_are_checked_against_stages_yaml(workspace: Workspace) -> None:
    lead = import_lead(workspace, SF_MORNING)
    typo = run("stage", str(lead), "pre-aproved", now=SF_MORNING)
    assert typo.exit_code == 1
    assert "unknown stage 'pre-aproved'; did you mean pre-approved?" in typo.output
    listed = run("leads", "--stage", "Under Contract", now=SF_MORNING)
    assert listed.exit_code == 0, listed.output
    bad_filter = run("leads", "--stage", "wun", now=SF_MORNING)
    assert bad_filter.exit_code == 1 and "unknown stage 'wun'" in bad_filter.output
    # A stage the workspace adds to its stages.yaml is a stage like any other.
    stages = workspace.cadences_dir / "stages.yaml"
    stages.write_text(
        stages.read_text() + "appraisal:\n  cadence: none\n  meaning: waiting\n", encoding="utf-8"
    )
    _moved(lead, "Appraisal", SF_MORNING)
    assert query(workspace, "SELECT stage FROM lead") == [("appraisal",)]


def test_lost_needs_a_reason_from_its_list(workspace: Workspace) -> None:
    lead = import_lead(workspace, SF_MORNING)
    missing = run("stage", str(lead), "lost", now=SF_MORNING)
    assert missing.exit_code == 1
    assert "lost needs a reason: add --reason with one of rate, competitor" in missing.output
    wrong = run("stage", str(lead), "lost", "--reason", "competiter", now=SF_MORNING)
    assert wrong.exit_code == 1 and "did you mean competitor?" in wrong.output
    assert query(workspace, "SELECT stage FROM lead") == [("new",)]
    moved = run("stage", str(lead), "lost", "--reason", "Not-Ready", now=SF_MORNING)
    assert moved.exit_code == 0 and "is now lost (not ready)" in moved.output


def test_stage_history_keeps_when_who_and_why(workspace: Workspace) -> None:
    lead = import_lead(workspace, SF_MORNING)
    later = SF_MORNING + timedelta(days=3)
    _moved(lead, "lost", later, "--reason", "rate", "--note", "went with their bank", "--on",
           "2026-03-04")  # fmt: skip
    rows = query(
        workspace,
        "SELECT from_stage, to_stage, reason, note, moved_by, at, recorded_at FROM stage_change",
    )
    assert [row[:5] for row in rows] == [("new", "lost", "rate", "went with their bank", "you")]
    happened, recorded = (datetime.fromisoformat(str(v)).replace(tzinfo=UTC) for v in rows[0][5:])
    assert happened == _at("2026-03-04", 9)  # the opening of their hours that day
    assert recorded == later
    shown = run("show", str(lead), "--json", now=later)
    assert "stage: new -> lost (rate; went with their bank)" in shown.output
    future = run("stage", str(lead), "nurture", "--on", "2026-04-01", now=later)
    assert future.exit_code == 1 and "in the future" in future.output


def test_lost_comes_back_at_90_days_then_rests_in_nurture(workspace: Workspace) -> None:
    lead = import_lead(workspace, SF_MORNING)
    _moved(lead, "lost", SF_MORNING, "--reason", "credit")
    with open_workspace(workspace.root) as context, context.database.reading() as connection:
        dues = {t.channel: t.due_at for t in touch_store.open_touches(connection, lead)}
    assert {c: d.astimezone(SF).date() for c, d in dues.items()} == {
        "call": date(2026, 5, 30),  # day 90
        "text": date(2026, 5, 30),
    }
    back = _at("2026-05-30", 12)
    log_touch_at(workspace, str(lead), "call", back, "talked")
    log_touch_at(workspace, str(lead), "text", back + timedelta(minutes=5))
    assert query(workspace, "SELECT stage, cadence FROM lead") == [("nurture", "nurture")]


def test_engaged_leads_that_go_quiet_rest_in_nurture(workspace: Workspace) -> None:
    quiet = import_lead(workspace, SF_MORNING)
    talking = import_lead(workspace, SF_MORNING, phone="4155552672", email="bo@example.com")
    for lead in (quiet, talking):
        _moved(lead, "engaged", SF_MORNING)
    with open_workspace(workspace.root) as context, context.database.writing() as connection:
        lead_store.update_lead(connection, talking, {"replied_at": SF_MORNING + timedelta(days=10)})
    agenda_at(workspace, SF_MORNING + timedelta(days=20))
    assert query(workspace, "SELECT stage FROM lead ORDER BY id") == [("engaged",), ("engaged",)]
    agenda_at(workspace, SF_MORNING + timedelta(days=22))
    assert query(workspace, "SELECT stage FROM lead ORDER BY id") == [("nurture",), ("engaged",)]
    assert query(workspace, "SELECT lead_id, note, moved_by FROM stage_change WHERE "
                 "to_stage = 'nurture'") == [(quiet, "no reply for 21 days", "quiet")]  # fmt: skip


@pytest.mark.both_backends
def test_a_logged_outcome_and_a_reply_say_who_moved_the_lead(sending: Sending) -> None:
    workspace = sending.workspace
    talked = import_lead(workspace, SF_MORNING)
    replied = import_lead(workspace, SF_MORNING, phone="4155552672", email="bo@example.com")
    log_touch_at(workspace, str(talked), "call", SF_MORNING + timedelta(minutes=5), "talked")
    sending.twilio.add_inbound("+14155552672", "Yes, call me after 5")
    sending.send(SF_MORNING + timedelta(minutes=10))
    moves = query(
        workspace, "SELECT lead_id, from_stage, to_stage, moved_by FROM stage_change ORDER BY id"
    )
    assert moves == [(talked, "new", "contacted", "you"), (replied, "new", "engaged", "reply")]


def test_a_past_clients_anniversary_touches_say_which_date_they_are_on(
    workspace: Workspace,
) -> None:
    """Touches counted from a date of the lead are on no day of the cadence: `show` names the
    anniversary ("1st anniversary of closing"), never "day 0"."""
    lead = import_lead(workspace, SF_MORNING)
    assert run("set", str(lead), "birthday=9/15/1985", now=SF_MORNING).exit_code == 0
    _moved(lead, "closed", _at("2026-03-03"), "--on", "2026-03-02")
    now = _at("2026-03-04")
    shown = run_json("show", str(lead), now=now)["timeline"]
    ahead = {e["text"] for e in shown if e["kind"] in ("due", "planned")}
    assert not [text for text in ahead if text.startswith("day 0")], ahead
    assert "1st anniversary of closing auto closed/anniversary-text" in ahead
    assert "2nd anniversary of closing auto closed/equity-email" in ahead
    assert "birthday auto closed/birthday-text" in ahead
    assert "day 30 auto closed/review-ask-text" in ahead  # a day of the cadence keeps its number
    printed = run("show", str(lead), now=now)
    assert printed.exit_code == 0, printed.output
    assert "day 0" not in printed.output
    assert "1st anniversary of closing" in printed.output


def test_every_display_of_an_anniversary_touch_names_it(workspace: Workspace) -> None:
    """`cadence preview`, `today` and the touches export say which date of the lead a touch
    is on, from the same words as `show`; the number `day` stays 0 where it was."""
    lead = import_lead(workspace, SF_MORNING)
    assert run("set", str(lead), "birthday=9/15/1985", now=SF_MORNING).exit_code == 0
    _moved(lead, "closed", _at("2026-03-03"), "--on", "2026-03-02")
    preview = run_json("cadence", "preview", str(lead), now=_at("2026-03-04"))
    steps = {(t["step"], t["day"], t["detail"]) for t in preview["touches"]}
    assert ("1st anniversary of closing", 0, "closed/anniversary-text") in steps
    assert ("birthday", 0, "closed/birthday-text") in steps
    assert ("day 30", 30, "closed/review-ask-text") in steps
    # Two birthdays fall in the preview's two years: asked for two, not for a hundred.
    counts = {d["step"]: (d["asked"]["text"], d["made"]["text"]) for d in preview["days"]}
    assert counts["birthday"] == (2, 2)
    assert counts["1st anniversary of closing"] == (1, 1)
    assert counts["day 30"] == (1, 1)
    printed = run("cadence", "preview", str(lead), now=_at("2026-03-04"))
    assert printed.exit_code == 0, printed.output
    assert "1st anniversary of closing" in printed.output
    # On the anniversary, late in the day: the call task says what it is for.
    agenda = run_json("today", now=_at("2027-03-02", 15))
    (call,) = [item for item in agenda if item["channel"] == "call"]
    assert call["reason"].startswith("1st anniversary of closing call, "), call["reason"]
    result = run("export", "touches", "--format", "json", now=_at("2026-03-04"))
    assert result.exit_code == 0, result.output
    exported = json.loads(result.stdout)
    planned = {(t["step_key"], t["day"], t["step"]) for t in exported if t["status"] == "planned"}
    assert ("closing_date+1y-call-1", 0, "1st anniversary of closing") in planned
    assert ("d1-text-1", 1, "day 1") in planned
