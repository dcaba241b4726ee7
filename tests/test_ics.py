"""`leadchase agenda --ics`: the calls of the coming days as an RFC 5545 calendar that parses back.

The file is read back with the icalendar package, after checking the layout a phone calendar
relies on: CRLF line ends and lines of at most 75 octets, each valid UTF-8 on its own.
"""

from __future__ import annotations

import json
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from typer.testing import Result

from leadchase.cadence.schedule import jitter_minutes
from leadchase.context import open_workspace
from leadchase.dnc import add_numbers, opt_out_lead
from leadchase.ics import CallCalendar, CallEvent, PlannedCall, window_end, write_calendar
from leadchase.lead_work import log_touch, set_stage, snooze
from leadchase.workspace import Workspace
from tests.conftest import PHONES, SF_MORNING, import_lead, run

ARRIVAL = SF_MORNING  # Monday 10:00 in San Francisco
NOW = ARRIVAL + timedelta(minutes=10)
LONG_NAME = "Maximiliano Fernández-Villanueva de la Santísima Trinidad"
DAY1 = "Start from the quote they asked for; ask one easy question"
DAY2 = "Mention your text; ask when 5 minutes suits them"
DAY3 = "Short and friendly; on voicemail, leave one line and text"


def _utc(day: int, hour: int, minute: int = 0) -> str:
    """An ICS UTC stamp for March `day` at `hour`:`minute` Pacific time (PST, UTC-8)."""
    return _pacific(day, hour, minute).strftime("%Y%m%dT%H%M%SZ")


def _pacific(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC) + timedelta(hours=8)


def _call(lead: int, step: str, day: int, hour: int) -> str:
    """When a cadence call is due: its time of day plus the lead's jitter for the step."""
    return _utc(day, hour, jitter_minutes(lead, step))


def read_calendar(raw: bytes) -> list[dict[str, str]]:
    """The VEVENTs of an iCalendar file, each as {property name: value}, text unescaped."""
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    physical = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in physical), "a line is longer than 75 octets"
    for line in physical:
        line.decode("utf-8")  # a fold never cuts a character in two
    calendar = icalendar.Calendar.from_ical(raw)
    assert calendar["VERSION"] == "2.0" and "PRODID" in calendar
    return [
        {
            name: str(value) if isinstance(value, icalendar.vText) else value.to_ical().decode()
            for name, value in event.items()
        }
        for event in calendar.walk("VEVENT")
    ]


@pytest.fixture
def leads(workspace: Workspace) -> dict[str, int]:
    """Six leads that arrived together; each one's story changes what its calendar shows."""
    names = ("Ann Lee", "Bob Ray", "Cy Opt", "Di App", LONG_NAME, "Fay Snooze", "Gus Dnc")
    found = {}
    for n, name in enumerate(names):
        found[name.split()[0]] = import_lead(
            workspace, ARRIVAL, phone=PHONES[n], email=f"lead{n}@example.com", name=name
        )
    with open_workspace(workspace.root) as context:
        for minutes in (5, 6):  # Bob got both of his day-1 calls
            log_touch(
                context, str(found["Bob"]), "call", None, "", ARRIVAL + timedelta(minutes=minutes)
            )
        opt_out_lead(context, str(found["Cy"]), "call", "asked on the phone", NOW)
        set_stage(context, str(found["Di"]), "application", NOW)
        add_numbers(context, [PHONES[6]], NOW)  # Gus's number is on the do-not-call list
        snooze(context, str(found["Fay"]), "2026-03-04 12:00", NOW)
    return found


