"""`leadchase compliance report`."""

from __future__ import annotations

from typing import Annotated

import typer

from leadchase.cli import common

compliance_app = typer.Typer(
    help="Show that automated texts kept to the rules.", no_args_is_help=True
)


@compliance_app.command("report")
def report(
    days: Annotated[int, typer.Option(min=1, help="How many days back.")] = 30,
    json_output: common.JsonOption = False,
) -> None:
    """Every automated text of the last N days: its local send time, the rule that allowed it and
    the basis for texting the lead (consent on record or a fresh inquiry).

    Exits 1 if any violation is found (there should be none).
    """
    from rich.text import Text

    from leadchase.cli.listing import Listing
    from leadchase.compliance_report import compliance_report
    from leadchase.display import plain
    from leadchase.times import day
    from leadchase.words import counted

    with common.open_workspace() as context:
        now = common.now()
        result = compliance_report(context, now, days)
        zone = common.zones(context).own
    if json_output:
        common.print_json(
            {
                "since": result.since.isoformat(),
                "texts": [t.to_json() for t in result.texts],
                "violations": len(result.violations),
            }
        )
    else:
        table = Listing(
            ["Lead", "Their time", "States"],
            long_header="Decision / basis",
            stack_under=20,
            under=0,
        )
        for text in result.texts:
            verdict = Text(f"allowed; basis: {text.basis}")
            if not text.allowed:
                verdict = Text("VIOLATION ", style="bold red").append(text.reason)
            table.add_row(
                [plain(f"{text.name} #{text.lead_id}", "bold"), Text(text.to, no_wrap=True)],
                Text(text.local_time, no_wrap=True),
                text.states or "-",
                long=verdict,
            )
        table.print()
        common.out.print(
            f"{counted(len(result.texts), 'automated text')} since "
            f"{day(result.since, zone, now)}; {counted(len(result.violations), 'violation')}."
        )
    if result.violations:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(compliance_app, name="compliance")
