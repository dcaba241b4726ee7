"""Command classes whose Rich --help shows no value placeholder after a flag.

Typer 0.29's Rich options panel prints every option's type, so `--dry-run`, `--json`, `-h` and
`--version` read `--dry-run <bool>` as if they took a value; its plain Click help (docs/cli.md)
skips flags. An empty metavar is what that panel prints for a flag here. The help option is made
per command on first use, so this is done when the help is formatted, not when commands are built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption

if TYPE_CHECKING:
    from typer._click import Context, HelpFormatter


class _FlagsTakeNoValue:
    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
                param.metavar = ""
        super().format_help(ctx, formatter)  # type: ignore[misc]


class Command(_FlagsTakeNoValue, TyperCommand):
    pass


class Group(_FlagsTakeNoValue, TyperGroup):
    pass


def use_everywhere(app: typer.Typer) -> None:
    """Give every command and group registered under `app` these classes (the root sets its own)."""
    for command in app.registered_commands:
        if command.cls in (None, TyperCommand):  # Typer's default, not a class of our own
            command.cls = Command
    for group in app.registered_groups:
        group.cls = Group
        if group.typer_instance is not None:
            use_everywhere(group.typer_instance)
