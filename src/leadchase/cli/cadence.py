"""`leadchase cadence check|preview`."""

from __future__ import annotations

from typing import Annotated

import typer

from leadchase.cli import common

cadence_app = typer.Typer(help="Check and preview cadence files.", no_args_is_help=True)


@cadence_app.command("check")
def check() -> None:
    """Validate every cadence file, the stage map and the templates the cadences use."""
    from leadchase.cadence.check import check_workspace_cadences
    from leadchase.display import markup
    from leadchase.words import counted

    with common.open_workspace() as context:
        result = check_workspace_cadences(context.settings)
    for problem in result.problems:
        common.err.print(f"[red]error:[/] {markup(problem)}", markup=True)
    for finding in result.findings:
        label = "[red]error:[/]" if finding.severity == "error" else "[yellow]warning:[/]"
        where = f"template {finding.template} line {finding.line}"
        common.err.print(
            f"{label} {markup(f'{where}: {finding.message} ({finding.rule}); {finding.fix}')}"
        )
    names = ", ".join(result.cadences) or "none"
    if not result.valid:
        common.out.print(
            f"{counted(len(result.problems), 'cadence problem')}, "
            f"{counted(result.template_errors, 'template error')}; "
            f"cadences that loaded: {names}"
        )
        raise typer.Exit(1)
    warnings = result.template_warnings
    note = f" ({counted(warnings, 'template warning')})" if warnings else ""
    common.out.print(
        f"All cadences are valid: {names}; {counted(result.templates_used, 'template')} checked, "
        f"no errors{note}"
    )


@cadence_app.command("preview")
def preview(
    lead: Annotated[
        str | None,
        typer.Argument(
            help="Lead id (7 or #7), phone or email: its real schedule.",
            show_default=False,
        ),
    ] = None,
    cadence: Annotated[
        str | None,
        typer.Option(help="Preview this cadence for a made-up lead.", show_default=False),
    ] = None,
    state: Annotated[str, typer.Option(help="State of the made-up lead (with --cadence).")] = "CA",
    zip_code: Annotated[
        str, typer.Option("--zip", help="ZIP of the made-up lead (with --cadence).")
    ] = "",
    arrive: Annotated[
        str | None,
        typer.Option(
            help="When the made-up lead arrives, in its local time: 'Tue 19:30' (the next "
            "Tuesday), '19:30' (today) or '2026-03-03 19:30'. Default: now.",
            show_default=False,
        ),
    ] = None,
    utc: common.UtcOption = False,
    json_output: common.JsonOption = False,
) -> None:
    """The whole schedule of a lead, or of a cadence, in the lead's local time: each touch
    made or skipped (and why) under its hours, caps and spacing, and each day's count against
    what the cadence asks."""
    from rich.text import Text

    from leadchase.cadence_preview import preview_cadence
    from leadchase.cli.listing import Column, Listing
    from leadchase.display import plain
    from leadchase.times import when

    if (lead is None) == (cadence is None):
        common.fail(
            "give a LEAD or --cadence NAME (not both); e.g. `leadchase cadence preview --cadence internet-lead --state FL`"
        )
    with common.open_workspace() as context:
        now = common.now()
        result = preview_cadence(
            context,
            now,
            lead=lead,
            cadence=cadence,
            state=state,
            zip_code=zip_code,
            arrive=arrive,
        )
        zone = common.zones(context, utc).lead(result.zone)
    if json_output:
        common.print_json(result.to_json())
        return
    common.out.print(plain(f"{result.title}, from {when(result.arrival, zone, now)}"))
    table = Listing(
        [Column("Day", "right"), "UTC" if utc else "Their time", "Channel", "How"],
        long_header="Template / talking point",
        under=1,
        spaced=False,
    )
    for row in result.rows:
        how = "auto" if row.automated else "task"
        detail = row.detail if row.status == "made" else f"skipped: {row.reason} ({row.detail})"
        table.add_row(
            _day(row.day, row.step),
            Text(when(row.due, zone, now), no_wrap=True),
            row.channel,
            how if row.status == "made" else "skip",
            long=detail,
        )
    table.print()
    common.out.print("\nMade each day, of what the cadence asks:")
    days = Listing([Column("Day", "right"), "Calls", "Texts", "Emails"], spaced=False)
    for day in result.days:
        days.add_row(
            _day(day.day, day.step),
            *(_made_of(day.made[c], day.asked[c]) for c in ("call", "text", "email")),
        )
    days.print()


def _day(day: int, step: str) -> str:
    """The day's number under "Day"; a touch on a date of the lead (day 0) by its name."""
    return str(day) if day else step


def _made_of(made: int, asked: int) -> str:
    if asked == 0:
        return "-" if made == 0 else str(made)
    return str(made) if made == asked else f"{made} of {asked}"


def register(app: typer.Typer) -> None:
    app.add_typer(cadence_app, name="cadence")
