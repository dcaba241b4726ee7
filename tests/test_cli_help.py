"""Every command's --help as a loan officer sees it in a terminal (Typer's Rich panels)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from leadchase.cli import app
from leadchase.cli.reference import command_help

runner = CliRunner()
PATHS = [command.path.split()[1:] for command in command_help(app)]


@pytest.mark.parametrize("path", PATHS, ids=lambda path: " ".join(["leadchase", *path]))
def test_flags_show_no_value_placeholder(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "╭─ Options" in result.output  # the Rich panels, not the plain Click text
    assert "<bool>" not in result.output
    help_line = re.search(r"--help +-h +(\S*)", result.output)
    assert help_line is not None and help_line.group(1) == "Show", result.output


def test_options_that_take_a_value_still_name_it() -> None:
    result = runner.invoke(app, ["today", "--help"], env={"COLUMNS": "120"})
    assert re.search(r"--limit +<int range>", result.output), result.output
    assert re.search(r"--channel +<call\|text\|email>", result.output), result.output
