"""A team of officers: adding and removing them, who gets which new lead, moving a lead, and
whose work `today`, `leads` and `stats --by officer` show."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from leadchase.workspace import Workspace
from tests.conftest import PHONES, SF_MORNING, query, run, run_json

ANA = "+14155550111"
BEN = "+14155550122"


def add_officers(*names: tuple[str, str]) -> None:
    for name, number in names:
        result = run("officer", "add", name, "--from-number", number)
        assert result.exit_code == 0, result.output


def import_file(
    workspace: Workspace, rows: list[tuple[str, str]], *args: str, tag: str = "a"
) -> dict[str, object]:
    """Leads (name, source) with fresh phones, imported by the CLI at NOW; the --json result."""
    path = workspace.root / f"leads-{tag}.csv"
    start = {"a": 0, "b": 10, "c": 20}[tag]
    lines = [
        f"{name},{PHONES[start + n]},CA,94103,{source}" for n, (name, source) in enumerate(rows)
    ]
    path.write_text("name,phone,state,zip,source\n" + "\n".join(lines) + "\n")
    document: dict[str, object] = run_json("import", str(path), *args, now=SF_MORNING)
    return document


def owners(workspace: Workspace) -> dict[str, str | None]:
    """Each lead's name -> its officer's name (None: the default officer)."""
    rows = query(
        workspace,
        "SELECT lead.name, officer.name FROM lead LEFT JOIN officer ON officer.id = lead.officer_id",
    )
    return {lead: officer for lead, officer in rows}


def set_assign(workspace: Workspace, text: str) -> None:
    settings = workspace.settings_file.read_text()
    start = settings.index("[assign]")
    end = settings.index("[daemon]")
    workspace.settings_file.write_text(settings[:start] + text + "\n" + settings[end:])


# -- officer add | list | remove ----------------------------------------------------------------


def test_officers_are_added_listed_with_their_leads_and_checked(workspace: Workspace) -> None:
    added = run_json(
        "officer", "add", "Ana  Ruiz", "--from-number", "(415) 555-0111", "--nmls", "99",
        "--signature", "Senior Loan Officer", "--window-start", "08:30", "--window-end", "17:00",
    )  # fmt: skip
    assert added["added"] is True
    assert added["officer"]["name"] == "Ana Ruiz"  # spaces tidied
    assert added["officer"]["from_number"] == ANA  # E.164
    assert added["officer"]["timezone"] == "America/New_York"  # [contact] default_timezone
    listed = run_json("officer", "list")
    assert [(line["name"], line["default"]) for line in listed] == [
        ("Jordan Rivera", True),
        ("Ana Ruiz", False),
    ]
    for args, problem in [
        (("Ana Ruiz",), "already an officer"),
        (("Jordan Rivera",), "is the default officer"),
        (("Ben", "--from-number", "12"), "is not a phone number"),
        (("Ben", "--from-number", ANA), f"{ANA} is already Ana Ruiz's"),
        (("Ben", "--messaging-service", "XX1"), "is not a Twilio messaging service SID"),
        (("Ben", "--window-start", "18:00", "--window-end", "09:00"), "must be after"),
        (("all",), "a word --officer reads"),
    ]:
        result = run("officer", "add", *args)
        assert result.exit_code == 1, args
        assert problem in result.stderr, (args, result.stderr)
    assert len(run_json("officer", "list")) == 2  # nothing was added by the refusals


def test_removing_an_officer_who_owns_leads_needs_someone_to_take_them(
    workspace: Workspace,
) -> None:
    add_officers(("Ana Ruiz", ANA), ("Ben Ode", BEN))
    import_file(workspace, [("Kim Lu", "Zillow"), ("Sam Ito", "Zillow")], "--officer", "ana ruiz")
    refused = run("officer", "remove", "Ana Ruiz")
    assert refused.exit_code == 1
    assert "Ana Ruiz owns 2 leads" in refused.stderr and "nothing was changed" in refused.stderr
    assert set(owners(workspace).values()) == {"Ana Ruiz"}
    removed = run("officer", "remove", "Ana Ruiz", "--leads-to", "Ben Ode")
    assert removed.exit_code == 0, removed.output
    assert "2 leads moved to Ben Ode" in removed.stdout
    assert set(owners(workspace).values()) == {"Ben Ode"}
    listed = {line["name"]: line for line in run_json("officer", "list", "--all")}
    assert listed["Ana Ruiz"]["officer"]["active"] is False and listed["Ana Ruiz"]["leads"] == 0
    assert "Ana Ruiz" not in {line["name"] for line in run_json("officer", "list")}
    events = query(workspace, "SELECT detail FROM event WHERE kind = 'assigned' ORDER BY id")
    assert events[-1] == ("from Ana Ruiz to Ben Ode (Ana Ruiz left the team)",)
    # Gone from the team: no new leads for her, and she may come back.
    late = run("import", str(workspace.root / "leads-a.csv"), "--force", "--officer", "Ana Ruiz")
    assert late.exit_code == 1 and "has left the team" in late.stderr
    back = run_json("officer", "add", "Ana Ruiz", "--from-number", ANA)
    assert back["added"] is False and back["officer"]["active"] is True


# -- who gets a new lead -------------------------------------------------------------------------


@pytest.mark.both_backends
def test_new_leads_go_by_officer_flag_then_source_pattern_then_round_robin(
    workspace: Workspace,
) -> None:
    add_officers(("Ana Ruiz", ANA), ("Ben Ode", BEN), ("Cy Park", "+14155550133"))
    set_assign(
        workspace,
        '[assign]\nround_robin = true\n\n[assign.by_source]\n"zillow*" = "Ana Ruiz"\n'
        '"LendingTree" = "default"\n',
    )
    import_file(
        workspace,
        [("Zed Zillow", "Zillow Premier"), ("Lee Tree", "LENDINGTREE")]
        + [(f"Rob {n}", "Facebook") for n in range(4)],
    )
    import_file(workspace, [("Rob 4", "Facebook"), ("Rob 5", "Facebook")], tag="b")
    import_file(workspace, [("Flag One", "Zillow")], "--officer", "Cy Park", tag="c")
    owned = owners(workspace)
    assert owned["Zed Zillow"] == "Ana Ruiz"
    assert owned["Lee Tree"] is None  # the default officer
    assert owned["Flag One"] == "Cy Park"  # --officer beats the pattern
    # In turn among the active officers, in the order they were added, across imports.
    dealt = [owned[f"Rob {n}"] for n in range(6)]
    assert dealt == ["Ana Ruiz", "Ben Ode", "Cy Park"] * 2
    details = dict(query(workspace, "SELECT lead.name, event.detail FROM event "
                         "JOIN lead ON lead.id = event.lead_id WHERE kind = 'assigned'"))  # fmt: skip
    assert details["Zed Zillow"] == 'to Ana Ruiz by [assign.by_source] "zillow*"'
    assert details["Rob 5"] == "to Cy Park by round-robin, turn 6"
    assert details["Flag One"] == "to Cy Park by --officer"


def test_a_dry_run_deals_no_turn_and_a_rule_naming_nobody_stops_the_import(
    workspace: Workspace,
) -> None:
    add_officers(("Ana Ruiz", ANA), ("Ben Ode", BEN))
    set_assign(workspace, "[assign]\nround_robin = true\n")
    import_file(workspace, [("Dry Run", "Facebook")], "--dry-run")
    import_file(workspace, [("First Real", "Facebook")], tag="b")
    assert owners(workspace) == {"First Real": "Ana Ruiz"}  # turn 1, not 2
    set_assign(workspace, '[assign]\n[assign.by_source]\n"Zillow" = "Nobody Here"\n')
    path = workspace.root / "leads-c.csv"
    path.write_text(f"name,phone,state,source\nNo Go,{PHONES[30]},CA,Zillow\n")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "[assign.by_source] \"Zillow\" names 'Nobody Here'" in result.stderr
    assert "No Go" not in owners(workspace)


def test_without_officers_every_lead_stays_the_default_officers(workspace: Workspace) -> None:
    set_assign(workspace, "[assign]\nround_robin = true\n")
    import_file(workspace, [("Solo One", "Zillow"), ("Solo Two", "Facebook")])
    assert owners(workspace) == {"Solo One": None, "Solo Two": None}
    assert query(workspace, "SELECT count(*) FROM event WHERE kind = 'assigned'") == [(0,)]


# -- moving a lead ----------------------------------------------------------------------------


def test_assign_moves_a_lead_with_its_open_touches(workspace: Workspace) -> None:
    add_officers(("Ana Ruiz", ANA), ("Ben Ode", BEN))
    import_file(workspace, [("Kim Lu", "Zillow")], "--officer", "Ana Ruiz")
    open_touches = query(
        workspace, "SELECT count(*) FROM touch WHERE status IN ('planned', 'held')"
    )[0][0]
    assert open_touches > 0
    moved = run_json("assign", "1", "ben ode")
    assert (moved["previous"], moved["officer"], moved["open_touches"]) == (
        "Ana Ruiz",
        "Ben Ode",
        open_touches,
    )
    assert owners(workspace) == {"Kim Lu": "Ben Ode"}
    assert run("assign", "1", "default").exit_code == 0
    assert owners(workspace) == {"Kim Lu": None}
    unknown = run("assign", "1", "Zoe")
    assert unknown.exit_code == 1 and "no officer 'Zoe'" in unknown.stderr
    details = [d for (d,) in query(workspace, "SELECT detail FROM event WHERE kind='assigned'")]
    assert details[-2:] == [
        f"from Ana Ruiz to Ben Ode, {open_touches} open touches",
        f"from Ben Ode to Jordan Rivera, {open_touches} open touches",
    ]


# -- whose work is shown ------------------------------------------------------------------------


def _agenda_names(*args: str, env: dict[str, str] | None = None) -> set[str]:
    items = run_json("today", *args, now=SF_MORNING, env=env)
    return {item["name"] for item in items}


def test_today_shows_one_officers_work(workspace: Workspace) -> None:
    import_file(workspace, [("Mine Lead", "Zillow")])
    # No officers yet: the workspace is one officer's, and `today` shows every lead.
    assert _agenda_names() == {"Mine Lead"}
    add_officers(("Ana Ruiz", ANA), ("Ben Ode", BEN))
    import_file(workspace, [("Ana Lead", "Zillow")], "--officer", "Ana Ruiz", tag="b")
    import_file(workspace, [("Ben Lead", "Zillow")], "--officer", "Ben Ode", tag="c")
    assert _agenda_names("--officer", "Ana Ruiz") == {"Ana Lead"}
    assert _agenda_names(env={"LEADCHASE_OFFICER": "ben ode"}) == {"Ben Lead"}
    assert _agenda_names() == {"Mine Lead"}  # the default officer's own
    assert _agenda_names("--officer", "all") == {"Mine Lead", "Ana Lead", "Ben Lead"}
    shown = run("today", "--officer", "Ana Ruiz", now=SF_MORNING)
    assert "Ana Ruiz's leads" in shown.stdout and "Ben Lead" not in shown.stdout
    nobody = run("today", "--officer", "Zoe", now=SF_MORNING)
    assert nobody.exit_code == 1 and "no officer 'Zoe'" in nobody.stderr
    leads = run_json("leads", "--officer", "Ben Ode")
    assert [lead["name"] for lead in leads] == ["Ben Lead"]
    assert len(run_json("leads")) == 3


def test_stats_by_officer_compares_speed_to_lead_and_conversion(workspace: Workspace) -> None:
    add_officers(("Ana Ruiz", ANA), ("Ben Ode", BEN))
    import_file(workspace, [("Ana One", "Zillow"), ("Ana Two", "Zillow")], "--officer", "Ana Ruiz")
    import_file(workspace, [("Ben One", "Zillow")], "--officer", "Ben Ode", tag="b")
    five_minutes = SF_MORNING.replace(minute=5)
    logged = run("log", "1", "call", "--outcome", "talked", now=five_minutes)
    assert logged.exit_code == 0, logged.output
    assert run("stage", "1", "application", now=five_minutes).exit_code == 0
    rows = {row["officer"]: row for row in run_json("stats", "--by", "officer", now=five_minutes)}
    assert list(rows) == ["Jordan Rivera", "Ana Ruiz", "Ben Ode"]
    assert [rows[name]["leads"] for name in rows] == [0, 2, 1]
    ana = rows["Ana Ruiz"]
    speed = ana["speed_to_lead"]["first_touch"]
    assert speed["touched"] == 1 and speed["median_seconds"] == 300
    assert rows["Ben Ode"]["speed_to_lead"]["first_touch"]["touched"] == 0
    assert ana["conversion"]["all"]["application"] == 1
    assert rows["Ben Ode"]["conversion"]["all"]["application"] == 0
    table = run("stats", "--by", "officer", now=five_minutes)
    assert table.exit_code == 0 and "BY OFFICER" in table.stdout and "Ana Ruiz" in table.stdout


@pytest.mark.parametrize("key", ["round_robin = 1", '[assign.by_source]\n"Zillow" = 3'])
def test_assign_settings_of_the_wrong_type_stop_with_the_key(
    workspace: Workspace, key: str
) -> None:
    set_assign(workspace, f"[assign]\n{key}\n")
    result = run("officer", "list")
    assert result.exit_code == 3
    assert "[assign" in result.stderr


def test_the_settings_file_and_its_templates_know_the_signature(tmp_path: Path) -> None:
    assert run("init", str(tmp_path / "office")).exit_code == 0
    text = (tmp_path / "office" / "leadchase.toml").read_text()
    assert 'signature = ""' in text and "round_robin = false" in text


def test_a_call_made_before_the_officers_own_hours_is_logged_without_force(
    workspace: Workspace,
) -> None:
    """An officer's hours say when leadchase works for them (their texts, their tasks), not
    when they may record a call they made: the law's window and caps still decide that."""
    added = run(
        "officer", "add", "Cy Hale", "--window-start", "11:00", "--window-end", "18:00",
        "--timezone", "America/Los_Angeles",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    import_file(workspace, [("Kim Lu", "Zillow")], "--officer", "Cy Hale")
    ((lead,),) = query(workspace, "SELECT id FROM lead WHERE name = 'Kim Lu'")
    # 10:00 in San Francisco: the lead's window is open, Cy's own hours are not.
    agenda = run_json("today", "--officer", "Cy Hale", now=SF_MORNING)
    (call,) = [task for task in agenda if task["lead_id"] == lead and task["channel"] == "call"]
    assert call["allowed_now"] is False and "Cy Hale's hours" in call["blocked_reason"]
    logged = run("log", str(lead), "call", "--outcome", "no-answer", now=SF_MORNING)
    assert logged.exit_code == 0, logged.output
    assert query(workspace, "SELECT kind FROM event WHERE kind = 'forced'") == []
    made = query(
        workspace,
        f"SELECT outcome FROM touch WHERE lead_id = {lead} AND outcome IS NOT NULL",  # noqa: S608
    )
    assert made == [("no-answer",)]
    # The law still holds a logged call: 05:00 the lead's time needs --force.
    early = run("log", str(lead), "call", now=SF_MORNING - timedelta(hours=5))
    assert early.exit_code == 1 and "--force" in early.stderr
