"""`leadchase agenda --ics`: the calls of the coming days as an RFC 5545 calendar that parses back.

The icalendar package is not installed, so the file is read back here by a small RFC 5545 reader:
CRLF line ends, lines of at most 75 octets, unfolding, TEXT unescaping.
"""

from __future__ import annotations

import json
import re
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from leadchase.cli import app
from leadchase.context import Context
from leadchase.dnc import add_numbers, opt_out_lead
from leadchase.ics import escape_text, fold, window_end
from leadchase.lead_work import log_touch, set_stage, snooze
from leadchase.workspace import Workspace
from tests.agenda_helpers import import_lead
from tests.send_helpers import PHONES

runner = CliRunner()
ARRIVAL = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)  # Monday 10:00 in San Francisco
NOW = ARRIVAL + timedelta(minutes=10)
LONG_NAME = "Maximiliano Fernández-Villanueva de la Santísima Trinidad"
DAY1 = "Call within 5 minutes; start from the quote they asked for, ask one easy question"
DAY2 = "Mention your text; ask when 5 minutes suits them"
DAY3 = "Short and friendly; on voicemail, leave one line and text"


def _utc(day: int, hour: int, minute: int = 0) -> str:
    """An ICS UTC stamp for March `day` at `hour`:`minute` Pacific time (PST, UTC-8)."""
    moment = datetime(2026, 3, day, hour, minute, tzinfo=UTC) + timedelta(hours=8)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def read_calendar(raw: bytes) -> list[dict[str, str]]:
    """The VEVENTs of an iCalendar file, each as {property name: unescaped value}."""
    text = raw.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    physical = text.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in physical), "a line is longer than 75 octets"
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    assert logical[0] == "BEGIN:VCALENDAR" and logical[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in logical and any(line.startswith("PRODID:") for line in logical)
    events: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in logical[1:-1]:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            events.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name.split(";")[0]] = _unescape(value)
    return events


def _context(workspace: Workspace) -> Context:
    return Context.load(workspace.root)


@pytest.fixture
def leads(workspace: Workspace) -> dict[str, int]:
    """Six leads that arrived together; each one's story changes what its calendar shows."""
    names = ("Ann Lee", "Bob Ray", "Cy Opt", "Di App", LONG_NAME, "Fay Snooze")
    found = {}
    for n, name in enumerate(names):
        found[name.split()[0]] = import_lead(
            workspace, ARRIVAL, phone=PHONES[n], email=f"lead{n}@example.com", name=name
        )
    context = _context(workspace)
    try:
        for minutes in (5, 6):  # Bob got both of his day-1 calls
            log_touch(
                context, str(found["Bob"]), "call", None, "", ARRIVAL + timedelta(minutes=minutes)
            )
        opt_out_lead(context, str(found["Cy"]), "call", "asked on the phone", NOW)
        set_stage(context, str(found["Di"]), "application", NOW)
        add_numbers(context, [PHONES[4]], NOW)  # Maximiliano's number is on the DNC list
        snooze(context, str(found["Fay"]), "2026-03-04 12:00", NOW)
    finally:
        context.close()
    return found


def _agenda(*args: str) -> Any:
    result = runner.invoke(app, ["agenda", *args], env={"LEADCHASE_NOW": NOW.isoformat()})
    assert result.exit_code == 0, result.output
    return result


