"""`leadchase agenda`: the coming days' calls, on screen or as an iCalendar file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from leadchase.cli import common

if TYPE_CHECKING:
    from leadchase.ics import CallCalendar
    from leadchase.times import Zones


def agenda(
    ics: Annotated[
        Path | None,
        typer.Option(
            help="Write the calls as an iCalendar file your phone's calendar can subscribe to.",
            show_default=False,
        ),
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=60, help="Today and this many days in all.")] = 7,
    utc: common.UtcOption = False,
    json_output: common.JsonOption = False,
) -> None:
    """Your calls of the coming days, one per lead per day; --ics makes a calendar file of them."""
    from leadchase.ics import upcoming_calls, write_calendar
    from leadchase.words import counted

    with common.open_workspace() as context:
        calendar = upcoming_calls(context, common.now(), days)
        zones = common.zones(context, utc)
    if ics is not None:
        write_calendar(calendar, ics)
        common.err.print(
            f"Wrote {counted(len(calendar.events), 'call event')} for "
            f"{counted(calendar.leads, 'lead')} to {ics}.",
            markup=False,
        )
    if json_output:
        common.print_json(
            {
                "until": calendar.until.isoformat(),
                "events": [event.to_json() for event in calendar.events],
            }
        )
    elif ics is None:
        _render_calls(calendar, zones)


def _render_calls(calendar: CallCalendar, zones: Zones) -> None:
    from rich.text import Text

    from leadchase.cli.listing import Column, Listing
    from leadchase.display import plain
    from leadchase.times import day, when

    now = calendar.now
    if not calendar.events:
        common.out.print(f"No calls planned before {day(calendar.until, zones.own, now)}.")
        return
    common.out.print(f"\n[bold]CALLS until {when(calendar.until, zones.own, now)}[/]")
    times = ["UTC"] if zones.utc else ["Your time", "Their time"]
    table = Listing([*times, "Lead", Column("Calls", "right")], long_header="Say", under=0)
    for event in calendar.events:
        starts = [when(event.start, zones.own, now)]
        if not zones.utc:
            starts.append(when(event.start, zones.lead(event.timezone), now))
        phone = Text(event.phone, no_wrap=True)
        table.add_row(
            *(Text(start, no_wrap=True) for start in starts),
            [plain(f"{event.name} #{event.lead_id}", "bold"), phone],
            str(len(event.calls)),
            long="; ".join(call.say for call in event.calls if call.say),
        )
    table.print()


def register(app: typer.Typer) -> None:
    app.command()(agenda)
