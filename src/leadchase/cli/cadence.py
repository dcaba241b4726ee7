"""`leadchase cadence check|preview`."""

from __future__ import annotations

from typing import Annotated

import typer

from leadchase.cli import common

cadence_app = typer.Typer(help="Check and preview cadence files.", no_args_is_help=True)


@cadence_app.command("check")
def check() -> None:
    """Validate every cadence file, the stage map and the templates the cadences use."""
    from rich.markup import escape

    from leadchase.cadence.check import check_workspace_cadences

    with common.open_workspace() as context:
        result = check_workspace_cadences(context.settings)
    for problem in result.problems:
        common.err.print(f"[red]error:[/] {escape(str(problem))}", markup=True)
    for finding in result.findings:
        label = "[red]error:[/]" if finding.severity == "error" else "[yellow]warning:[/]"
        where = f"template {finding.template} line {finding.line}"
        common.err.print(
            f"{label} {escape(f'{where}: {finding.message} ({finding.rule}); {finding.fix}')}"
        )
    names = ", ".join(result.cadences) or "none"
    if not result.valid:
        common.out.print(
            f"{len(result.problems)} cadence problem(s), {result.template_errors} template error(s); "
            f"cadences that loaded: {names}"
        )
        raise typer.Exit(1)
    warnings = result.template_warnings
    note = f" ({warnings} template warning(s))" if warnings else ""
    common.out.print(
        f"All cadences are valid: {names}; their {result.templates_used} templates pass{note}"
    )


@cadence_app.command("preview")
def preview(
    lead: Annotated[
        str | None,
        typer.Argument(help="Lead id, phone or email (its real schedule).", show_default=False),
    ] = None,
    cadence: Annotated[
        str | None,
        typer.Option(help="Preview this cadence for a made-up lead.", show_default=False),
    ] = None,
    state: Annotated[str, typer.Option(help="State of the made-up lead (with --cadence).")] = "CA",
    zip_code: Annotated[
        str, typer.Option("--zip", help="ZIP of the made-up lead (with --cadence).")
    ] = "",
    json_output: common.JsonOption = False,
) -> None:
    """The whole planned schedule of a lead, or of a cadence, in the lead's local time."""
    from rich.table import Table

    from leadchase.cadence_preview import preview_cadence

    if (lead is None) == (cadence is None):
        common.fail(
            "give a LEAD or --cadence NAME (not both); e.g. `leadchase cadence preview --cadence internet-lead --state FL`"
        )
    with common.open_workspace() as context:
        result = preview_cadence(
            context, common.now(), lead=lead, cadence=cadence, state=state, zip_code=zip_code
        )
    if json_output:
        common.print_json([row.to_json() for row in result.rows])
        return
    table = Table(
        "Day",
        "Local time",
        "Channel",
        "How",
        "Template / talking point",
        title=result.title,
        title_justify="left",
    )
    for row in result.rows:
        table.add_row(
            str(row.day),
            row.local_time,
            row.channel,
            "auto" if row.automated else "task",
            row.detail,
        )
    common.out.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(cadence_app, name="cadence")
