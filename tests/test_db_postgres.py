"""`db copy`, `db migrate` and `db check` with a team's PostgreSQL: a solo SQLite workspace moves
over whole, ids and times kept, and carries on working there."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from leadchase.config import default_settings_text
from leadchase.context import open_workspace
from leadchase.importing.posted import take_post
from leadchase.store import alerts
from leadchase.store.database import Database
from leadchase.workspace import Workspace, create_workspace
from tests.conftest import (
    SF_MORNING as NOW,
)
from tests.conftest import (
    import_lead,
    import_leads,
    log_touch_at,
    query,
    run,
    run_json,
    with_officer,
)
from tests.postgres import with_database_url

pytestmark = pytest.mark.postgres

TABLES = ("event", "import_batch", "lead", "lead_key", "message", "suppression", "touch")
# What the team features (officers, round-robin, intake, alerts, stages) keep.
TEAM_TABLES = ("alert", "intake_request", "officer", "officer_turn", "stage_change")


@pytest.fixture
def solo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A SQLite workspace with leads, a logged call, a snooze and an opt-out."""
    created, _ = create_workspace(tmp_path / "solo", with_officer(default_settings_text()))
    monkeypatch.setenv("LEADCHASE_HOME", str(created.root))
    import_leads(created, NOW, 5)
    log_touch_at(created, "1", "call", NOW + timedelta(minutes=5), "voicemail")
    assert run("snooze", "2", "3d", now=NOW).exit_code == 0
    assert run("optout", "3", now=NOW).exit_code == 0
    return created


def _everything() -> dict[str, object]:
    """What the workspace shows of its data: every export, and the agenda a day later."""
    shown: dict[str, object] = {
        kind: json.loads(run("export", kind, "--format", "json").stdout)
        for kind in ("leads", "touches", "messages")
    }
    shown["today"] = run_json("today", now=NOW + timedelta(days=1))
    return shown


def _a_team_day(workspace: Workspace) -> None:
    """Two officers dealt leads in turn, a posted lead with an Idempotency-Key, an alert and a
    stage change: a row in each table the team features keep."""
    for name, number in (("Ana Ruiz", "+14155550111"), ("Ben Ode", "+14155550122")):
        assert run("officer", "add", name, "--from-number", number).exit_code == 0
    settings = workspace.settings_file.read_text()
    workspace.settings_file.write_text(
        settings.replace("round_robin = false", "round_robin = true", 1)
    )
    with open_workspace(workspace.root) as context:
        taken = take_post(context, [{"name": "Pat Post", "phone": "4155550177"}], NOW, key="k1")
        assert taken.new_leads == 1
        with context.database.writing() as connection:
            alerts.add(connection, [{"lead_id": 6, "kind": "new-lead", "channel": "text",
                                     "to_address": "+14155550100", "body": "New lead: Pat",
                                     "created_at": NOW}])  # fmt: skip
    assert run("stage", "1", "contacted", now=NOW).exit_code == 0


def test_a_solo_workspace_moves_to_postgres_whole(solo: Workspace, empty_database_url: str) -> None:
    _a_team_day(solo)
    before = _everything()
    officers = run_json("officer", "list")
    # Pat's timeline holds the alert, Ann's the stage change.
    timelines = [run_json("show", lead) for lead in ("1", "6")]
    assert "alert" in {entry["kind"] for entry in timelines[1]["timeline"]}
    copied = run_json("db", "copy", "--to", empty_database_url)
    tables = copied["tables"]
    assert set(TABLES + TEAM_TABLES) <= set(tables)
    assert all(t["source"] == t["copied"] for t in tables.values())
    assert tables["lead"]["copied"] == 6 and tables["suppression"]["copied"] >= 1
    assert all(tables[name]["copied"] >= 1 for name in TEAM_TABLES)
    settings = solo.settings_file.read_text()
    solo.settings_file.write_text(with_database_url(settings, empty_database_url))
    assert _everything() == before  # same ids, same times (aware UTC), same agenda
    assert run_json("officer", "list") == officers
    assert [run_json("show", lead) for lead in ("1", "6")] == timelines
    assert query(solo, "SELECT turns FROM officer_turn") == [(1,)]  # Pat's turn, not reset
    # The id sequences moved past the copied ids: new leads, touches, officers and stage
    # changes get fresh ones, and the round-robin deals on from the copied turn.
    new_lead = import_lead(
        solo, NOW + timedelta(hours=1), phone="4155550199", email="new@example.com"
    )
    assert new_lead == 7
    assert query(solo, "SELECT officer.name FROM lead JOIN officer ON officer.id = officer_id"
                       " WHERE lead.id = 7") == [("Ben Ode",)]  # fmt: skip
    assert run_json("officer", "add", "Cy Park")["officer"]["id"] == 3
    assert run("stage", str(new_lead), "contacted", now=NOW + timedelta(hours=2)).exit_code == 0
    log_touch_at(solo, str(new_lead), "call", NOW + timedelta(hours=1, minutes=5), "talked")
    assert run("show", str(new_lead)).exit_code == 0


