"""`leadchase send`: the automated texts and emails that are due and allowed now."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Annotated

import typer

from leadchase.cli import common

if TYPE_CHECKING:
    from leadchase.dispatch import SendResult


def send(
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show what would be sent, to whom, and why others wait."),
    ] = False,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Send at most this many messages.", show_default=False)
    ] = None,
    json_output: common.JsonOption = False,
) -> None:
    """Send the automated texts and emails that are due and allowed now (run it from cron).

    Exit codes: 0 done (even with failures, which are recorded), 4 another run holds the lock,
    5 sending halted: a provider refused the configuration, or your [officer] details or a
    channel's settings are incomplete (nothing is sent; --dry-run still shows what would go),
    6 texts (or emails) held until the next run: Twilio (or the SMTP server) could not be
    reached or kept failing, or replies could not be checked; the other channel still sent.
    """
    from leadchase.dispatch import send_pass
    from leadchase.errors import EXIT_HALTED, EXIT_HELD

    with common.open_workspace() as context:
        # One run, then the process ends: what is loaded by now (SQLAlchemy, the settings, the
        # cadences) lives to the end, so the collector need not walk it again and again while
        # a run makes its thousands of rows (not in the daemon: its passes would pile up).
        gc.freeze()
        result = send_pass(context, common.now(), dry_run=dry_run, limit=limit)
    if json_output:
        common.print_json(result.to_json())
    elif result.dry_run or result.items or not result.halted:  # a refused run has nothing to show
        _render(result)
    if result.halted:
        common.fail(f"sending halted: {result.halted}", EXIT_HALTED)
    if result.held_channels:
        common.fail(result.held_summary(), EXIT_HELD)


def _render(result: SendResult) -> None:
    from rich.text import Text

    from leadchase.cli.listing import Listing
    from leadchase.display import plain
    from leadchase.words import counted

    out = common.out
    if not result.channels:
        out.print(
            "Sending is not configured (no Twilio or SMTP settings): automated steps stay on "
            "`leadchase today` as tasks. See docs/configuration.md."
        )
    if result.items:
        out.print("Dry run: nothing was sent" if result.dry_run else "Send run")
        table = Listing(["Lead", "Channel", "Result"], long_header="Why / message", under=0)
        for item in result.items:
            detail = item.reason
            if item.result in ("would-send", "sent") and item.body:
                detail = (f"Subject: {item.subject}\n" if item.subject else "") + item.body
            table.add_row(
                [plain(f"{item.name} #{item.lead_id}", "bold"), Text(item.to, no_wrap=True)],
                item.channel,
                item.result,
                long=plain(detail),
            )
        table.print()
    counts = result.to_json()
    summary = ", ".join(
        f"{counts[key]} {label}"
        for key, label in (
            ("would_send", "would send"), ("sent", "sent"), ("failed", "failed"), ("held", "held"),
            ("skipped", "skipped"), ("retry_later", "to retry later"), ("unknown", "unknown"),
        )
        if counts[key] or (key in ("sent", "held") and not result.dry_run)
    )  # fmt: skip
    out.print(summary or "Nothing due to send right now.")
    if result.reconciled:
        reconciled = counted(result.reconciled, "message")
        out.print(f"Reconciled {reconciled} left by an interrupted run.")


def register(app: typer.Typer) -> None:
    app.command()(send)
