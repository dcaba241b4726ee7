"""Strict settings: a misspelt section or key in leadchase.toml stops, naming the line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadchase.config import load_settings
from leadchase.errors import ConfigError
from leadchase.workspace import Workspace
from tests.conftest import PROJECT, run


def _edit(workspace: Workspace, old: str, new: str) -> None:
    """Replace `old` (once) in leadchase.toml."""
    text = workspace.settings_file.read_text()
    assert old in text, old
    workspace.settings_file.write_text(text.replace(old, new, 1))


def _line_of(workspace: Workspace, written: str) -> int:
    lines = workspace.settings_file.read_text().splitlines()
    return lines.index(written) + 1


@pytest.mark.parametrize(
    ("old", "new", "written", "message"),
    [
        (
            'window_end = "20:00"',
            'window_ends = "18:00"',
            'window_ends = "18:00"',
            '[contact] has no key "window_ends"; did you mean "window_end"?',
        ),
        ("[officer]", "[oficer]", "[oficer]", "no section [oficer]; did you mean [officer]?"),
        (
            "[cadence.by_source]",
            "[cadence.by_sorce]",
            "[cadence.by_sorce]",
            '[cadence] has no key "by_sorce"; did you mean "by_source"?',
        ),
        (
            "[daemon]",
            '[daemon]\nwatch_folder = "in"',
            'watch_folder = "in"',
            '[daemon] has no key "watch_folder"; did you mean "watch_dir"?',
        ),
    ],
)
def test_an_unknown_key_or_section_stops_every_command_naming_the_line(
    workspace: Workspace, old: str, new: str, written: str, message: str
) -> None:
    _edit(workspace, old, new)
    where = f"{workspace.settings_file}: line {_line_of(workspace, written)}: "
    with pytest.raises(ConfigError) as raised:
        load_settings(workspace)
    assert str(raised.value).startswith(where + message), str(raised.value)
    result = run("leads")
    assert result.exit_code == 3
    assert message in result.stderr.replace("\n", " ") and "Traceback" not in result.output


def test_an_unknown_key_with_no_near_name_lists_the_valid_ones(workspace: Workspace) -> None:
    _edit(workspace, "[replies]", "[replies]\ncolour = 5")
    with pytest.raises(
        ConfigError, match=r'\[replies\] has no key "colour"; its keys are: stage_on_reply'
    ):
        load_settings(workspace)


def test_an_unknown_key_in_an_inline_table_points_at_the_table(workspace: Workspace) -> None:
    workspace.settings_file.write_text('# mine\n\nofficer = { name = "Pat Lee", nmls_id = "1" }\n')
    with pytest.raises(
        ConfigError, match=r': line 3: \[officer\] has no key "nmls_id"; did you mean "nmls"\?'
    ):
        load_settings(workspace)


def test_the_free_tables_take_any_source_name(workspace: Workspace) -> None:
    _edit(workspace, "[cadence.by_source]", '[cadence.by_source]\n"Zillow Premier" = "aged-lead"')
    _edit(workspace, "[sources.cost_per_lead]", '[sources.cost_per_lead]\n"Zillow Premier" = 30')
    settings = load_settings(workspace)
    assert settings.cadence.for_source("zillow premier") == "aged-lead"
    assert settings.cost_per_lead == {"Zillow Premier": 30.0}


@pytest.mark.parametrize(
    ("table", "line", "message"),
    [
        (
            "[cadence.by_source]",
            '"Zillow" = 3',
            r'\[cadence.by_source\] "Zillow" must be a quoted cadence name',
        ),
        (
            "[sources.cost_per_lead]",
            '"Zillow" = "a lot"',
            r'\[sources.cost_per_lead\] "Zillow" must be a number of dollars',
        ),
    ],
)
def test_a_free_table_value_of_the_wrong_type_names_it(
    workspace: Workspace, table: str, line: str, message: str
) -> None:
    _edit(workspace, table, f"{table}\n{line}")
    with pytest.raises(ConfigError, match=message):
        load_settings(workspace)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'default = "internet-lead"',
            'default = "internet-leads"',
            '[cadence] default "internet-leads" is not a cadence in cadences/; '
            'did you mean "internet-lead"?',
        ),
        (
            'aged_cadence = "aged-lead"',
            'aged_cadence = "stale"',
            '[cadence] aged_cadence "stale" is not a cadence in cadences/; '
            "the cadences are: aged-lead, closed, engaged, internet-lead, lost, nurture, "
            "pre-approved, rate-drop, under-contract",
        ),
        (
            '# "Aged Refi Vendor" = "aged-lead"',
            '"Aged Refi Vendor" = "aged-leads"',
            '[cadence.by_source] "Aged Refi Vendor" = "aged-leads" is not a cadence in '
            'cadences/; did you mean "aged-lead"?',
        ),
    ],
)
def test_the_cadence_settings_must_name_loaded_cadences(
    workspace: Workspace, old: str, new: str, message: str
) -> None:
    _edit(workspace, old, new)
    where = f"{workspace.settings_file}: line {_line_of(workspace, new)}: "
    lead_file = workspace.root / "leads.csv"
    lead_file.write_text("name,phone\nAnn Lee,(415) 555-2671\n")
    for command in (("import", str(lead_file)), ("today",), ("cadence", "check")):
        result = run(*command)
        assert result.exit_code == 3, (command, result.output)
        assert result.stderr.replace("\n", " ").strip() == f"error: {where}{message}"
    doctor = run("doctor")
    assert doctor.exit_code == 1
    words = " ".join(doctor.stdout.split())  # a long line may wrap at any space
    assert " ".join(f"problem cadences: {where}{message}".split()) in words
    assert run("leads").exit_code == 0  # a command that plans no touch is not stopped
    assert run("import", str(lead_file), "--cadence", "internet-lead").exit_code == 3


def test_a_broken_cadence_file_is_reported_as_the_cadence_s_problem(workspace: Workspace) -> None:
    cadence = workspace.cadences_dir / "aged-lead.yaml"
    cadence.write_text(cadence.read_text().replace("steps:", "stepz:", 1))
    result = run("cadence", "check")
    assert result.exit_code == 1
    assert "aged-lead.yaml" in result.stderr and "[cadence]" not in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "command"),
    [
        ('window_end = "20:00"', 'window_ends = "20:00"', "leads"),
        ('default = "internet-lead"', 'default = "internet-leads"', "today"),
    ],
)
def test_the_documented_examples_are_what_a_new_workspace_prints(
    tmp_path: Path, old: str, new: str, command: str
) -> None:
    run("init", str(tmp_path / "office"))
    settings = tmp_path / "office" / "leadchase.toml"
    settings.write_text(settings.read_text().replace(old, new, 1))
    result = run("--home", str(tmp_path / "office"), command)
    assert result.exit_code == 3
    printed = " ".join(result.stderr.split()).removeprefix(f"error: {tmp_path / 'office'}/")
    documented = " ".join((PROJECT / "docs" / "configuration.md").read_text().split())
    assert f"`{printed}`" in documented
