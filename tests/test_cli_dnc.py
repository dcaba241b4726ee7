"""`dnc import|add|list|remove` and `optout`, end to end on a temporary workspace."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from leadchase.context import open_workspace
from leadchase.store import suppressions
from leadchase.store.models import suppression_table
from leadchase.store.suppressions import count_on_dnc
from leadchase.workspace import Workspace
from tests.conftest import SF_MORNING, import_lead, run, run_json, today_by_channel

START = SF_MORNING  # 10:00 in San Francisco, a Monday
SOON = START + timedelta(minutes=5)


def _run(*args: str, at: datetime = SOON) -> Result:
    return run(*args, now=at)


def _json(*args: str, at: datetime = SOON) -> Any:
    return run_json(*args, now=at)


def _today(at: datetime = SOON) -> dict[str, dict[str, Any]]:
    return today_by_channel(now=at)


def _timeline(lead: str) -> list[str]:
    return [entry["text"] for entry in _json("show", lead)["timeline"] if entry["kind"] == "event"]


@pytest.mark.both_backends
def test_dnc_import_of_numbers_one_per_line_with_junk(workspace: Workspace) -> None:
    lead = import_lead(workspace, START)
    listed = Path(workspace.root) / "dnc.txt"
    listed.write_text(
        "(415) 555-2671\n+1 415.555.2672\nhello\n\n555-1234\n4155552671\np:+14155552673\n",
        encoding="utf-8",
    )
    assert _today()["text"]["lead_id"] == lead

    result = _json("dnc", "import", str(listed))
    assert result == {
        "file": str(listed),
        "column": None,
        "numbers": 3,
        "added": 3,
        "already_listed": 0,
        "invalid": 2,
        "invalid_lines": [{"line": 3, "text": "hello"}, {"line": 5, "text": "555-1234"}],
        "leads_affected": 1,
    }
    today = _today()
    assert "text" not in today
    assert "call" not in today
    assert "email" in today
    assert "text" not in _today(START + timedelta(days=3))
    assert any("do-not-call" in text for text in _timeline(str(lead)))

    again = _run("dnc", "import", str(listed))
    assert again.exit_code == 0, again.output
    assert "newly on the do-not-call list: 0" in again.output
    assert "already on it: 3" in again.output
    assert "line 3: hello" in again.output
    assert "existing leads affected (calls and texts stopped): 0" in again.output


def test_dnc_import_picks_the_phone_column_of_a_csv(workspace: Workspace) -> None:
    lead = import_lead(workspace, START)
    other = import_lead(workspace, START, phone="3055550143", email="bo@example.com", state="FL")
    listed = Path(workspace.root) / "state_dnc.csv"
    listed.write_text(
        "Name,DNC Date,Phone Number\n"
        "Ann,2026-01-05,+1 (415) 555-2671\n"
        "Carl,2026-01-06,\n"
        "Dee,2026-01-07,212-555-0143\n",
        encoding="utf-8",
    )
    result = _json("dnc", "import", str(listed))
    assert result["column"] == "Phone Number"
    assert (result["added"], result["invalid"], result["leads_affected"]) == (2, 1, 1)
    assert result["invalid_lines"] == [{"line": 3, "text": "Carl,2026-01-06,"}]
    texts = _json("today", "--channel", "text")
    assert [item["lead_id"] for item in texts] == [other]
    entries = {entry["number"]: entry for entry in _json("dnc", "list")}
    assert set(entries) == {"+14155552671", "+12125550143"}
    assert entries["+14155552671"]["lead_ids"] == [lead]
    assert "state_dnc.csv line 2" in entries["+14155552671"]["evidence"]


def test_dnc_import_column_option_and_unreadable_choices(workspace: Workspace) -> None:
    listed = Path(workspace.root) / "two_numbers.csv"
    listed.write_text("home,cell\n4155552672,4155552673\n", encoding="utf-8")
    assert _json("dnc", "import", str(listed), "--column", "CELL")["column"] == "cell"
    assert [entry["number"] for entry in _json("dnc", "list")] == ["+14155552673"]

    missing = _run("dnc", "import", str(listed), "--column", "mobile")
    assert missing.exit_code == 1
    assert "no column named 'mobile'" in missing.output and "home, cell" in missing.output

    unclear = Path(workspace.root) / "unclear.csv"
    unclear.write_text("name,city\nAnn,Miami\n", encoding="utf-8")
    result = _run("dnc", "import", str(unclear))
    assert result.exit_code == 1 and "--column" in result.output

    empty = Path(workspace.root) / "empty.txt"
    empty.write_text("", encoding="utf-8")
    result = _run("dnc", "import", str(empty))
    assert result.exit_code == 1 and "empty" in result.output


def test_numbers_in_any_format_are_one_number(workspace: Workspace) -> None:
    formats = [
        "(415) 555-2671",
        "415.555.2671",
        "+1 415 555 2671",
        "p:+14155552671",
        "4155552671.0",
    ]
    change = _json("dnc", "add", *formats)
    assert change["changed"] == ["+14155552671"] and change["unchanged"] == []
    assert _json("dnc", "add", "415-555-2671")["unchanged"] == ["+14155552671"]
    assert [entry["number"] for entry in _json("dnc", "list")] == ["+14155552671"]


@pytest.mark.both_backends
def test_dnc_add_list_remove(workspace: Workspace) -> None:
    lead = import_lead(workspace, START)
    added = _run("dnc", "add", "415 555 2671", "+44 20 7946 0958")
    assert added.exit_code == 0, added.output
    assert "+14155552671 added to the do-not-call list" in added.output
    assert f"#{lead}" in added.output
    assert "text" not in _today()

    listing = _run("dnc", "list")
    assert "+442079460958" in listing.output and "2 numbers" in listing.output

    bad = _run("dnc", "add", "4155552672", "12345")
    assert bad.exit_code == 1 and "'12345' is not a valid phone number" in bad.output
    assert len(_json("dnc", "list")) == 2  # nothing added when one number is bad

    removed = _json("dnc", "remove", "(415) 555-2671", at=SOON + timedelta(minutes=1))
    assert removed == {
        "changed": ["+14155552671"],
        "unchanged": [],
        "lead_ids": [lead],
        "texts_resumed": 1,
    }
    assert [entry["number"] for entry in _json("dnc", "list")] == ["+442079460958"]
    assert "text" in _today(START + timedelta(days=1))
    assert sum("do-not-call" in text for text in _timeline(str(lead))) == 2

    with open_workspace(workspace.root) as context, context.database.reading() as connection:
        table = suppression_table
        (row,) = connection.execute(table.select().where(table.c.value == "+14155552671"))
    assert row.reason == "dnc" and row.lifted_at == SOON + timedelta(minutes=1)

    again = _run("dnc", "remove", "4155552671")
    assert again.exit_code == 1 and "not on the do-not-call list" in again.output


@pytest.mark.parametrize(
    ("channel", "left"),
    [
        ("text", {"call", "email"}),
        ("call", {"text", "email"}),
        ("email", {"call", "text"}),
        ("all", set()),
    ],
)
def test_optout_stops_that_channel(workspace: Workspace, channel: str, left: set[str]) -> None:
    lead = import_lead(workspace, START)
    assert set(_today()) == {"call", "text", "email"}
    result = _run("optout", "(415) 555-2671", "--channel", channel, "--note", "said so on a call")
    assert result.exit_code == 0, result.output
    assert f"(#{lead})" in result.output and "stopped" in result.output
    assert set(_today()) == left
    assert set(_today(START + timedelta(days=4))) <= left
    events = _timeline(str(lead))
    assert any(e.startswith("opt-out:") and "said so on a call" in e for e in events)

    repeated = _json("optout", str(lead), "--channel", channel)
    assert repeated["suppressed"] == [] and len(repeated["already"]) >= 1


def test_optout_names_what_a_lead_lacks(workspace: Workspace) -> None:
    lead = import_lead(workspace, START, email="")
    result = _run("optout", str(lead), "--channel", "email")
    assert result.exit_code == 1
    assert f"lead #{lead} has no email address" in result.output
    missing = _run("optout", "4155550000")
    assert missing.exit_code == 1 and "no lead" in missing.output


def test_count_on_dnc_counts_only_listed_numbers(workspace: Workspace) -> None:
    with open_workspace(workspace.root) as context:
        with context.database.writing() as connection:
            for number in ("+14155552671", "+14155552672"):
                suppressions.add(connection, number, channel="dnc", reason="dnc", now=START)
            suppressions.add(
                connection, "+14155552673", channel="text", reason="opt-out", now=START
            )
        with context.database.reading() as connection:
            phones = ["+14155552671", "+14155552671", "+14155552672", "+14155552673", ""]
            assert count_on_dnc(connection, phones) == 2
            assert count_on_dnc(connection, []) == 0


def test_import_reports_new_leads_on_the_dnc_list(workspace: Workspace, tmp_path: Path) -> None:
    listed = tmp_path / "dnc.txt"
    listed.write_text("(415) 555-2671\n")
    assert run("dnc", "import", str(listed)).exit_code == 0
    leads = tmp_path / "leads.csv"
    leads.write_text("name,phone\nAnn Lee,4155552671\nBob Ray,4155552672\n")
    result = run("import", str(leads), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["on_dnc"] == 1


def test_dnc_import_reads_a_file_of_utf8_and_windows_1252_lines(workspace: Workspace) -> None:
    listed = Path(workspace.root) / "dnc.csv"
    listed.write_bytes(
        "name,phone\nJosé Núñez,(415) 555-2671\n".encode()
        + "Renée Ray,(415) 555-2672\n".encode("cp1252")
    )
    result = _json("dnc", "import", str(listed))
    assert (result["column"], result["added"], result["invalid"]) == ("phone", 2, 0)
