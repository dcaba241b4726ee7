"""`today` with a fixed clock: what shows, when, in the lead's own time."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from leadchase.config import default_settings_text
from leadchase.context import open_workspace
from leadchase.store import suppressions
from leadchase.workspace import Workspace, create_workspace
from tests.conftest import (
    SF_MORNING,
    agenda_at,
    import_lead,
    import_leads,
    log_touch_at,
    run,
    run_json,
    with_officer,
)

PACIFIC = ZoneInfo("America/Los_Angeles")


def test_first_fourteen_days_show_exactly_the_reference_cadence(workspace: Workspace) -> None:
    """Work every task the moment it shows, every half hour of the day, for 14 days."""
    arrival = datetime(2026, 3, 2, 10, 0, tzinfo=PACIFIC)  # a Monday; DST starts on day 7
    lead_id = import_lead(workspace, arrival.astimezone(UTC))
    worked: Counter[tuple[int, str]] = Counter()
    for day in range(1, 15):
        date = arrival.date() + timedelta(days=day - 1)
        for half_hours in range(0, 28):
            local = datetime(date.year, date.month, date.day, 7, 0, tzinfo=PACIFIC) + timedelta(
                minutes=30 * half_hours
            )
            now = local.astimezone(UTC)
            agenda = agenda_at(workspace, now)
            for item in agenda.items:
                assert item.lead_id == lead_id
                local_due = item.due.astimezone(PACIFIC)
                assert 9 <= local_due.hour < 20, f"{item.channel} due {local_due} outside 09-20"
                assert (
                    9 <= local.hour < 20
                    or (local.hour == 20 and local.minute == 0)
                    or local_due < local
                )
                worked[(day, item.channel)] += 1
                log_touch_at(workspace, str(lead_id), item.channel, now)
    expected: Counter[tuple[int, str]] = Counter()
    for channel, count in (("call", 2), ("text", 2), ("email", 2)):
        expected[(1, channel)] = count
    for channel, count in (("call", 2), ("text", 1), ("email", 1)):
        expected[(2, channel)] = count
    for day in range(3, 11):
        for channel in ("call", "text", "email"):
            expected[(day, channel)] = 1
    for day in (12, 14):
        for channel in ("call", "text", "email"):
            expected[(day, channel)] = 1
    assert worked == expected


@pytest.mark.both_backends
def test_new_lead_tops_the_agenda_with_a_timer(workspace: Workspace) -> None:
    start = SF_MORNING  # 10:00 in San Francisco
    old = import_lead(workspace, start, phone="4155552671", email="old@example.com")
    log_touch_at(workspace, str(old), "call", start + timedelta(minutes=1))
    later = start + timedelta(days=1, hours=1)
    new = import_lead(
        workspace,
        later - timedelta(minutes=7),
        phone="4155552672",
        email="new@example.com",
        lead_date=later - timedelta(minutes=7),
    )
    agenda = agenda_at(workspace, later, channels=("call",))
    assert [item.lead_id for item in agenda.items] == [new, old]
    first = agenda.items[0]
    assert first.new_lead and first.minutes_waiting == 7
    assert first.reason == "new lead, waiting 7 min"
    assert not agenda.items[1].new_lead


@pytest.mark.both_backends
def test_missed_touches_collapse_to_one_per_channel(workspace: Workspace) -> None:
    start = SF_MORNING
    lead = import_lead(workspace, start)
    five_days_later = start + timedelta(days=5)
    agenda = agenda_at(workspace, five_days_later)
    assert Counter(item.channel for item in agenda.items) == {"call": 1, "text": 1, "email": 1}
    assert agenda.items[0].new_lead
    log_touch_at(workspace, str(lead), "call", five_days_later)
    after = agenda_at(workspace, five_days_later + timedelta(minutes=1), channels=("call",))
    assert after.items == []  # the missed calls of days 1-5 do not come back
    tomorrow = agenda_at(workspace, five_days_later + timedelta(days=1), channels=("call",))
    assert len(tomorrow.items) == 1 and tomorrow.items[0].attempt == 2


@pytest.mark.parametrize(
    ("state", "zip_code", "phone", "arrival_local", "zone", "expected_local"),
    [
        # Florida: 8-20 by law, the user's 09:00 start is later: a 20:30 lead waits for 09:00.
        (
            "FL",
            "33186",
            "3058142291",
            datetime(2026, 3, 3, 20, 30),
            "America/New_York",
            datetime(2026, 3, 4, 9, 0),
        ),
        # California: federal 8-21 and the user's 9-20: 19:30 is fine as it is.
        (
            "CA",
            "94103",
            "4155552671",
            datetime(2026, 3, 3, 19, 30),
            "America/Los_Angeles",
            datetime(2026, 3, 3, 19, 30),
        ),
        # Texas on a Sunday: nothing before noon.
        (
            "TX",
            "78745",
            "5126648830",
            datetime(2026, 3, 1, 10, 0),
            "America/Chicago",
            datetime(2026, 3, 1, 12, 0),
        ),
        # Texas on a Monday: the user's 09:00.
        (
            "TX",
            "78745",
            "5126648830",
            datetime(2026, 3, 2, 7, 0),
            "America/Chicago",
            datetime(2026, 3, 2, 9, 0),
        ),
    ],
)
@pytest.mark.both_backends
def test_first_text_is_clipped_to_the_contact_window(
    workspace: Workspace,
    state: str,
    zip_code: str,
    phone: str,
    arrival_local: datetime,
    zone: str,
    expected_local: datetime,
) -> None:
    arrival = arrival_local.replace(tzinfo=ZoneInfo(zone))
    import_lead(workspace, arrival.astimezone(UTC), state=state, zip_code=zip_code, phone=phone)
    agenda = agenda_at(
        workspace, expected_local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC), channels=("text",)
    )
    assert len(agenda.items) == 1
    assert agenda.items[0].due.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == expected_local
    before = agenda_at(
        workspace,
        expected_local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC) - timedelta(minutes=1),
        channels=("text",),
    )
    assert before.items == []


@pytest.mark.both_backends
def test_a_california_address_with_a_florida_cell_gets_florida_hours_in_both_zones(
    workspace: Workspace,
) -> None:
    # 17:30 in San Francisco is 20:30 in Miami: Florida law (8-20) in the Eastern zone says no.
    arrival = datetime(2026, 3, 3, 17, 30, tzinfo=PACIFIC)
    import_lead(
        workspace, arrival.astimezone(UTC), state="CA", zip_code="94103", phone="3058142291"
    )
    agenda = agenda_at(
        workspace, arrival.astimezone(UTC) + timedelta(minutes=5), channels=("text",)
    )
    assert agenda.items == []
    next_morning = datetime(2026, 3, 4, 9, 0, tzinfo=PACIFIC)
    agenda = agenda_at(workspace, next_morning.astimezone(UTC), channels=("text",))
    assert agenda.items[0].due.astimezone(PACIFIC) == next_morning


@pytest.mark.both_backends
def test_dst_changeover_keeps_local_times(workspace: Workspace) -> None:
    # Arrives Saturday 2026-10-31; clocks fall back on Sunday 2026-11-01 in California.
    arrival = datetime(2026, 10, 31, 10, 0, tzinfo=PACIFIC)
    lead = import_lead(workspace, arrival.astimezone(UTC))
    with open_workspace(workspace.root) as context:
        from leadchase.cadence_preview import preview_cadence

        preview = preview_cadence(context, arrival.astimezone(UTC), lead=str(lead))
    for row in preview.rows:
        local = row.due.astimezone(PACIFIC)
        assert 9 <= local.hour < 20, row
    day2_calls = [r for r in preview.rows if r.day == 2 and r.channel == "call"]
    assert day2_calls[0].due.astimezone(PACIFIC).hour == 9  # 09:00 PST, the day after the change


@pytest.mark.both_backends
def test_dnc_number_is_never_offered_for_texting_or_calling(
    workspace: Workspace,
) -> None:
    start = SF_MORNING
    import_lead(workspace, start)
    with open_workspace(workspace.root) as context, context.database.writing() as connection:
        suppressions.add(connection, "+14155552671", channel="dnc", reason="dnc", now=start)
    agenda = agenda_at(workspace, start + timedelta(minutes=5))
    channels = {item.channel: item for item in agenda.items}
    assert "text" not in channels
    assert "call" not in channels  # a person dialling it breaks the same rule as a text
    assert "email" in channels


@pytest.mark.both_backends
def test_today_json_is_a_stable_list(workspace: Workspace) -> None:
    start = SF_MORNING
    import_lead(workspace, start)
    result = run("today", "--json", now="2026-03-02T18:05:00+00:00")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert {item["channel"] for item in items} == {"call", "text", "email"}
    for item in items:
        assert {
            "lead_id",
            "name",
            "channel",
            "due",
            "phone",
            "email",
            "attempt",
            "source",
            "reason",
        } <= set(item)
        assert datetime.fromisoformat(item["due"]).tzinfo is not None


@pytest.mark.both_backends
def test_nothing_due_says_when_the_next_touch_is(workspace: Workspace) -> None:
    start = SF_MORNING
    lead = import_lead(workspace, start)
    for channel in ("call", "text", "email"):
        log_touch_at(workspace, str(lead), channel, start + timedelta(minutes=1))
    result = run("today", now="2026-03-02T18:02:00+00:00")
    assert result.exit_code == 0, result.output
    assert "Nothing due right now. Next touch:" in result.output


@pytest.mark.both_backends
def test_broken_cadence_file_is_reported_and_the_agenda_still_works(workspace: Workspace) -> None:
    start = SF_MORNING
    import_lead(workspace, start)
    (workspace.cadences_dir / "broken.yaml").write_text(
        "name: broken\nsteps:\n  - day: 1\n    sms: 1\n"
    )
    result = run("today", "--json", now="2026-03-02T18:05:00+00:00")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 3
    assert "broken.yaml" in result.stderr and "sms" in result.stderr
    check = run("cadence", "check")
    assert check.exit_code == 1
    assert "broken.yaml" in check.stderr


@pytest.mark.both_backends
def test_editing_a_cadence_file_reaches_leads_already_on_it(workspace: Workspace) -> None:
    start = SF_MORNING
    lead = import_lead(workspace, start)
    agenda_at(workspace, start)  # records the cadence as it was
    for channel in ("call", "text", "email"):
        log_touch_at(workspace, str(lead), channel, start + timedelta(minutes=1))
    path = workspace.cadences_dir / "internet-lead.yaml"
    path.write_text(
        path.read_text().replace('say: "Start from the quote', 'say: "EDITED Start from the quote')
    )
    agenda = agenda_at(workspace, start + timedelta(hours=6), channels=("call",))
    assert agenda.items and agenda.items[0].suggestion is not None
    assert agenda.items[0].suggestion.startswith("EDITED")


@pytest.mark.both_backends
def test_cadence_preview_for_a_made_up_lead(workspace: Workspace) -> None:
    result = run(
        "cadence",
        "preview",
        "--cadence",
        "internet-lead",
        "--state",
        "FL",
        "--json",
        now="2026-03-02T15:00:00+00:00",
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["touches"]
    first_text = next(r for r in rows if r["channel"] == "text")
    assert first_text["day"] == 1 and first_text["due"] == rows[0]["due"]  # on arrival
    assert sum(1 for r in rows if r["day"] <= 10 and r["status"] == "made") == 34
    assert max(r["day"] for r in rows) == 730


@pytest.mark.both_backends
def test_an_opted_out_number_gets_no_texts_when_bought_again(workspace: Workspace) -> None:
    start = SF_MORNING
    with open_workspace(workspace.root) as context, context.database.writing() as connection:
        suppressions.add(connection, "+14155552671", channel="text", reason="opt-out", now=start)
    import_lead(workspace, start)
    agenda = agenda_at(workspace, start + timedelta(minutes=5))
    assert {item.channel for item in agenda.items} == {"call", "email"}


@pytest.mark.both_backends
def test_today_works_while_an_import_holds_the_write_lock(workspace: Workspace) -> None:
    import sqlite3

    start = SF_MORNING
    import_lead(workspace, start)
    agenda_at(workspace, start)  # the cadence fingerprints are recorded
    writer = sqlite3.connect(workspace.default_database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a long import is writing
    try:
        agenda = agenda_at(workspace, start + timedelta(minutes=5))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert {item.channel for item in agenda.items} == {"call", "text", "email"}


def _a_working_day(workspace: Workspace) -> None:
    """Leads of two officers, a logged call, a snooze, an opt-out and a stage, as commands make them."""
    import_leads(workspace, SF_MORNING, 6)
    assert run("officer", "add", "Ana Ruiz", "--from-number", "+14155550111").exit_code == 0
    for lead in ("2", "5"):
        assert run("assign", lead, "Ana Ruiz", now=SF_MORNING).exit_code == 0
    log_touch_at(workspace, "1", "call", SF_MORNING + timedelta(minutes=5), "voicemail")
    assert run("snooze", "3", "3d", now=SF_MORNING).exit_code == 0
    assert run("optout", "4", now=SF_MORNING).exit_code == 0
    assert run("stage", "6", "contacted", now=SF_MORNING).exit_code == 0


@pytest.mark.postgres
def test_today_on_postgres_is_the_agenda_sqlite_gives(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `today` reads PostgreSQL through store/fast.py's own psycopg connection: the same day's
    # work in a SQLite workspace and in this PostgreSQL one gives the same agenda, whoever asks.
    solo, _ = create_workspace(tmp_path / "solo", with_officer(default_settings_text()))
    agendas: list[list[object]] = []
    for home in (solo, workspace):
        monkeypatch.setenv("LEADCHASE_HOME", str(home.root))
        _a_working_day(home)
        agendas.append(
            [
                run_json("today", *who, now=SF_MORNING + later)
                for later in (timedelta(hours=1), timedelta(days=1, hours=2))
                for who in ((), ("--officer", "Ana Ruiz"), ("--officer", "all"))
            ]
        )
    on_sqlite, on_postgres = agendas
    assert on_postgres == on_sqlite
    assert all(on_sqlite) and on_sqlite[1] != on_sqlite[2]  # every view has work, and differs
