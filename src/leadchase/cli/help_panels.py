"""Command classes whose Rich --help shows no value placeholder after a flag, and whose options
load pydantic only for a value that needs checking.

Typer 0.29's Rich options panel prints every option's type, so `--dry-run`, `--json`, `-h` and
`--version` read `--dry-run <bool>` as if they took a value; its plain Click help (docs/cli.md)
skips flags. An empty metavar is what that panel prints for a flag here. The help option is made
per command on first use, so this is done when the help is formatted, not when commands are built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from typer._coercion import RuntimeParam, build_runtime_param
from typer.core import TyperCommand, TyperGroup, TyperOption, _TyperParameter

if TYPE_CHECKING:
    from typer._click import Command as ClickCommand
    from typer._click import Context, HelpFormatter


def flags_take_no_value(command: ClickCommand, ctx: Context) -> None:
    for param in command.get_params(ctx):
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""


class _FlagsTakeNoValue:
    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        flags_take_no_value(self, ctx)  # type: ignore[arg-type]
        super().format_help(ctx, formatter)  # type: ignore[misc]


class _WhenGiven(RuntimeParam):
    """Typer builds a pydantic TypeAdapter for every option of a command it runs, given or not,
    and importing pydantic costs more than the whole of `leadchase today`'s own work. An
    option left out (None) needs no checking: the adapter is built for a value only."""

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        param._runtime_param = build_runtime_param(param.type_descriptor)
        return param._runtime_param._coerce_value(value, param=param, ctx=ctx)


class _CheckOnlyGivenValues:
    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if isinstance(param, _TyperParameter) and param._runtime_param is None:
                descriptor = param.type_descriptor
                param._runtime_param = _WhenGiven(descriptor.parameter_info, descriptor.annotation)
        return super().parse_args(ctx, args)  # type: ignore[misc, no-any-return]


class Command(_FlagsTakeNoValue, _CheckOnlyGivenValues, TyperCommand):
    pass


class Group(_FlagsTakeNoValue, _CheckOnlyGivenValues, TyperGroup):
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
