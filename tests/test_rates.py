"""Rate-drop alerts: `rates set` records the day's rates and plans, for each past client and
nurture lead far enough above them, one call task then one text that goes out through the
normal send run with the estimated saving; never twice for one rate move or in 90 days."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import pytest

from leadchase.context import open_workspace
from leadchase.daemon import DaemonPasses, plan_daemon
from leadchase.rates.service import plan_if_changed
from leadchase.workspace import Workspace
from tests.conftest import PHONES, SF_MORNING, Sending, import_lead, query, run, run_json

RATES_DAY = SF_MORNING + timedelta(days=1)  # Tuesday 10:00 in San Francisco


def _client(
    workspace: Workspace, phone: str, stage: str = "closed", note_rate: str = "7.25"
) -> int:
    """A lead who closed a $300,000 30-year loan at `note_rate`, now in `stage`."""
    lead = import_lead(workspace, SF_MORNING, phone=phone, email=f"{phone[-4:]}@example.com")
    fields = [f"note_rate={note_rate}", "loan_amount=$300,000", "loan_term_years=30"]
    assert run("set", str(lead), *fields, now=SF_MORNING).exit_code == 0
    assert run("stage", str(lead), stage, now=SF_MORNING).exit_code == 0
    return lead


def _rate_drop_touches(workspace: Workspace, lead: int) -> list[tuple[Any, ...]]:
    where = f"lead_id = {lead} AND cadence = 'rate-drop'"
    return query(
        workspace,
        f"SELECT channel, automated, status, due_at FROM touch WHERE {where} ORDER BY due_at",  # noqa: S608
    )


def _due(row: tuple[Any, ...]) -> datetime:
    return datetime.fromisoformat(str(row[3])).replace(tzinfo=SF_MORNING.tzinfo)


def test_a_rate_drop_plans_one_call_then_one_text_with_the_saving(sending: Sending) -> None:
    workspace = sending.workspace
    client = _client(workspace, PHONES[0])
    result = run_json("rates", "set", "30yr=6.125", "15yr=5.5", now=RATES_DAY)
    assert [alert["lead_id"] for alert in result["planned"]] == [client]
    assert result["planned"][0]["monthly_saving"] == 224  # $2,046.53 - $1,822.83
    touches = _rate_drop_touches(workspace, client)
    assert [(channel, bool(auto), status) for channel, auto, status, _ in touches] == [
        ("call", False, "planned"),
        ("text", True, "planned"),
    ]
    call, text = touches
    assert _due(call) < _due(text)
    # The call task is on the agenda with the numbers to talk about.
    tasks = {item["channel"]: item for item in run_json("today", now=_due(call))}
    assert tasks["call"]["lead_id"] == client
    assert (
        "7.25% vs 30-year at 6.125% today, about $224 a month less" in tasks["call"]["suggestion"]
    )

    # The text goes out through the send run, to the fake Twilio, with the saving in it.
    sent = sending.send(_due(text) + timedelta(minutes=1))
    where = f"lead_id = {client} AND cadence = 'rate-drop' AND channel = 'text'"
    ((text_id,),) = query(workspace, f"SELECT id FROM touch WHERE {where}")  # noqa: S608
    results = {item.touch_id: item.result for item in sent.items}
    assert results.pop(text_id) == "sent"
    # The closed cadence's own day-1 thank-you, two days late by now, is skipped, not sent.
    others = [
        (cadence, template, results[touch_id])
        for touch_id, cadence, template in query(
            workspace, "SELECT id, cadence, template FROM touch"
        )
        if touch_id in results
    ]
    assert others == [("closed", "closed/thank-you-text", "skipped")]
    (body,) = sending.texts_to(PHONES[0])
    assert "$224" in body and "6.125%" in body

    # Rates set again the same week, lower still or the same: nothing more for this lead.
    for rates in (["30yr=6.0"], ["30yr=6.125"]):
        later = RATES_DAY + timedelta(days=2)
        assert run_json("rates", "set", *rates, now=later)["planned"] == []
    assert len(_rate_drop_touches(workspace, client)) == 2
    assert len(sending.twilio.sent()) == 1
    events = query(workspace, f"SELECT detail FROM event WHERE lead_id = {client}")  # noqa: S608
    events = [detail for (detail,) in events if detail.startswith("Rate drop")]
    assert len(events) == 1


def test_who_qualifies_under_the_margin_nurture_and_opted_out(sending: Sending) -> None:
    workspace = sending.workspace
    under = _client(workspace, PHONES[1], note_rate="6.75")  # 0.625 above: under 0.75
    nurture = _client(workspace, PHONES[2], stage="nurture")
    opted_out = _client(workspace, PHONES[3])
    assert run("optout", str(opted_out), "--channel", "text", now=SF_MORNING).exit_code == 0
    other_term = _client(workspace, PHONES[4])
    assert run("set", str(other_term), "loan_term_years=15", now=SF_MORNING).exit_code == 0
    planned = run_json("rates", "set", "30yr=6.125", now=RATES_DAY)["planned"]
    assert sorted(alert["lead_id"] for alert in planned) == sorted([nurture, opted_out])
    assert _rate_drop_touches(workspace, under) == []
    assert _rate_drop_touches(workspace, other_term) == []  # no 15yr rate set yet
    assert [row[0] for row in _rate_drop_touches(workspace, opted_out)] == ["call"]
    nurture_touches = _rate_drop_touches(workspace, nurture)
    assert [row[0] for row in nurture_touches] == ["call", "text"]

    sending.send(_due(nurture_touches[1]) + timedelta(minutes=1))
    assert sending.texts_to(PHONES[3]) == []
    (body,) = sending.texts_to(PHONES[2])
    assert "$224" in body
    # The nurture cadence goes on beside it: still exactly one open nurture text.
    sql = f"SELECT cadence, channel, status FROM touch WHERE lead_id = {nurture}"  # noqa: S608
    touches = query(workspace, sql)
    assert [row[0] for row in touches if row[1:] == ("text", "planned")] == ["nurture"]

    # The 15-year rate arrives: the 15-year client qualifies, the others were told already.
    planned = run_json("rates", "set", "15yr=5.25", now=RATES_DAY + timedelta(days=1))["planned"]
    assert [alert["lead_id"] for alert in planned] == [other_term]


def test_reaching_them_on_the_call_drops_the_text(workspace: Workspace) -> None:
    client = _client(workspace, PHONES[5])
    run_json("rates", "set", "30yr=6.125", now=RATES_DAY)
    call = _rate_drop_touches(workspace, client)[0]
    logged = run("log", str(client), "call", "--outcome", "talked", now=_due(call))
    assert logged.exit_code == 0, logged.output
    assert [(row[0], row[2]) for row in _rate_drop_touches(workspace, client)] == [
        ("call", "done"),
        ("text", "cancelled"),
    ]


def test_without_twilio_the_agenda_shows_the_rate_drop_text_with_its_numbers(
    workspace: Workspace,
) -> None:
    # No Twilio: the text is a task by hand, rendered through the agenda's plain reader.
    client = _client(workspace, PHONES[0])
    assert run_json("rates", "set", "30yr=6.125", now=RATES_DAY)["planned"]
    text = _rate_drop_touches(workspace, client)[1]
    tasks = run_json("today", now=_due(text) + timedelta(minutes=1))
    (message,) = [
        item["message"]
        for item in tasks
        if item["lead_id"] == client and item["channel"] == "text" and "$224" in item["message"]
    ]
    assert "6.125%" in message


def test_once_per_rate_move_and_once_in_90_days(workspace: Workspace) -> None:
    client = _client(workspace, PHONES[6])
    assert len(run_json("rates", "set", "30yr=6.125", now=RATES_DAY)["planned"]) == 1
    # 100 days on at the same rate: the same move, so no second alert.
    quiet = RATES_DAY + timedelta(days=100)
    assert run_json("rates", "set", "30yr=6.125", now=quiet)["planned"] == []
    # A new move after 90 days: a second alert.
    assert [a["lead_id"] for a in run_json("rates", "set", "30yr=6.0", now=quiet)["planned"]] == [
        client
    ]
    opportunity = run_json("rates", "opportunities", now=quiet)[0]
    assert opportunity["held_back"] == "already alerted at this rate"


def test_the_daemon_plans_for_leads_that_became_past_clients_since(workspace: Workspace) -> None:
    run_json("rates", "set", "30yr=6.125", now=RATES_DAY)
    with open_workspace(workspace.root) as context:
        assert plan_if_changed(context, RATES_DAY + timedelta(hours=1)) is None  # nothing new
    client = _client(workspace, PHONES[7])
    next_day = RATES_DAY + timedelta(days=1)
    with open_workspace(workspace.root) as context:
        plan = plan_if_changed(context, next_day)
        assert plan is not None and [o.lead.id for o in plan.planned] == [client]
        assert plan_if_changed(context, next_day + timedelta(hours=1)) is None


def test_the_daemon_job_logs_the_alerts_it_plans(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    run_json("rates", "set", "30yr=6.125", now=RATES_DAY)
    client = _client(workspace, PHONES[9])
    passes = DaemonPasses(plan_daemon(workspace.root, None, None), logging.getLogger("t.rates"))
    monkeypatch.setenv("LEADCHASE_NOW", (RATES_DAY + timedelta(days=1)).isoformat())
    with caplog.at_level(logging.INFO, logger="t.rates"):
        assert passes.rates() == 1
        assert passes.rates() == 0  # nothing changed since
    (record,) = caplog.records
    assert record.getMessage().startswith(f"rate-drop alert planned for lead {client}: Rate drop")


def test_opportunities_list_the_saving_and_the_last_touch(workspace: Workspace) -> None:
    client = _client(workspace, PHONES[8])
    assert run("rates", "opportunities", now=RATES_DAY).output.startswith("No past client")
    run_json("rates", "set", "30yr=6.125", now=RATES_DAY)
    listed = run("rates", "opportunities", now=RATES_DAY)
    assert listed.exit_code == 0
    assert f"#{client} Ann Lee (closed)" in listed.output and "$224" in listed.output
    (found,) = run_json("rates", "opportunities", now=RATES_DAY)
    assert found["note_rate"] == 7.25 and found["today_rate"] == 6.125
    assert found["last_touch"] is None and found["held_back"] is not None
    call = _rate_drop_touches(workspace, client)[0]
    assert run("log", str(client), "call", now=_due(call)).exit_code == 0
    (found,) = run_json("rates", "opportunities", now=_due(call))
    assert found["last_touch"]["channel"] == "call"


def test_rates_history_and_one_line_errors(workspace: Workspace) -> None:
    assert run("rates", "set", "30yr=6.125", now=RATES_DAY).exit_code == 0
    assert run("rates", "set", "30yr=6.25", "--on", "2026-03-01", now=RATES_DAY).exit_code == 0
    assert run_json("rates", now=RATES_DAY) == [
        {"on": "2026-03-03", "product": "30yr", "rate": 6.125},
        {"on": "2026-03-01", "product": "30yr", "rate": 6.25},
    ]
    assert "2026-03-01  30yr" in run("rates", "list", now=RATES_DAY).output
    for args, message in (
        (["30yr=six"], "'six' is not a number"),
        (["5yr=5"], "unknown product '5yr'"),
        (["30yr=650"], "650% is not a mortgage rate"),
        (["30yr=6", "--on", "2026-03-09"], "after today"),
        (["30yr=6", "--on", "someday"], "--on: 'someday' is not a date"),
    ):
        failed = run("rates", "set", *args, now=RATES_DAY)
        assert failed.exit_code == 1
        assert failed.stderr.count("\n") == 1 and message in failed.stderr, failed.stderr