def test_the_calendar_holds_one_event_per_lead_per_day(
    leads: dict[str, int], tmp_path: Path
) -> None:
    target = tmp_path / "calls.ics"
    result = _agenda("--ics", str(target), "--days", "3")  # Monday to Wednesday, New York days
    assert f"Wrote 9 call events for 4 leads to {target}." in result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    events = read_calendar(target.read_bytes())
    by_lead = {(e["UID"].split("-")[1], e["DTSTART"]) for e in events}
    ann, bob, maxi, fay = (str(leads[k]) for k in ("Ann", "Bob", "Maximiliano", "Fay"))
    assert by_lead == {
        # Ann: day 1's second call (the first is overdue: `today` has it), day 2's two calls
        # as one event at the first, day 3's call; Thursday is past the three days.
        (ann, _utc(2, 15)), (ann, _utc(3, 9)), (ann, _utc(4, 9)),
        (bob, _utc(3, 9)), (bob, _utc(4, 9)),  # both day-1 calls made
        (maxi, _utc(2, 15)), (maxi, _utc(3, 9)), (maxi, _utc(4, 9)),  # DNC: flagged, not hidden
        (fay, _utc(4, 12)),  # snoozed: the open call waits for Wednesday noon, missed ones go
    }  # fmt: skip
    # Cy opted out of calls and Di applied (no cadence): nothing for them.
    assert len({e["UID"] for e in events}) == len(events)
    ann_tuesday = next(e for e in events if e["UID"] == f"call-{ann}-20260303@leadchase")
    assert ann_tuesday["SUMMARY"] == f"Call Ann Lee {PHONES[0]}"
    assert ann_tuesday["DURATION"] == "PT15M" and ann_tuesday["DTSTAMP"] == "20260302T181000Z"
    assert ann_tuesday["DESCRIPTION"].split("\n") == [
        f"Phone: {PHONES[0]}",
        "Their time: Tue 03 Mar 09:00 PST",
        "Day 2 of internet-lead: 2 calls",
        f"- {DAY2}",
        f"- {DAY2}",
        "Source: Zillow",
        f"Lead #{ann}: leadchase show {ann}",
    ]
    maxi_monday = next(e for e in events if e["UID"] == f"call-{maxi}-20260302@leadchase")
    assert maxi_monday["SUMMARY"] == f"DNC? Call {LONG_NAME} {PHONES[4]}"  # folded, then whole
    assert f"- {DAY1}" in maxi_monday["DESCRIPTION"]
    assert "do-not-call list" in maxi_monday["DESCRIPTION"]
    fay_event = next(e for e in events if e["UID"].startswith(f"call-{fay}-"))
    assert fay_event["DESCRIPTION"].split("\n")[2:4] == [
        "Day 1 of internet-lead: 1 call",
        f"- {DAY1}",
    ]


def test_days_reach_midnight_in_the_officers_zone(leads: dict[str, int]) -> None:
    document = json.loads(_agenda("--days", "1", "--json").stdout)
    assert document["until"] == "2026-03-03T00:00:00-05:00"
    assert {(e["lead_id"], e["start"]) for e in document["events"]} == {
        (leads["Ann"], "2026-03-02T23:00:00+00:00"),
        (leads["Maximiliano"], "2026-03-02T23:00:00+00:00"),
    }
    ann = next(e for e in document["events"] if e["lead_id"] == leads["Ann"])
    assert ann["calls"] == [
        {"step": "d1-call-2", "day": 1, "due": "2026-03-02T23:00:00+00:00", "say": DAY1}
    ]
    assert ann["dnc"] is False and ann["timezone"] == "America/Los_Angeles"


def test_without_ics_the_calls_are_a_table(leads: dict[str, int]) -> None:
    output = _agenda("--days", "2").stdout
    assert "CALLS until Wed Mar 4 12:00 AM EST" in output
    rows = [line for line in output.splitlines() if "#" in line]
    assert len(rows) == 5  # Ann and Maximiliano twice, Bob once
    first = " ".join(rows[0].split()[:14])
    assert first == "Mon Mar 2 6:00 PM EST Mon Mar 2 3:00 PM PST Ann Lee"
    assert f"DNC {PHONES[4]}" in output


def test_an_empty_calendar_is_still_a_calendar(workspace: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "none.ics"
    result = _agenda("--ics", str(target))
    assert "Wrote 0 call events for 0 leads" in result.stderr
    assert read_calendar(target.read_bytes()) == []
    assert "No calls planned" in _agenda().stdout


def test_fold_never_splits_a_character_and_unfolds_to_the_line() -> None:
    line = "DESCRIPTION:" + "é" * 60 + "x" * 50 + "€" * 30
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert len(pieces) > 2 and all(len(p.encode()) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert "".join([pieces[0], *(p[1:] for p in pieces[1:])]) == line
    assert fold("SUMMARY:short") == "SUMMARY:short"
    exact = "X" * 75
    assert fold(exact) == exact and fold(exact + "Y") == exact + "\r\n Y"


def test_escape_text() -> None:
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_window_end_counts_today_as_the_first_day() -> None:
    late = datetime(2026, 3, 3, 4, 30, tzinfo=UTC)  # Monday 23:30 in New York
    assert window_end(late, 1, "America/New_York") == datetime(2026, 3, 3, 5, 0, tzinfo=UTC)
    assert window_end(late, 7, "America/New_York") == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)
