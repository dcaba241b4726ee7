"""`today` and working leads, with a fixed clock: what shows, when, in the lead's own time."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from leadchase.agenda import build_agenda
from leadchase.cli import app
from leadchase.context import open_workspace
from leadchase.lead_work import log_touch, set_stage, snooze
from leadchase.store import suppressions
from leadchase.workspace import Workspace
from tests.agenda_helpers import import_lead

PACIFIC = ZoneInfo("America/Los_Angeles")
runner = CliRunner()


def _agenda(workspace: Workspace, now: datetime, **kwargs):
    with open_workspace(workspace.root) as context:
        return build_agenda(context, now, **kwargs)


def _log(
    workspace: Workspace, lead: str, channel: str, now: datetime, outcome: str | None = None
) -> None:
    with open_workspace(workspace.root) as context:
        log_touch(context, lead, channel, outcome, "", now)  # type: ignore[arg-type]


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
            agenda = _agenda(workspace, now)
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
                _log(workspace, str(lead_id), item.channel, now)
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


def test_new_lead_tops_the_agenda_with_a_timer(workspace: Workspace) -> None:
    start = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)  # 10:00 in San Francisco
    old = import_lead(workspace, start, phone="4155552671", email="old@example.com")
    _log(workspace, str(old), "call", start + timedelta(minutes=1))
    later = start + timedelta(days=1, hours=1)
    new = import_lead(
        workspace,
        later - timedelta(minutes=7),
        phone="4155552672",
        email="new@example.com",
        lead_date=later - timedelta(minutes=7),
    )
    agenda = _agenda(workspace, later, channels=("call",))
    assert [item.lead_id for item in agenda.items] == [new, old]
    first = agenda.items[0]
    assert first.new_lead and first.minutes_waiting == 7
    assert first.reason == "new lead, waiting 7 min"
    assert not agenda.items[1].new_lead


def test_missed_touches_collapse_to_one_per_channel(workspace: Workspace) -> None:
    start = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    lead = import_lead(workspace, start)
    five_days_later = start + timedelta(days=5)
    agenda = _agenda(workspace, five_days_later)
    assert Counter(item.channel for item in agenda.items) == {"call": 1, "text": 1, "email": 1}
    assert agenda.items[0].new_lead
    _log(workspace, str(lead), "call", five_days_later)
    after = _agenda(workspace, five_days_later + timedelta(minutes=1), channels=("call",))
    assert after.items == []  # the missed calls of days 1-5 do not come back
    tomorrow = _agenda(workspace, five_days_later + timedelta(days=1), channels=("call",))
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
    agenda = _agenda(
        workspace, expected_local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC), channels=("text",)
    )
    assert len(agenda.items) == 1
    assert agenda.items[0].due.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == expected_local
    before = _agenda(
        workspace,
        expected_local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC) - timedelta(minutes=1),
        channels=("text",),
    )
    assert before.items == []


def test_a_california_address_with_a_florida_cell_gets_florida_hours_in_both_zones(
    workspace: Workspace,
) -> None:
    # 17:30 in San Francisco is 20:30 in Miami: Florida law (8-20) in the Eastern zone says no.
    arrival = datetime(2026, 3, 3, 17, 30, tzinfo=PACIFIC)
    import_lead(
        workspace, arrival.astimezone(UTC), state="CA", zip_code="94103", phone="3058142291"
    )
    agenda = _agenda(workspace, arrival.astimezone(UTC) + timedelta(minutes=5), channels=("text",))
    assert agenda.items == []
    next_morning = datetime(2026, 3, 4, 9, 0, tzinfo=PACIFIC)
    agenda = _agenda(workspace, next_morning.astimezone(UTC), channels=("text",))
    assert agenda.items[0].due.astimezone(PACIFIC) == next_morning


def test_dst_changeover_keeps_local_times(workspace: Workspace) -> None:
    # Arrives Saturday 2026-10-31; clocks fall back on Sunday 2026-11-01 in California.
    arrival = datetime(2026, 10, 31, 10, 0, tzinfo=PACIFIC)
    lead = import_lead(workspace, arrival.astimezone(UTC))
    with open_workspace(workspace.root) as context:
        from leadchase.cadence.preview import preview_cadence

        preview = preview_cadence(context, arrival.astimezone(UTC), lead=str(lead))
    for row in preview.rows:
        local = row.due.astimezone(PACIFIC)
        assert 9 <= local.hour < 20, row
    day2_calls = [r for r in preview.rows if r.day == 2 and r.channel == "call"]
    assert day2_calls[0].due.astimezone(PACIFIC).hour == 9  # 09:00 PST, the day after the change


def test_stage_change_switches_cadence_and_cancels_open_touches(workspace: Workspace) -> None:
    start = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    lead = import_lead(workspace, start)
    with open_workspace(workspace.root) as context:
        _row, cadence = set_stage(context, str(lead), "engaged", start + timedelta(hours=1))
        assert cadence == "engaged"
        _row, none = set_stage(context, str(lead), "dead", start + timedelta(hours=2))
        assert none is None
    assert _agenda(workspace, start + timedelta(days=3)).items == []


def test_engaged_cadence_starts_now(workspace: Workspace) -> None:
    start = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    lead = import_lead(workspace, start)
    result = runner.invoke(
        app, ["stage", str(lead), "engaged"], env={"LEADCHASE_NOW": "2026-03-04T19:00:00+00:00"}
    )
    assert result.exit_code == 0, result.output
    assert "engaged" in result.output
    agenda = _agenda(workspace, datetime(2026, 3, 4, 19, 0, tzinfo=UTC))
    assert agenda.items and all(not item.automated for item in agenda.items)


def test_snooze_hides_a_lead_until_then(workspace: Workspace) -> None:
    start = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    lead = import_lead(workspace, start)
    with open_workspace(workspace.root) as context:
        _row, until = snooze(context, str(lead), "3d", start)
    assert until == start + timedelta(days=3)
    assert _agenda(workspace, start + timedelta(days=2)).items == []
    assert _agenda(workspace, start + timedelta(days=3, hours=1)).items


def test_dnc_number_is_never_offered_for_texting_and_calls_are_flagged(
    workspace: Workspace,
) -> None:
    start = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    import_lead(workspace, start)
    with open_workspace(workspace.root) as context, context.database.writing() as connection:
        suppressions.add(connection, "+14155552671", channel="dnc", reason="dnc", now=start)
    agenda = _agenda(workspace, start + timedelta(minutes=5))
    channels = {item.channel: item for item in agenda.items}
    assert "text" not in channels
    assert channels["call"].dnc is True
    assert "email" in channels


def test_log_accepts_phone_in_any_format_and_email(workspace: Workspace) -> None:
    start = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    import_lead(workspace, start)
    env = {"LEADCHASE_NOW": "2026-03-02T18:05:00+00:00"}
    result = runner.invoke(
        app, ["log", "(415) 555-2671", "call", "--outcome", "left-voicemail"], env=env
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["log", "ANN@example.com", "email"], env=env)
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["log", "ann@example.com", "call", "--outcome", "maybe"], env=env)
    assert result.exit_code == 1 and "no-answer" in result.output
    result = runner.invoke(app, ["log", "4155550000", "call"], env=env)
    assert result.exit_code == 1 and "no lead" in result.output
    shown = runner.invoke(app, ["show", "ann@example.com", "--json"], env=env)
    timeline = json.loads(shown.stdout)["timeline"]
    assert any(e["kind"] == "touch" and "left-voicemail" in e["text"] for e in timeline)
    assert any(e["kind"] == "planned" for e in timeline)


def test_today_json_is_a_stable_list(workspace: Workspace) -> None:
    start = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    import_lead(workspace, start)
    result = runner.invoke(
        app, ["today", "--json"], env={"LEADCHASE_NOW": "2026-03-02T18:05:00+00:00"}
    )
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


def test_nothing_due_says_when_the_next_touch_is(workspace: Workspace) -> None:
    start = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    lead = import_lead(workspace, start)
    for channel in ("call", "text", "email"):
        _log(workspace, str(lead), channel, start + timedelta(minutes=1))
    result = runner.invoke(app, ["today"], env={"LEADCHASE_NOW": "2026-03-02T18:02:00+00:00"})
    assert result.exit_code == 0, result.output
    assert "Nothing due right now. Next touch:" in result.output


def test_broken_cadence_file_is_reported_and_the_agenda_still_works(workspace: Workspace) -> None:
    start = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    import_lead(workspace, start)
    (workspace.cadences_dir / "broken.yaml").write_text(
        "name: broken\nsteps:\n  - day: 1\n    sms: 1\n"
    )
    result = runner.invoke(
        app, ["today", "--json"], env={"LEADCHASE_NOW": "2026-03-02T18:05:00+00:00"}
    )
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 3
    assert "broken.yaml" in result.stderr and "sms" in result.stderr
    check = runner.invoke(app, ["cadence", "check"])
    assert check.exit_code == 1
    assert "broken.yaml" in check.stderr


def test_editing_a_cadence_file_reaches_leads_already_on_it(workspace: Workspace) -> None:
    start = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    lead = import_lead(workspace, start)
    _agenda(workspace, start)  # records the cadence as it was
    for channel in ("call", "text", "email"):
        _log(workspace, str(lead), channel, start + timedelta(minutes=1))
    path = workspace.cadences_dir / "internet-lead.yaml"
    path.write_text(
        path.read_text().replace(
            'say: "Call within 5 minutes', 'say: "EDITED Call within 5 minutes'
        )
    )
    agenda = _agenda(workspace, start + timedelta(hours=6), channels=("call",))
    assert agenda.items and agenda.items[0].suggestion is not None
    assert agenda.items[0].suggestion.startswith("EDITED")


def test_cadence_preview_for_a_made_up_lead(workspace: Workspace) -> None:
    result = runner.invoke(
        app,
        ["cadence", "preview", "--cadence", "internet-lead", "--state", "FL", "--json"],
        env={"LEADCHASE_NOW": "2026-03-02T15:00:00+00:00"},
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    first_text = next(r for r in rows if r["channel"] == "text")
    assert first_text["day"] == 1 and first_text["due"] == rows[0]["due"]  # on arrival
    assert sum(1 for r in rows if r["day"] <= 10) == 34
    assert max(r["day"] for r in rows) == 730


def test_an_opted_out_number_gets_no_texts_when_bought_again(workspace: Workspace) -> None:
    start = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    with open_workspace(workspace.root) as context, context.database.writing() as connection:
        suppressions.add(connection, "+14155552671", channel="text", reason="opt-out", now=start)
    import_lead(workspace, start)
    agenda = _agenda(workspace, start + timedelta(minutes=5))
    assert {item.channel for item in agenda.items} == {"call", "email"}


def test_today_works_while_an_import_holds_the_write_lock(workspace: Workspace) -> None:
    import sqlite3

    start = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    import_lead(workspace, start)
    _agenda(workspace, start)  # the cadence fingerprints are recorded
    writer = sqlite3.connect(workspace.default_database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a long import is writing
    try:
        agenda = _agenda(workspace, start + timedelta(minutes=5))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert {item.channel for item in agenda.items} == {"call", "text", "email"}


def test_a_text_logged_by_hand_keeps_the_suggested_wording_and_variant(
    workspace: Workspace,
) -> None:
    from sqlalchemy import create_engine, text

    start = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    lead = import_lead(workspace, start)
    (shown,) = _agenda(workspace, start + timedelta(minutes=1), channels=("text",)).items
    assert shown.message and "Ann" in shown.message
    _log(workspace, str(lead), "text", start + timedelta(minutes=2))
    engine = create_engine(f"sqlite:///{workspace.default_database}")
    with engine.connect() as connection:
        rows = list(connection.execute(text("SELECT body, template, variant, status FROM message")))
        variants = list(connection.execute(text("SELECT variant FROM touch WHERE status = 'done'")))
    engine.dispose()
    assert rows == [(shown.message, shown.template, variants[0][0], "sent by hand")]
    later = _agenda(workspace, start + timedelta(days=1), channels=("text",)).items
    assert later and later[0].message != shown.message  # the next text never repeats it
