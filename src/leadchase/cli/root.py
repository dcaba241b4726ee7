"""The root command as Typer runs it: its options, and the one boundary for user errors.

Only typer and rich are imported here: a command's module is imported only when that command
runs (cli/lazy.py), and every command imports its service (and with it sqlalchemy, jinja2,
twilio...) inside its own body. The root's help, options and command list are cli/outline.py's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from leadchase import __version__
from leadchase.cli import common, outline
from leadchase.cli.lazy import LazyGroup
from leadchase.errors import LeadchaseError, explain


class _ErrorBoundary(LazyGroup):
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
    help=outline.HELP,
    context_settings={"help_option_names": list(outline.HELP_OPTION.names)},
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
        typer.Option(*outline.HOME.names, help=outline.HOME.help, show_default=False),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            *outline.VERSION.names, callback=_version, is_eager=True, help=outline.VERSION.help
        ),
    ] = False,
) -> None:
    common.state.home = home
