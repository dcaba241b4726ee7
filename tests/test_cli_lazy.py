"""The root group builds commands on first use: its static table and its own --help must stay
what the real commands and Typer's Rich help would say."""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer import rich_utils
from typer._click import Command
from typer.core import TyperGroup

from leadchase.cli import app, outline
from leadchase.cli.lazy import LazyGroup, built_commands
from leadchase.cli.outline import COMMANDS
from leadchase.cli.reference import command_help
from leadchase.cli.root_help import print_root_help


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


def _typers_own_help(group: LazyGroup, program: str) -> None:
    """What Typer's Rich help prints for the root with every command built: help_panels'
    Group, LazyGroup's parent, shows flags without a value, then typer.rich_utils draws it."""
    context = group.make_context(program, [], resilient_parsing=True)
    for name in group.list_commands(context):
        group.get_command(context, name)
    super(LazyGroup, group).format_help(context, context.make_formatter())


@pytest.mark.parametrize("colour", [True, False])
@pytest.mark.parametrize("width", [40, 60, 80, 100, 150])
def test_root_help_is_what_typers_rich_help_prints(
    width: int, colour: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both ways to the root's help, from cli/outline.py alone (`leadchase --help`) and through
    Typer (`leadchase --home x --help`), print what Typer's Rich help prints for the app."""
    for name in ("TERMINAL_WIDTH", "FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", str(width))
    monkeypatch.setattr(rich_utils, "MAX_WIDTH", None)
    if colour:
        monkeypatch.setenv("FORCE_COLOR", "1")
        monkeypatch.setattr(rich_utils, "FORCE_TERMINAL", True)
    else:
        monkeypatch.setenv("_TYPER_FORCE_DISABLE_TERMINAL", "1")
        monkeypatch.setattr(rich_utils, "FORCE_TERMINAL", False)
    print_root_help(f"Usage: leadchase {outline.USAGE}")
    ours = capsys.readouterr().out
    group = typer.main.get_command(app)
    assert isinstance(group, LazyGroup)
    group.get_help(group.make_context("leadchase", [], resilient_parsing=True))
    through_typer = capsys.readouterr().out
    _typers_own_help(group, "leadchase")
    theirs = capsys.readouterr().out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", ours)
    assert "Commands" in plain and "--home" in plain and "init" in plain
    assert max(map(len, plain.splitlines())) == width
    assert ("\x1b[" in ours) is colour
    assert ours == theirs
    assert through_typer == theirs


# What changes how the help is drawn, or whether Typer completes a word instead.
_SETTINGS = {
    *("COLUMNS", "TERMINAL_WIDTH", "FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS", "NO_COLOR"),
    *("TYPER_USE_RICH", "_TYPER_FORCE_DISABLE_TERMINAL"),
    "_LEADCHASE_COMPLETE",
}


def _answer(command: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in _SETTINGS}
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**clean, "PYTHONWARNINGS": "ignore", **env},
        check=False,
        timeout=60,
    )
    return result.returncode, result.stdout, result.stderr


def _through_typer(
    args: list[str], env: dict[str, str], program: str, *, own: bool
) -> tuple[int, str, str]:
    """The command line that answers `args` through Typer, as `leadchase` did before it printed
    its root's help by itself; with `own`, with Typer's own Rich help for the root."""
    code = (
        "from leadchase.cli import app, help_panels, lazy\n"
        f"if {own}:\n"
        "    lazy.LazyGroup.format_help = help_panels.Group.format_help\n"
        f"app(prog_name={program!r})\n"
    )
    return _answer([sys.executable, "-c", code, *args], env)


LEADCHASE = str(Path(sys.executable).with_name("leadchase"))


@pytest.mark.parametrize(
    ("args", "env"),
    [
        ([], {"COLUMNS": "80"}),
        (["--help"], {"COLUMNS": "120", "FORCE_COLOR": "1"}),
        (["-h"], {"COLUMNS": "60", "TERMINAL_WIDTH": "90"}),
        (["--help"], {"_TYPER_FORCE_DISABLE_TERMINAL": "1", "FORCE_COLOR": "1"}),
    ],
)
def test_leadchase_answers_its_root_help_as_typer_does(
    args: list[str], env: dict[str, str]
) -> None:
    """The exit code (2 with no arguments: a usage error), the output and nothing on stderr."""
    ours = _answer([LEADCHASE, *args], env)
    assert ours == _through_typer(args, env, "leadchase", own=True)
    assert "Commands" in ours[1]


@pytest.mark.parametrize(
    ("program", "args", "env"),
    [
        ("python -m leadchase", ["--help"], {"COLUMNS": "50"}),  # Click's name for it, wrapped
        ("leadchase-of-the-office", ["-h"], {"COLUMNS": "50"}),  # a usage line Click wraps
        ("leadchase", [], {"_LEADCHASE_COMPLETE": "complete_bash", "COMP_WORDS": "leadchase to"}),
        ("leadchase", [], {"TYPER_USE_RICH": "0"}),
    ],
)
def test_what_changes_typers_answer_is_left_to_typer(
    program: str, args: list[str], env: dict[str, str], tmp_path: Path
) -> None:
    if program == "python -m leadchase":
        command = [sys.executable, "-m", "leadchase"]
    else:
        command = [str(tmp_path / program)]
        shutil.copy(LEADCHASE, command[0])  # the same script under another name
    env = {"COMP_CWORD": "1", **env}
    ours = _answer([*command, *args], env)
    assert ours == _through_typer(args, env, program, own=False)
    if program != "leadchase":  # Click wrapped the usage line
        assert f"Usage: {program} " in ours[1]
        assert f"Usage: {program} [OPTIONS] COMMAND [ARGS]..." not in ours[1]
    elif "_LEADCHASE_COMPLETE" in env:
        assert ours == (0, "today\ntoken\n", "")
    else:
        assert ours[0] == 2 and ours[2] == "\n"


def test_a_reader_gone_away_ends_the_root_help_as_typer_does() -> None:
    """`leadchase --help | head -1`: exit code 1 and nothing on stderr, no traceback."""

    def closed_pipe(command: list[str]) -> tuple[int, str]:
        reader, writer = os.pipe()
        os.close(reader)  # no one reads: the first write fails with EPIPE
        try:
            result = subprocess.run(
                command, stdout=writer, stderr=subprocess.PIPE, text=True, check=False, timeout=60
            )
        finally:
            os.close(writer)
        return result.returncode, result.stderr

    code = "from leadchase.cli import app\napp(prog_name='leadchase')\n"
    for args in ([], ["--help"]):
        ours = closed_pipe([LEADCHASE, *args])
        assert ours == closed_pipe([sys.executable, "-c", code, *args])
        assert ours == (1, "")


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
