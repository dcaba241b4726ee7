"""The documentation stays true to the code: commands, settings, variables, reasons, keys, links.

When one of these fails after a change, the fix is in the docs: `make docs` for docs/cli.md, the
page the message names for the rest.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest
import typer.main
from typer.core import TyperGroup

from leadchase.cli import app
from leadchase.cli.reference import CommandHelp, command_help, exit_codes, render_reference
from leadchase.importing import records
from leadchase.importing.headers import LEAD_FIELDS, map_headers
from leadchase.importing.pipeline import ImportResult
from tests.conftest import PROJECT

DOCS = PROJECT / "docs"
SOURCE = PROJECT / "src" / "leadchase"
README = (PROJECT / "README.md").read_text(encoding="utf-8")
CLI_MD = DOCS / "cli.md"
IMPORTING_MD = (DOCS / "importing.md").read_text(encoding="utf-8")
CONFIGURATION_MD = (DOCS / "configuration.md").read_text(encoding="utf-8")
COMMANDS = command_help(app)


def _section(markdown: str, heading: str) -> str:
    """The text under the first heading containing `heading`, up to the next heading as high."""
    match = re.search(rf"^(#+) .*{re.escape(heading)}.*$", markdown, re.MULTILINE)
    assert match, f"no heading with {heading!r}"
    level = len(match.group(1))
    end = re.compile(rf"^#{{1,{level}}} ", re.MULTILINE).search(markdown, match.end())
    return markdown[match.end() : end.start() if end else len(markdown)]


def test_the_reference_walks_every_command_group() -> None:
    paths = [command.path for command in COMMANDS]
    assert paths[0] == "leadchase"
    assert {"leadchase import", "leadchase today", "leadchase cadence preview"} <= set(paths)
    assert len(paths) == len(set(paths))


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.path)
def test_every_command_has_help(command: CommandHelp) -> None:
    assert command.summary.strip(), f"`{command.path}` has no help: give it a docstring"
    assert command.text.startswith(f"Usage: {command.path} ")


def test_every_option_and_argument_has_help() -> None:
    missing = []

    def walk(command: Any, path: str) -> None:  # a Click command (Typer's own copy of Click)
        for param in command.params:
            if not getattr(param, "help", None):
                missing.append(f"{path} {param.name}")
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                walk(sub, f"{path} {name}")

    walk(typer.main.get_command(app), "leadchase")
    assert not missing, f"give these a help= text: {', '.join(missing)}"


def test_every_command_is_in_the_cli_reference() -> None:
    reference = CLI_MD.read_text(encoding="utf-8")
    absent = [c.path for c in COMMANDS if f"\n## `{c.path}`\n" not in reference]
    assert not absent, f"docs/cli.md lacks {', '.join(absent)}: run `make docs`"


def test_cli_reference_is_up_to_date() -> None:
    assert CLI_MD.read_text(encoding="utf-8") == render_reference(app), (
        "docs/cli.md differs from the commands' --help: run `make docs`"
    )


def test_every_exit_code_is_documented() -> None:
    codes = exit_codes()
    assert [c.code for c in codes] == sorted({c.code for c in codes}), "two names, one code"
    assert {0, 1, 2, 3} <= {c.code for c in codes}
    assert all(c.meaning for c in codes), "give each EXIT_* in errors.py a # comment"
    readme_table = _section(README, "Exit codes")
    for code in codes:
        assert re.search(rf"^\| {code.code} \| \S", readme_table, re.MULTILINE), (
            f"README.md's exit-code table lacks {code.code} ({code.name})"
        )


def _toml_tables(table: dict[str, object], prefix: str = "") -> dict[str, list[str]]:
    """Each TOML table that holds values or is empty -> its keys ("cadence.by_source": [])."""
    found: dict[str, list[str]] = {}
    keys = [key for key, value in table.items() if not isinstance(value, dict)]
    if prefix and (keys or not table):
        found[prefix] = keys
    for key, value in table.items():
        if isinstance(value, dict):
            found |= _toml_tables(value, f"{prefix}.{key}" if prefix else key)
    return found


def test_every_setting_is_documented() -> None:
    shipped = tomllib.loads((SOURCE / "data" / "leadchase.toml").read_text(encoding="utf-8"))
    tables = _toml_tables(shipped)
    assert {"officer", "contact", "cadence.by_source", "twilio", "smtp"} <= set(tables)
    for table, keys in tables.items():
        section = _section(CONFIGURATION_MD, f"`[{table}]`")
        for key in keys:
            assert f"`{key}`" in section, (
                f"docs/configuration.md: [{table}] {key} is not documented under `[{table}]`"
            )


def test_the_officer_table_shows_what_init_writes() -> None:
    shipped = tomllib.loads((SOURCE / "data" / "leadchase.toml").read_text(encoding="utf-8"))
    documented = dict(
        re.findall(
            r"^\| `(\w+)` \| `(\"[^`]*\"|\w+)` \|", _section(CONFIGURATION_MD, "`[officer]`"), re.M
        )
    )
    written = {
        key: f'"{value}"' if isinstance(value, str) else str(value).lower()
        for key, value in shipped["officer"].items()
    }
    assert documented == written, "docs/configuration.md's [officer] table: show what init writes"


def test_every_environment_variable_is_documented() -> None:
    pattern = re.compile(r"[\"']((?:LEADCHASE|TWILIO)_[A-Z0-9_]+)[\"']")
    names = {
        name
        for path in SOURCE.rglob("*.py")
        for name in pattern.findall(path.read_text(encoding="utf-8"))
    }
    assert {"LEADCHASE_HOME", "LEADCHASE_NOW", "TWILIO_AUTH_TOKEN"} <= names
    table = _section(CONFIGURATION_MD, "Environment variables")
    missing = sorted(name for name in names if f"| `{name}` |" not in table)
    assert not missing, f"docs/configuration.md's environment table lacks {', '.join(missing)}"


def test_every_reject_reason_is_documented() -> None:
    reasons = [v for k, v in vars(records).items() if k.isupper() and isinstance(v, str)]
    assert records.NO_CONTACT in reasons and len(reasons) >= 5
    table = _section(IMPORTING_MD, "Rejected rows")
    missing = [reason for reason in reasons if f"| `{reason}` |" not in table]
    assert not missing, f"docs/importing.md's reject table lacks {missing}"


def test_every_import_json_key_is_documented() -> None:
    keys = ImportResult(file="x.csv", batch=None, encoding="utf-8", delimiter=",", mapping=[])
    table = _section(IMPORTING_MD, "`--json`")
    missing = [key for key in keys.to_json() if f"| `{key}` |" not in table]
    assert not missing, f"docs/importing.md's --json table lacks {missing}"


def _synonym_rows() -> dict[str, list[str]]:
    rows = {}
    for line in _section(IMPORTING_MD, "header synonyms").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = re.findall(r"`([^`]+)`", cells[2])
    return rows


def test_the_synonym_table_lists_every_lead_field() -> None:
    documented = _synonym_rows()
    assert sorted(documented) == sorted(LEAD_FIELDS), "update the table in docs/importing.md"


def test_every_documented_spelling_maps_to_its_field() -> None:
    wrong = []
    for field, spellings in _synonym_rows().items():
        assert spellings, f"docs/importing.md lists no spelling for {field}"
        for spelling in spellings:
            # An email column makes any header list importable; the spelling comes first, so it
            # wins a tie with the email column when it is itself an email spelling.
            _, guessed = map_headers([spelling, "email"]).assignments[0]
            if guessed != field:
                wrong.append(f"{spelling!r} maps to {guessed}, not {field}")
    assert not wrong, "docs/importing.md: " + "; ".join(wrong)


def test_readme_quickstart_is_make_demo_and_make_test() -> None:
    quickstart = _section(README, "Quickstart")
    assert "make demo" in quickstart
    assert "make test" in quickstart


def test_readme_architecture_names_every_package_and_module() -> None:
    architecture = _section(README, "Architecture")
    parts = [
        f"{p.name}/" if p.is_dir() else p.name
        for p in SOURCE.iterdir()
        if not p.name.startswith(("_", "."))
        and (p.is_dir() or p.suffix == ".py")
        and p.name != "__pycache__"
    ]
    missing = sorted(part for part in parts if part not in architecture)
    assert not missing, f"README.md's architecture section does not mention {', '.join(missing)}"


@pytest.mark.parametrize(
    "page",
    ["README.md", "docs/index.md", "docs/importing.md", "docs/configuration.md", "docs/cli.md"],
)
def test_relative_links_point_at_files_that_exist(page: str) -> None:
    path = PROJECT / page
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8"))
    relative = [t for t in targets if "://" not in t and not t.startswith("mailto:")]
    broken = [t for t in relative if not (path.parent / t).exists()]
    assert not broken, f"{page} links to missing files: {', '.join(broken)}"