def test_copy_refuses_a_database_that_holds_data(solo: Workspace, empty_database_url: str) -> None:
    assert run("db", "copy", "--to", empty_database_url).exit_code == 0
    again = run("db", "copy", "--to", empty_database_url)
    assert again.exit_code == 1
    (line,) = again.stderr.strip().splitlines()
    assert "already holds data (" in line and "lead: 5" in line and "nothing was copied" in line


def test_copy_fills_a_database_only_migrated_so_far(
    solo: Workspace, empty_database_url: str
) -> None:
    # Migration 006 makes the round-robin's counter row: a migrated database (`db migrate`
    # first, as docs/team.md shows) holds no data yet, and the copy brings the source's count.
    Database.open(empty_database_url).close()
    copied = run_json("db", "copy", "--to", empty_database_url)
    assert copied["tables"]["officer_turn"] == {"source": 1, "copied": 1}


def test_copy_takes_only_a_postgres_url(solo: Workspace, tmp_path: Path) -> None:
    refused = run("db", "copy", "--to", f"sqlite:///{tmp_path / 'other.db'}")
    assert refused.exit_code == 1 and "takes a PostgreSQL URL" in refused.stderr
    assert not (tmp_path / "other.db").exists()


def test_migrate_and_check_on_postgres(workspace: Workspace, empty_database_url: str) -> None:
    settings = workspace.settings_file.read_text()
    workspace.settings_file.write_text(
        settings.replace(f'url = "{_url_of(settings)}"', f'url = "{empty_database_url}"')
    )
    first = run_json("db", "migrate")
    assert first["applied"] and len(first["applied"]) == first["migrations"]
    assert run_json("db", "migrate")["applied"] == []
    checked = run_json("db", "check")
    assert checked["ok"] and checked["pending"] == [] and checked["server_version"]
    assert "connection: ok" in run("db", "check").stdout


def test_an_unreachable_server_is_one_line(workspace: Workspace) -> None:
    settings = workspace.settings_file.read_text()
    workspace.settings_file.write_text(
        settings.replace(
            f'url = "{_url_of(settings)}"', 'url = "postgresql://nobody@127.0.0.1:1/leads"'
        )
    )
    result = run("db", "check")
    assert result.exit_code != 0 and "Traceback" not in result.output
    (line,) = result.stderr.strip().splitlines()
    assert "cannot connect to postgresql://nobody@127.0.0.1:1/leads" in line


def _url_of(settings: str) -> str:
    (line,) = [line for line in settings.splitlines() if line.startswith("url = ")]
    return line.removeprefix('url = "').removesuffix('"')


def test_an_unreachable_server_stops_any_command_in_one_line(workspace: Workspace) -> None:
    settings = workspace.settings_file.read_text()
    workspace.settings_file.write_text(
        settings.replace(f'url = "{_url_of(settings)}"', 'url = "postgresql://me@127.0.0.1:1/x"')
    )
    result = run("today")
    assert result.exit_code == 3 and "Traceback" not in result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: cannot connect to postgresql://me@127.0.0.1:1/x (")


def test_a_writer_waits_its_turn_then_is_busy_as_on_sqlite(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import text

    from leadchase.errors import BusyError, explain
    from leadchase.store.database import Database

    monkeypatch.setattr("leadchase.store.engine.BUSY_TIMEOUT_MS", 200)
    url = _url_of(workspace.settings_file.read_text())
    first, second = Database.open(url), Database.open(url)
    try:
        with first.writing() as holding:
            holding.execute(text("SELECT 1"))
            with pytest.raises(Exception) as waited, second.writing() as blocked:
                blocked.execute(text("SELECT 1"))
            assert isinstance(explain(waited.value), BusyError)
            with second.reading() as reading:  # readers never wait
                assert reading.execute(text("SELECT count(*) FROM lead")).scalar_one() == 0
        with second.writing() as now_free:
            assert now_free.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        first.close()
        second.close()