def _agenda(*args: str) -> Result:
    result = run("agenda", *args, now=NOW)
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
    ann, bob, maxi, fay = (leads[k] for k in ("Ann", "Bob", "Maximiliano", "Fay"))
    assert by_lead == {
        # Ann: day 1's second call in the afternoon (the first is overdue: `today` has it),
        # day 2's two calls as one event at the first (morning), day 3's call; Thursday is
        # past the three days.
        (str(ann), _call(ann, "d1-call-2", 2, 15)),
        (str(ann), _call(ann, "d2-call-1", 3, 9)),
        (str(ann), _call(ann, "d3-call-1", 4, 9)),
        (str(bob), _call(bob, "d2-call-1", 3, 9)),  # both day-1 calls made
        (str(bob), _call(bob, "d3-call-1", 4, 9)),
        (str(maxi), _call(maxi, "d1-call-2", 2, 15)),
        (str(maxi), _call(maxi, "d2-call-1", 3, 9)),
        (str(maxi), _call(maxi, "d3-call-1", 4, 9)),
        (str(fay), _utc(4, 12)),  # snoozed: the open call waits for Wednesday noon, missed ones go
    }
    # Cy opted out of calls, Di applied (no cadence), Gus is on the do-not-call list: the
    # policy stops calls to all three, so the calendar holds none of theirs.
    assert len({e["UID"] for e in events}) == len(events)
    ann_tuesday = next(e for e in events if e["UID"] == f"call-{ann}-20260303@leadchase")
    assert ann_tuesday["SUMMARY"] == f"Call Ann Lee {PHONES[0]}"
    assert ann_tuesday["DURATION"] == "PT15M" and ann_tuesday["DTSTAMP"] == "20260302T181000Z"
    assert ann_tuesday["DESCRIPTION"].split("\n") == [
        f"Phone: {PHONES[0]}",
        f"Their time: Tue 03 Mar 09:0{jitter_minutes(ann, 'd2-call-1')} PST",
        "Day 2 of internet-lead: 2 calls",
        f"- {DAY2}",
        f"- {DAY2}",
        "Source: Zillow",
        f"Lead #{ann}: leadchase show {ann}",
    ]
    maxi_monday = next(e for e in events if e["UID"] == f"call-{maxi}-20260302@leadchase")
    assert maxi_monday["SUMMARY"] == f"Call {LONG_NAME} {PHONES[4]}"  # folded, then whole
    assert f"- {DAY1}" in maxi_monday["DESCRIPTION"]
    fay_event = next(e for e in events if e["UID"].startswith(f"call-{fay}-"))
    assert fay_event["DESCRIPTION"].split("\n")[2:4] == [
        "Day 1 of internet-lead: 1 call",
        f"- {DAY1}",
    ]


def test_days_reach_midnight_in_the_officers_zone(leads: dict[str, int]) -> None:
    document = json.loads(_agenda("--days", "1", "--json").stdout)
    assert document["until"] == "2026-03-03T00:00:00-05:00"
    afternoon = {  # day 1's second call: 15:00 their time, plus the lead's jitter
        lead: _pacific(2, 15, jitter_minutes(lead, "d1-call-2")).isoformat()
        for lead in (leads["Ann"], leads["Maximiliano"])
    }
    assert {(e["lead_id"], e["start"]) for e in document["events"]} == set(afternoon.items())
    ann = next(e for e in document["events"] if e["lead_id"] == leads["Ann"])
    assert ann["calls"] == [
        {"step": "d1-call-2", "day": 1, "due": afternoon[leads["Ann"]], "say": DAY1}
    ]
    assert ann["timezone"] == "America/Los_Angeles"


def test_without_ics_the_calls_are_a_table(leads: dict[str, int]) -> None:
    output = _agenda("--days", "2").stdout
    assert "CALLS until Wed Mar 4 12:00 AM EST" in output
    rows = [line for line in output.splitlines() if "#" in line]
    assert len(rows) == 5  # Ann and Maximiliano twice, Bob once
    first = " ".join(rows[0].split()[:14])
    minute = jitter_minutes(leads["Ann"], "d1-call-2")  # 15:00 their time plus Ann's jitter
    assert first == f"Mon Mar 2 6:0{minute} PM EST Mon Mar 2 3:0{minute} PM PST Ann Lee"
    assert PHONES[4] in output and PHONES[6] not in output  # Gus is on the do-not-call list


def test_an_empty_calendar_is_still_a_calendar(workspace: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "none.ics"
    result = _agenda("--ics", str(target))
    assert "Wrote 0 call events for 0 leads" in result.stderr
    assert read_calendar(target.read_bytes()) == []
    assert "No calls planned" in _agenda().stdout


def test_awkward_names_and_talking_points_read_back_as_written(tmp_path: Path) -> None:
    start = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
    say = "line one\nline two\r\nline three; with, commas \\ and a backslash"
    name = "Zoë " + "€uro-é " * 15 + 'Semi; colon, comma "quoted"'
    event = CallEvent(
        7, name, PHONES[0], "America/Los_Angeles", date(2026, 3, 3), "internet-lead",
        "Zillow", "Equity; Calc", (PlannedCall("d2-call-1", 2, start, say),),
    )  # fmt: skip
    target = tmp_path / "awkward.ics"
    write_calendar(CallCalendar(NOW, NOW + timedelta(days=7), "America/New_York", (event,)), target)
    (read,) = read_calendar(target.read_bytes())
    assert read["SUMMARY"] == f"Call {name} {PHONES[0]}"
    assert read["DESCRIPTION"].split("\n")[3:6] == [
        "- line one",
        "line two",
        "line three; with, commas \\ and a backslash",
    ]
    assert "Source: Zillow / Equity; Calc" in read["DESCRIPTION"]
    assert (read["UID"], read["DTSTART"]) == ("call-7-20260303@leadchase", "20260303T170000Z")


def test_window_end_counts_today_as_the_first_day() -> None:
    late = datetime(2026, 3, 3, 4, 30, tzinfo=UTC)  # Monday 23:30 in New York
    assert window_end(late, 1, "America/New_York") == datetime(2026, 3, 3, 5, 0, tzinfo=UTC)
    assert window_end(late, 7, "America/New_York") == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)
