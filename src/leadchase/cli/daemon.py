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
    listen: Annotated[
        str | None,
        typer.Option(
            "--listen",
            metavar="HOST:PORT",
            help="Also serve the HTTP listener here, e.g. 127.0.0.1:8787: POST /leads takes "
            "leads from web forms, vendors, Zapier or Make (needs the serve extra; off unless "
            "given).",
            show_default=False,
        ),
    ] = None,
    max_body: Annotated[
        int,
        typer.Option(
            "--max-body",
            min=1,
            metavar="BYTES",
            help="The listener answers 413 to a request body over this size.",
        ),
    ] = 1_000_000,
    once: Annotated[
        bool,
        typer.Option("--once", help="Do one watch-folder scan and one send pass, then exit."),
    ] = False,
) -> None:
    """Keep sending: a send pass every minute and, with --watch, new lead files imported at once.

    New leads from the watch folder or the listener get their first text on a send pass run at once.

    The listener binds to loopback unless told otherwise; put it behind HTTPS for a public URL, and give senders the token from `leadchase token show`.

    One log line per action. A failing pass, or a send halted by a provider configuration error, is logged and tried again on the next pass; the daemon keeps running.

    SIGTERM or Ctrl-C stops it cleanly (exit code 0) once the message in flight is recorded. It shares the send lock with `leadchase send`, so cron and the daemon never send at the same time. See docs/running.md.
    """
    from leadchase.daemon import run_daemon

    code = run_daemon(
        common.state.home,
        send_every=every,
        watch_dir=watch,
        once=once,
        log_file=log_file,
        listen=listen,
        max_body=max_body,
    )
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command()(daemon)
