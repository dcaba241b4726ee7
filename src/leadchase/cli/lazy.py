"""The root command's group, which imports a command's module only when that command runs.

Building every command (importing its module, then Typer reading its signature) costs more than
the work of `leadchase today` itself, so the root knows its commands by name from COMMANDS
(cli/outline.py) and builds one on first use. `leadchase --help` lists them from the same table,
with the first line of each one's help (tests/test_cli_lazy.py keeps both equal to the real
commands).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import typer

from leadchase.cli.help_panels import Group, use_everywhere
from leadchase.cli.outline import COMMANDS

if TYPE_CHECKING:
    from typer._click import Command, Context, HelpFormatter


def built_commands(module_name: str) -> dict[str, Command]:
    """Every command that leadchase.cli.<module_name> registers, built as Typer builds them."""
    module = importlib.import_module(f"leadchase.cli.{module_name}")
    holder = typer.Typer(rich_markup_mode="rich")
    module.register(holder)
    use_everywhere(holder)
    return dict(typer.main.get_group(holder).commands)


class LazyGroup(Group):
    """A group that builds a command from COMMANDS when it is first asked for."""

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        entry = COMMANDS.get(cmd_name)
        if cmd_name not in self.commands and entry is not None:
            for name, command in built_commands(entry.module).items():
                self.commands.setdefault(name, command)
        return self.commands.get(cmd_name)

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        if self.rich_markup_mode != "rich":  # plain Click help (docs/cli.md): the real commands
            super().format_help(ctx, formatter)
            return
        from leadchase.cli.root_help import print_root_help

        print_root_help(self.get_usage(ctx))
