"""The command itself: help, version, workspace lookup, error boundary, fast start."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from leadchase.workspace import Workspace
from tests.conftest import run


def test_help_lists_commands() -> None:
    result = run("-h")
    assert result.exit_code == 0
    assert "import" in result.output
    assert "init" in result.output


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.startswith("leadchase ")


def test_init_creates_private_workspace(tmp_path: Path) -> None:
    target = tmp_path / "office"
    result = run("init", str(target))
    assert result.exit_code == 0, result.output
    assert (target / "leadchase.toml").is_file()
    assert any((target / "cadences").glob("*.yaml"))
    assert any((target / "templates").rglob("*.j2"))
    for private in (target / "leadchase.toml", target / "leadchase.db"):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600, private


def test_init_keeps_existing_settings(tmp_path: Path) -> None:
    target = tmp_path / "office"
    run("init", str(target))
    (target / "leadchase.toml").write_text('[officer]\nname = "Pat Lee"\n')
    result = run("init", str(target))
    assert result.exit_code == 0
    assert (target / "leadchase.toml").read_text() == '[officer]\nname = "Pat Lee"\n'


def test_missing_workspace_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("import", "x.csv")
    assert result.exit_code == 3
    assert "run `leadchase init`" in result.output
    assert "Traceback" not in result.output


def test_workspace_found_upward_from_current_folder(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEADCHASE_HOME")
    deeper = workspace.root / "a" / "b"
    deeper.mkdir(parents=True)
    monkeypatch.chdir(deeper)
    lead_file = workspace.root / "leads.csv"
    lead_file.write_text("name,phone\nAnn Lee,(415) 555-2671\n")
    result = run("import", str(lead_file), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["imported"] == 1


def test_home_option_wins_over_environment(workspace: Workspace, tmp_path: Path) -> None:
    result = run("--home", str(tmp_path / "nowhere"), "import", "x.csv")
    assert result.exit_code == 3
    assert "nowhere" in result.output


def test_bad_settings_file_names_the_file(workspace: Workspace) -> None:
    workspace.settings_file.write_text("[contact]\nwindow_start = 'noon'\n")
    lead_file = workspace.root / "leads.csv"
    lead_file.write_text("name,phone\nAnn Lee,(415) 555-2671\n")
    result = run("import", str(lead_file))
    assert result.exit_code == 3
    assert "leadchase.toml" in result.output
    assert "window_start" in result.output


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, check=False, timeout=60
    )


def test_python_dash_m_works() -> None:
    result = _python("-m", "leadchase", "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("leadchase ")


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from leadchase.cli import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ['sqlmodel', 'sqlalchemy', 'twilio', 'apscheduler', 'jinja2', 'phonenumbers',\n"
        "         'typer.rich_utils', 'rich.markdown', 'rich.traceback', 'markdown_it', 'pygments',\n"
        "         'leadchase.cli.today', 'leadchase.cli.dnc', 'leadchase.cli.stats']\n"
        "print('HEAVY=' + ','.join(m for m in heavy if m in sys.modules))\n"
    )
    result = _python("-c", code)
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "HEAVY="


def test_the_root_help_does_not_import_typer() -> None:
    """`leadchase --help` draws the root's help from cli/outline.py with Rich alone (and
    without Rich's table of emoji codes, which no text of it uses)."""
    code = (
        "import sys\n"
        "sys.argv = ['leadchase', '--help']\n"
        "from leadchase.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    print('EXIT=' + str(done.code))\n"
        "ours = ['typer', 'click', 'leadchase.cli.root', 'leadchase.cli.lazy', 'leadchase.display',\n"
        "        'sqlmodel', 'sqlalchemy', 'pydantic', 'jinja2', 'twilio', 'rich.markdown',\n"
        "        'rich._emoji_codes']\n"
        "print('LOADED=' + ','.join(m for m in sys.modules if m.split('.')[0] in ours or m in ours))\n"
    )
    result = _python("-c", code)
    assert result.returncode == 0, result.stderr
    assert "Commands" in result.stdout
    assert result.stdout.strip().splitlines()[-2:] == ["EXIT=0", "LOADED="]


def test_a_locked_database_is_a_clear_wait_not_a_traceback(workspace: Workspace) -> None:
    import sqlite3

    lead_file = workspace.root / "leads.csv"
    lead_file.write_text("name,phone\nAnn Lee,(415) 555-2671\n")
    assert run("import", str(lead_file)).exit_code == 0
    blocker = sqlite3.connect(workspace.default_database, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        from leadchase.store import engine

        original = engine.BUSY_TIMEOUT_MS
        engine.BUSY_TIMEOUT_MS = 100
        try:
            result = run("log", "4155552671", "call")
        finally:
            engine.BUSY_TIMEOUT_MS = original
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert result.exit_code == 4
    assert "busy" in result.output and "Traceback" not in result.output
