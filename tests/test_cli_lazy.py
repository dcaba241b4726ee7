"""The root group builds commands on first use: its static table and its own --help must stay
what the real commands and Typer's Rich help would say."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys

import pytest
import typer.main
from typer import rich_utils
from typer._click import Command
from typer.core import TyperGroup

from leadchase.cli import app
from leadchase.cli.lazy import COMMANDS, built_commands
from leadchase.cli.reference import command_help


def _registering_modules() -> list[str]:
    """Every module of leadchase.cli that registers commands: a module left out of the table
    (its commands unreachable) fails the first test below."""
    import importlib
    import pkgutil

    import leadchase.cli

    found = []
    for info in pkgutil.iter_modules(leadchase.cli.__path__):
        module = importlib.import_module(f"leadchase.cli.{info.name}")
        if callable(getattr(module, "register", None)):
            found.append(info.name)
    return sorted(found)


MODULES = _registering_modules()


def _every_command() -> dict[str, Command]:
    """Every command as the CLI registered them all before: each module's, in the table's order
    of modules, commands before groups as Typer lists them."""
    commands: dict[str, Command] = {}
    for module in MODULES:
        commands.update(built_commands(module))
    return commands


def test_the_table_names_every_command_in_the_module_that_registers_it() -> None:
    every = _every_command()
    assert sorted(every) == sorted(COMMANDS)
    for name, entry in COMMANDS.items():
        assert name in built_commands(entry.module), (name, entry.module)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_tables_summary_is_the_first_paragraph_of_the_commands_help(name: str) -> None:
    command = built_commands(COMMANDS[name].module)[name]
    first = inspect.cleandoc(command.help or "").split("\n\n")[0].replace("\n", " ").strip()
    assert COMMANDS[name].summary == first


def test_the_table_lists_commands_before_groups() -> None:
    every = _every_command()
    kinds = [isinstance(every[name], TyperGroup) for name in COMMANDS]
    assert kinds == sorted(kinds), "Typer lists plain commands first, then groups"


@pytest.mark.parametrize("colour", [True, False])
def test_root_help_is_what_typers_rich_help_prints(
    colour: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TERMINAL_WIDTH", "100")
    monkeypatch.setattr(rich_utils, "MAX_WIDTH", 100)
    if colour:
        monkeypatch.setenv("FORCE_COLOR", "1")
        monkeypatch.setattr(rich_utils, "FORCE_TERMINAL", True)
    else:
        monkeypatch.setenv("_TYPER_FORCE_DISABLE_TERMINAL", "1")
        monkeypatch.setattr(rich_utils, "FORCE_TERMINAL", False)
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    context = group.make_context("leadchase", [], resilient_parsing=True)
    group.get_help(context)
    ours = capsys.readouterr().out
    for name in group.list_commands(context):  # every real command, with its real help
        group.get_command(context, name)
    rich_utils.rich_format_help(obj=group, ctx=context, markup_mode="rich")
    theirs = capsys.readouterr().out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", ours)
    assert "Commands" in plain and "--home" in plain and "init" in plain
    assert ("\x1b[" in ours) is colour
    assert ours == theirs


def test_running_a_command_builds_only_its_own_module() -> None:
    code = (
        "import sys\n"
        "from leadchase.cli import app\n"
        "try:\n"
        "    app(['today', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LOADED=' + ','.join(sorted(m for m in sys.modules if m.startswith('leadchase.cli.')"
        " and m.split('.')[-1] in " + repr(MODULES) + ")))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "LOADED=leadchase.cli.today"


def test_the_reference_still_reaches_every_command() -> None:
    paths = {entry.path for entry in command_help(app)}
    assert {f"leadchase {name}" for name in COMMANDS} <= paths
    assert "leadchase cadence preview" in paths
