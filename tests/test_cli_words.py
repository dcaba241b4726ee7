"""What the screens say: counts agree with their nouns, mistakes read like sentences."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from leadchase.cadence.model import day_label
from leadchase.cli import app
from leadchase.words import counted, either, ordinal, plural
from leadchase.workspace import Workspace
from tests.conftest import import_lead

runner = CliRunner()
NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
ENV = {"LEADCHASE_NOW": NOW.isoformat()}


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args), env=ENV)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_counted() -> None:
    assert counted(1, "planned touch") == "1 planned touch"
    assert counted(2, "planned touch") == "2 planned touches"
    assert counted(0, "lead") == "0 leads"
    assert counted(3, "reply") == "3 replies" and counted(3, "day") == "3 days"
    assert counted(2, "box") == "2 boxes" and counted(2, "child", "children") == "2 children"
    assert plural("new message") == "new messages"
    assert either(["call", "text", "email"]) == "call, text or email"
    assert either(["csv", "json"]) == "csv or json"


def test_ordinal_and_the_step_a_touch_is_on() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 30, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "30th",
        "101st", "111th",
    ]  # fmt: skip
    assert day_label(4, "d4-call-1") == "day 4"
    assert day_label(0, "closing_date+12y-email-1") == "12th anniversary of closing"
    assert day_label(0, "birthday+41y-text-1") == "birthday"  # never their age
    assert day_label(0, "") == ""  # a touch logged by hand is on no step


def test_one_of_each_reads_in_the_singular(workspace: Workspace) -> None:
    lead = str(import_lead(workspace, NOW))
    assert "1 number on the do-not-call list" in _ok("dnc", "add", "2065550142") + _ok(
        "dnc", "list"
    )
    assert "1 planned touch cancelled" in _ok("optout", lead, "--channel", "email")
    assert "1 of 1 lead" in _ok("leads")
    assert "1 attempt\n" not in _ok("leads")  # no attempt made yet: "0 attempts"
    _ok("log", lead, "call")
    assert re.search(r"1 attempt\b", _ok("leads"))
    checked = _ok("template", "lint", "internet-lead/first-text")
    assert checked.strip().endswith("1 template checked: 0 errors, 0 warnings")


def test_one_more_task_than_shown(workspace: Workspace) -> None:
    import_lead(workspace, NOW)
    import_lead(workspace, NOW, phone="4155552672", email="bo@example.com", name="Bo Lee")
    assert "… and 1 more text task (use --limit)" in _ok("today", "--limit", "1")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["today", "--channel", "fax"], "'fax' is not a channel: use call, text or email"),
        (["log", "1", "fax"], "'fax' is not a channel: use call, text or email"),
        (["optout", "1", "--channel", "fax"], "use text, call, email or all"),
        (["export", "people"], "'people' is not something to export: use leads, touches"),
        (["export", "leads", "--format", "xml"], "'xml' is not a format: use csv or json"),
    ],
)
def test_a_wrong_choice_reads_like_a_sentence(
    workspace: Workspace, args: list[str], said: str
) -> None:
    result = runner.invoke(app, args, env=ENV | {"COLUMNS": "200"})
    assert result.exit_code == 2
    assert said in result.output
    assert "Value error" not in result.output


def test_sms_is_a_text(workspace: Workspace) -> None:
    lead = str(import_lead(workspace, NOW))
    assert "TEXT" in _ok("today", "--channel", "sms")
    assert _ok("log", lead, "sms").startswith("Logged text to Ann Lee")
    assert "texts stopped" in _ok("optout", lead, "--channel", "SMS")


def test_an_unquoted_number_split_by_the_shell_says_to_quote_it(workspace: Workspace) -> None:
    result = runner.invoke(app, ["dnc", "add", "206", "555", "0142"], env=ENV)
    assert result.exit_code == 2
    assert 'put it in quotes: leadchase dnc add "206 555 0142"' in result.stderr
    assert "0 numbers" in _ok("dnc", "list")


def test_dnc_add_keeps_a_note_like_optout(workspace: Workspace) -> None:
    _ok("dnc", "add", "(206) 555-0142", "--note", "asked on the phone 3/2")
    listed = _ok("dnc", "list", "--json")
    assert '"evidence": "asked on the phone 3/2"' in listed
    assert "asked on the phone 3/2" in _ok("dnc", "list")
