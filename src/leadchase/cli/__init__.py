"""The `leadchase` command. Commands parse input, call one service function, render the result.

Only typer and rich are imported here: `leadchase --help` must stay fast, so every command
imports its service (and with it sqlmodel, jinja2, twilio...) inside its own body.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from leadchase import __version__
from leadchase.cli import common
from leadchase.cli.help_panels import Group, use_everywhere
from leadchase.errors import LeadchaseError, explain


class _ErrorBoundary(Group):
    """The one place user errors become a one-line message and an exit code, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except LeadchaseError as error:
            common.fail(str(error), error.exit_code)
        except Exception as error:
            known = explain(error)  # a full disk, a database locked too long: no bug
            if known is not None:
                common.fail(str(known), known.exit_code)
            raise


app = typer.Typer(
    name="leadchase",
    cls=_ErrorBoundary,
    help="Follow up every internet lead: import, today's agenda, automated texts and emails.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"leadchase {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help="Workspace folder (default: $LEADCHASE_HOME, else the nearest leadchase.toml upward).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    common.state.home = home


def _register() -> None:
    from leadchase.cli import (
        agenda,
        cadence,
        compliance,
        daemon,
        db,
        dnc,
        doctor,
        export,
        imports,
        leads,
        rates,
        replies,
        send,
        stats,
        templates,
        today,
        workspace,
    )

    # The order of --help and of docs/cli.md.
    for group in (
        workspace, imports, today, leads, cadence, templates, send, doctor, replies,
        compliance, daemon, dnc, rates, stats, export, agenda, db,
    ):  # fmt: skip
        group.register(app)
    use_everywhere(app)


_register()


def main() -> None:
    app()
