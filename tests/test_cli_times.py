"""One rule for times on screen: a lead's in its zone, the officer's own in hers, UTC on request.

The lead is in San Francisco (PST); the officer's zone is the default, America/New_York (EST).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from leadchase.cli import app
from leadchase.workspace import Workspace
from tests.conftest import PHONES, Sending, import_lead, import_leads

runner = CliRunner()
NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)  # Monday 10:00 AM in San Francisco, 1:00 PM in NY
SHAPE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{1,2}( \d{4})? \d{1,2}:\d\d (AM|PM) [A-Z]{3,4}"
)


def _run(*args: str, at: datetime = NOW) -> str:
    result = runner.invoke(app, list(args), env={"LEADCHASE_NOW": at.isoformat()})
    assert result.exit_code == 0, result.output
    return result.stdout


def _one_shape(output: str) -> list[str]:
    """Every time of day on the screen is part of the one shape; the shapes, in order."""
    shapes = [match.group(0) for match in SHAPE.finditer(output)]
    bare = SHAPE.sub("", output)
    assert not re.search(r"\d:\d\d", bare), f"a time in another shape:\n{output}"
    assert not re.search(r"\d{4}-\d\d-\d\d|\+00:00", output), output
    return shapes


def test_the_shape() -> None:
    from leadchase.times import day, when

    assert when(NOW, "America/Los_Angeles", NOW) == "Mon Mar 2 10:00 AM PST"
    assert when(NOW + timedelta(hours=4), "America/New_York", NOW) == "Mon Mar 2 5:00 PM EST"
    assert when(NOW, "UTC", NOW) == "Mon Mar 2 6:00 PM UTC"
    next_year = datetime(2027, 1, 4, 14, 0, tzinfo=UTC)
    assert when(next_year, "America/New_York", NOW) == "Mon Jan 4 2027 9:00 AM EST"
    assert day(next_year, "America/New_York", NOW) == "Mon Jan 4 2027"


def test_snooze_echoes_the_lead_s_own_time_or_utc(workspace: Workspace) -> None:
    lead = str(import_lead(workspace, NOW))
    assert "until Thu Mar 5 10:00 AM PST." in _run("snooze", lead, "3d")
    assert "until Fri Mar 6 6:00 PM UTC." in _run("snooze", lead, "4d", "--utc")


def test_today_says_when_the_next_touch_is_in_the_officer_s_zone(workspace: Workspace) -> None:
    lead = str(import_lead(workspace, NOW))
    _run("snooze", lead, "3d")
    output = _run("today")
    assert "Next touch: Thu Mar 5 1:00 PM EST." in output
    _one_shape(output)


def test_dnc_list_shows_when_a_number_was_added_in_the_officer_s_zone(
    workspace: Workspace,
) -> None:
    _run("dnc", "add", "4155550142")
    output = _run("dnc", "list")
    assert _one_shape(output) == ["Mon Mar 2 1:00 PM EST"]
    assert "(UTC)" not in output
    assert _one_shape(_run("dnc", "list", "--utc")) == ["Mon Mar 2 6:00 PM UTC"]


def test_show_puts_the_whole_timeline_and_the_lead_date_in_the_lead_s_zone(
    workspace: Workspace,
) -> None:
    lead = str(import_lead(workspace, NOW - timedelta(hours=1)))
    output = _run("show", lead)
    shapes = _one_shape(output)
    assert "Mon Mar 2 9:00 AM PST" in shapes  # the lead date, then the import on the timeline
    assert all(shape.endswith(("PST", "PDT")) for shape in shapes), shapes
    utc = _one_shape(_run("show", lead, "--utc"))
    assert "Mon Mar 2 5:00 PM UTC" in utc and all(shape.endswith("UTC") for shape in utc)
    document: Any = __import__("json").loads(_run("show", lead, "--json"))
    assert document["timeline"][0]["at"].endswith("+00:00")  # JSON stays ISO 8601 in UTC


def test_cadence_preview_and_agenda_use_the_same_shape(workspace: Workspace) -> None:
    lead = str(import_lead(workspace, NOW))
    preview = _one_shape(_run("cadence", "preview", lead))
    assert preview[0] == "Mon Mar 2 10:00 AM PST"
    assert len(_one_shape(_run("cadence", "preview", lead, "--utc"))) == len(preview)
    calls = _run("agenda", "--days", "2")
    shapes = _one_shape(calls)
    # The calls in the officer's zone and in the lead's, under a heading in the officer's zone.
    assert "Mon Mar 2 1:00 PM EST" in shapes and "Mon Mar 2 10:00 AM PST" in shapes
    assert all(shape.endswith("UTC") for shape in _one_shape(_run("agenda", "--utc")))


def test_today_shows_the_lead_s_time_now(workspace: Workspace) -> None:
    import_lead(workspace, NOW)
    shapes = _one_shape(_run("today"))
    assert shapes and set(shapes) == {"Mon Mar 2 10:00 AM PST"}


def test_inbox_shows_when_a_text_came_in_the_lead_s_time(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 1)
    sending.twilio.clock = lambda: NOW + timedelta(minutes=20)
    sending.twilio.add_inbound(PHONES[0], "Sure, call me after 5")
    _run("sync", at=NOW + timedelta(minutes=25))
    output = _run("inbox", at=NOW + timedelta(minutes=30))
    assert _one_shape(output) == ["Mon Mar 2 10:20 AM PST"]
    assert "(UTC)" not in output
    assert _one_shape(_run("inbox", "--utc")) == ["Mon Mar 2 6:20 PM UTC"]


@pytest.mark.parametrize("command", [["stats"], ["compliance", "report"]])
def test_reports_name_their_period_without_iso_dates(
    workspace: Workspace, command: list[str]
) -> None:
    import_lead(workspace, NOW - timedelta(days=2))
    output = _run(*command)
    assert "Sat Jan 31" in output or "since Sat Jan 31" in output, output
    _one_shape(output)
