"""`leadchase daemon`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leadchase.cli import common


def daemon(
    every: Annotated[
        float | None,
        typer.Option(
            "--every",
            min=1,
            metavar="SECONDS",
            help="Seconds between send passes (default: send_every_seconds in leadchase.toml, 60).",
            show_default=False,
        ),
    ] = None,
    watch: Annotated[
        Path | None,
        typer.Option(
            "--watch",
            metavar="DIR",
            help="Watch folder: lead files dropped here are imported within seconds, then moved "
            "to DIR/processed/ or DIR/failed/ (default: watch_dir in leadchase.toml).",
            show_default=False,
        ),
    ] = None,
    log_file: Annotated[
        Path | None,
        typer.Option(
            "--log-file",
            metavar="PATH",
            help="Append the log here instead of printing it to stderr.",
            show_default=False,
        ),
    ] = None,
    once: Annotated[
        bool,
        typer.Option("--once", help="Do one watch-folder scan and one send pass, then exit."),
    ] = False,
) -> None:
    """Keep sending: a send pass every minute and, with --watch, new lead files imported at once.

    New leads from the watch folder get their first text on the very next send pass.

    One log line per action. A failing pass, or a send halted by a provider configuration error, is logged and tried again on the next pass; the daemon keeps running.

    SIGTERM or Ctrl-C stops it cleanly (exit code 0) once the message in flight is recorded. It shares the send lock with `leadchase send`, so cron and the daemon never send at the same time. See docs/running.md.
    """
    from leadchase.daemon import run_daemon

    code = run_daemon(
        common.state.home, send_every=every, watch_dir=watch, once=once, log_file=log_file
    )
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command()(daemon)
