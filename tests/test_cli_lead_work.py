"""Working a lead by hand: `log`, `stage`, `snooze`, `show` and `leads`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from leadchase.context import open_workspace
from leadchase.lead_work import set_stage, snooze
from leadchase.workspace import Workspace
from tests.conftest import SF_MORNING, agenda_at, import_lead, log_touch_at, query, run, run_json


def test_stage_change_switches_cadence_and_cancels_open_touches(workspace: Workspace) -> None:
    start = SF_MORNING
    lead = import_lead(workspace, start)
    with open_workspace(workspace.root) as context:
        moved = set_stage(context, str(lead), "engaged", start + timedelta(hours=1))
        assert moved.cadence == "engaged"
        moved = set_stage(context, str(lead), "dead", start + timedelta(hours=2))
        assert moved.cadence is None
    assert agenda_at(workspace, start + timedelta(days=3)).items == []


def test_engaged_cadence_starts_now(workspace: Workspace) -> None:
    start = SF_MORNING
    lead = import_lead(workspace, start)
    result = run("stage", str(lead), "engaged", now="2026-03-04T19:00:00+00:00")
    assert result.exit_code == 0, result.output
    assert "engaged" in result.output
    agenda = agenda_at(workspace, datetime(2026, 3, 4, 19, 0, tzinfo=UTC))
    assert agenda.items and all(not item.automated for item in agenda.items)


def test_snooze_hides_a_lead_until_then(workspace: Workspace) -> None:
    start = SF_MORNING
    lead = import_lead(workspace, start)
    with open_workspace(workspace.root) as context:
        _row, until = snooze(context, str(lead), "3d", start)
    assert until == start + timedelta(days=3)
    assert agenda_at(workspace, start + timedelta(days=2)).items == []
    assert agenda_at(workspace, start + timedelta(days=3, hours=1)).items


def test_log_accepts_phone_in_any_format_and_email(workspace: Workspace) -> None:
    start = SF_MORNING
    import_lead(workspace, start)
    soon = SF_MORNING + timedelta(minutes=5)
    result = run("log", "(415) 555-2671", "call", "--outcome", "left-voicemail", now=soon)
    assert result.exit_code == 0, result.output
    result = run("log", "ANN@example.com", "email", now=soon)
    assert result.exit_code == 0, result.output
    result = run("log", "ann@example.com", "call", "--outcome", "maybe", now=soon)
    assert result.exit_code == 1 and "no-answer" in result.output
    result = run("log", "4155550000", "call", now=soon)
    assert result.exit_code == 1 and "no lead" in result.output
    shown = run("show", "ann@example.com", "--json", now=soon)
    timeline = json.loads(shown.stdout)["timeline"]
    assert any(e["kind"] == "touch" and "left-voicemail" in e["text"] for e in timeline)
    assert any(e["kind"] == "planned" for e in timeline)


def test_a_text_logged_by_hand_keeps_the_suggested_wording_and_variant(
    workspace: Workspace,
) -> None:
    start = SF_MORNING
    lead = import_lead(workspace, start)
    (shown,) = agenda_at(workspace, start + timedelta(minutes=1), channels=("text",)).items
    assert shown.message and "Ann" in shown.message
    log_touch_at(workspace, str(lead), "text", start + timedelta(minutes=2))
    rows = query(workspace, "SELECT body, template, variant, status FROM message")
    variants = query(workspace, "SELECT variant FROM touch WHERE status = 'done'")
    assert rows == [(shown.message, shown.template, variants[0][0], "sent by hand")]
    later = agenda_at(workspace, start + timedelta(days=1), channels=("text",)).items
    assert later and later[0].message != shown.message  # the next text never repeats it


def test_leads_lists_newest_first_and_filters_by_search_stage_and_source(
    workspace: Workspace,
) -> None:
    ann = import_lead(workspace, SF_MORNING)
    bob = import_lead(
        workspace, SF_MORNING, phone="4155552672", email="bob@example.com", name="Bob Ray",
        source="Facebook",
    )  # fmt: skip
    cy = import_lead(
        workspace, SF_MORNING, phone="4155552673", email="cy@example.com", name="Cy Opt"
    )
    assert [row["id"] for row in run_json("leads")] == [cy, bob, ann]
    assert [row["name"] for row in run_json("leads", "--search", "ann")] == ["Ann Lee"]
    assert [row["id"] for row in run_json("leads", "--search", "2672")] == [bob]
    assert [row["id"] for row in run_json("leads", "--source", "facebook")] == [bob]
    assert run("stage", str(ann), "engaged", now=SF_MORNING).exit_code == 0
    (engaged,) = run_json("leads", "--stage", "engaged")
    assert engaged["id"] == ann and engaged["cadence"] == "engaged"
    table = run("leads", "--limit", "2")
    assert table.exit_code == 0, table.output
    assert "Cy Opt" in table.stdout and "Ann Lee" not in table.stdout
    assert "2 of 3 leads" in table.stdout


def test_show_prints_the_lead_and_its_timeline_in_their_time(workspace: Workspace) -> None:
    lead = import_lead(workspace, SF_MORNING)
    log_touch_at(workspace, str(lead), "call", SF_MORNING + timedelta(minutes=1))
    result = run("show", str(lead), now=SF_MORNING + timedelta(minutes=2))
    assert result.exit_code == 0, result.output
    assert "Ann Lee" in result.stdout and "internet-lead" in result.stdout
    assert "their time" in result.stdout
    assert "10:01" in result.stdout  # the call, in San Francisco time (18:01 UTC)
