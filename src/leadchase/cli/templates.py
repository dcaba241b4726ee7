"""`leadchase template list|preview|lint`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from leadchase.cli import common

if TYPE_CHECKING:
    from leadchase.messaging import Finding, Preview

template_app = typer.Typer(
    help="List, preview and lint the message templates.", no_args_is_help=True
)


@template_app.command("list")
def list_templates(json_output: common.JsonOption = False) -> None:
    """Every template in the workspace: text or email, its wordings and the offers they frame."""
    from rich.text import Text

    from leadchase import templates
    from leadchase.cli.listing import Column, Listing

    with common.open_workspace() as context:
        result = templates.list_templates(context)
    if json_output:
        common.print_json([summary.to_json() for summary in result.summaries])
        return
    if not result.summaries:
        common.out.print(f"No templates in {result.folder}; see docs/templates.md to add one.")
        return
    common.out.print(str(result.folder), markup=False)
    table = Listing(["Template", "Channel", Column("Variants", "right"), "Offer framings"])
    for summary in result.summaries:
        name = Text(summary.name, no_wrap=True)
        if summary.problem is not None:
            table.add_row(name, "", Text("broken", "red"), Text(summary.problem, "red"))
            continue
        framings = ", ".join(f"{kind} ({count})" for kind, count in summary.framings.items())
        table.add_row(name, summary.channel, str(summary.variants), framings)
    table.print()


@template_app.command("preview")
def preview(
    name: Annotated[str, typer.Argument(help="Template name, e.g. internet-lead/first-text.")],
    lead: Annotated[
        str | None,
        typer.Option(
            help="Lead id (7 or #7), phone or email to render for (default: a sample lead).",
            show_default=False,
        ),
    ] = None,
    variant: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Only this wording, numbered from 1 in file order (default: every wording "
            "framed for the lead's offer).",
            show_default=False,
        ),
    ] = None,
    offer: Annotated[
        str | None,
        typer.Option(
            help="Frame for this offer kind: equity, rate-quote, purchase, refinance or generic.",
            show_default=False,
        ),
    ] = None,
    json_output: common.JsonOption = False,
) -> None:
    """The text or email a template renders for a lead, with SMS length and segments."""
    from leadchase import templates
    from leadchase.times import when

    now = common.now()
    with common.open_workspace() as context:
        result = templates.preview_for_lead(context, name, now, lead, variant, offer)
        sent = when(result.at, common.zones(context).lead(result.zone), now)
    if json_output:
        common.print_json(result.to_json())
        return
    _render_preview(result, f"as sent {sent} ({result.at_why})")


def _render_preview(result: Preview, sent: str) -> None:
    from leadchase.display import markup, plain
    from leadchase.messaging.segments import non_gsm7_characters
    from leadchase.words import counted

    out = common.out
    out.print(
        f"[bold]{markup(result.template)}[/] ({result.channel}) for "
        f"{markup(result.lead)}, offer framing: {result.offer_kind}"
    )
    out.print(f"[dim]{markup(sent)}[/]")
    for message in result.messages:
        out.print(f"\n[bold]Variant {message.variant}[/]")
        if message.subject is not None:
            out.print(plain(f"Subject: {message.subject}"))
        out.print(plain(message.body))
        if message.segments is not None:
            info = message.segments
            line = (
                f"{info.characters} characters, {info.encoding}, "
                f"{counted(info.segments, 'segment')}"
            )
            if info.encoding == "UCS-2":
                forcing = ", ".join(repr(char) for char in non_gsm7_characters(message.body))
                line += f" (UCS-2 because of {forcing})"
            out.print(f"[dim]{markup(line)}[/]")
            held = result.held(message)
            if held is not None:
                out.print(f"[yellow]too long to send: {markup(held)}[/] (a send holds it)")


@template_app.command("lint")
def lint(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Templates to check (default: all of them).", show_default=False),
    ] = None,
    json_output: common.JsonOption = False,
) -> None:
    """Check templates for robot-speak, compliance gaps, SMS length and template mistakes.

    Exits 1 when there is an error; warnings alone exit 0.
    """
    from leadchase import templates
    from leadchase.words import counted

    with common.open_workspace() as context:
        report = templates.lint(context, names)
    if json_output:
        common.print_json(report.to_json())
    else:
        _render_findings(report.findings)
        common.out.print(
            f"{counted(report.checked, 'template')} checked: {counted(report.errors, 'error')}, "
            f"{counted(report.warnings, 'warning')}"
        )
    if report.errors:
        raise typer.Exit(1)


def _render_findings(findings: tuple[Finding, ...]) -> None:
    from rich.text import Text

    from leadchase.cli.listing import Column, Listing

    table = Listing(
        ["Template", Column("Line", "right"), "Severity", "Rule"],
        long_header="Message / fix",
        under=0,
    )
    for finding in findings:
        style = "red" if finding.severity == "error" else "yellow"
        table.add_row(
            Text(finding.template, no_wrap=True),
            str(finding.line),
            Text(finding.severity, style),
            Text(finding.rule, no_wrap=True),
            long=[Text(finding.message), Text(f"fix: {finding.fix}", style="dim")],
        )
    table.print()


def register(app: typer.Typer) -> None:
    app.add_typer(template_app, name="template")
