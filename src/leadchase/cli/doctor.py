"""`leadchase doctor`: settings and provider checks, sending nothing."""

from __future__ import annotations

import typer

from leadchase.cli import common


def doctor() -> None:
    """Check the workspace, settings, Twilio and SMTP without sending anything."""
    from leadchase.display import markup
    from leadchase.doctor import run_checks

    with common.open_workspace() as context:
        checks = run_checks(context)
    problems = 0
    for check in checks:
        mark = (
            "[green]ok[/]"
            if check.ok
            else ("[yellow]note[/]" if check.advisory else "[red]problem[/]")
        )
        # Details quote settings and provider answers: shown as written, never as markup.
        common.out.print(f"{mark}  {check.name}: {markup(check.detail)}")
        if not check.ok and check.fix:
            common.out.print(f"      fix: {markup(check.fix)}")
        problems += not check.ok and not check.advisory
    if problems:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(doctor)
