"""`leadchase sync` and `leadchase inbox`."""

from __future__ import annotations

from typing import Annotated

import typer

from leadchase.cli import common


def sync(json_output: common.JsonOption = False) -> None:
    """Fetch new texts from Twilio: pause leads who replied, honour STOP, START and HELP."""
    from leadchase.dispatch import sync_from_twilio
    from leadchase.display import printable
    from leadchase.errors import EXIT_HELD
    from leadchase.words import counted

    with common.open_workspace() as context:
        result = sync_from_twilio(context, common.now())
    if json_output:
        common.print_json(result.to_json())
    else:
        for item in result.items:
            who = f"{item.name} #{item.lead_id}" if item.lead_id else item.from_number
            line = f"{item.kind:>12}  {who}: {item.body!r} -> {item.action}"
            common.out.print(printable(line), markup=False)
        common.out.print(f"{counted(len(result.items), 'new message')}.")
    if result.incomplete is not None:
        common.fail(f"{result.incomplete}; the next sync reads them again", EXIT_HELD)


def inbox(
    limit: Annotated[int, typer.Option(min=1, help="At most this many messages.")] = 30,
    utc: common.UtcOption = False,
    json_output: common.JsonOption = False,
) -> None:
    """Recent texts from leads, unanswered first."""
    from rich.text import Text

    from leadchase.cli.listing import Listing
    from leadchase.display import plain
    from leadchase.replies import inbox as read_inbox
    from leadchase.times import when

    with common.open_workspace() as context:
        entries = read_inbox(context, limit)
        zones = common.zones(context, utc)
    if json_output:
        common.print_json(
            [
                {
                    "lead_id": e.lead_id,
                    "name": e.name,
                    "phone": e.phone,
                    "body": e.body,
                    "kind": e.kind,
                    "received_at": e.received_at.isoformat(),
                    "answered": e.answered,
                }
                for e in entries
            ]
        )
        return
    if not entries:
        common.out.print("No texts from leads yet.")
        return
    now = common.now()
    table = Listing(["", "From", "Received", "Kind"], long_header="Message")
    for e in entries:
        who = plain(f"{e.name} #{e.lead_id}" if e.lead_id else e.name, "bold")
        table.add_row(
            Text("" if e.answered else "NEW", style="bold"),
            [who, Text(e.phone, no_wrap=True)],
            Text(when(e.received_at, zones.lead(e.timezone), now), no_wrap=True),
            e.kind,
            long=plain(e.body),
        )
    table.print()


def register(app: typer.Typer) -> None:
    app.command()(sync)
    app.command()(inbox)
