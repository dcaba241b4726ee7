"""`dnc import|add|list|remove` and `optout`: numbers and addresses that must not be contacted."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from leadchase.cli import common
from leadchase.cli.leads import LeadArgument
from leadchase.words import counted

if TYPE_CHECKING:
    from leadchase.dnc import DncChange

dnc_app = typer.Typer(
    help="The do-not-call list: its numbers get no calls and no texts.",
    no_args_is_help=True,
)


class OptOutChoice(StrEnum):
    text = "text"
    call = "call"
    email = "email"
    all = "all"


@dnc_app.command("import")
def import_numbers(
    file: Annotated[
        Path,
        typer.Argument(help="Numbers one per line in any format, or a CSV with a phone column."),
    ],
    column: Annotated[
        str | None,
        typer.Option(
            help="The CSV column holding the numbers (default: a phone-like header).",
            show_default=False,
        ),
    ] = None,
    json_output: common.JsonOption = False,
) -> None:
    """Put every number in a file on the do-not-call list; lines without a valid number are listed."""
    from leadchase.display import markup
    from leadchase.dnc import import_dnc

    with common.open_workspace() as context:
        result = import_dnc(context, file, column, common.now())
    if json_output:
        common.print_json(result.to_json())
        return
    out = common.out
    read = f"column {result.column!r}" if result.column else "one number per line"
    out.print(
        f"[bold]{markup(result.file)}[/] ({markup(read)}): {counted(result.numbers, 'number')}"
    )
    out.print(f"  newly on the do-not-call list: {result.added}")
    out.print(f"  already on it: {result.already_listed}")
    out.print(f"  lines without a valid number: {result.invalid}")
    for invalid in result.invalid_lines:
        out.print(f"    line {invalid.line}: {invalid.text}", markup=False)
    if result.invalid > len(result.invalid_lines):
        out.print(f"    … and {result.invalid - len(result.invalid_lines)} more")
    out.print(f"  existing leads affected (calls and texts stopped): {result.leads_affected}")


@dnc_app.command("add")
def add(
    numbers: Annotated[
        list[str],
        typer.Argument(help='Phone numbers, in any format; quote one with spaces: "206 555 0142".'),
    ],
    note: Annotated[
        str, typer.Option(help="Why or how they asked, e.g. 'said so on the phone 3/2'.")
    ] = "",
    json_output: common.JsonOption = False,
) -> None:
    """Put numbers on the do-not-call list by hand."""
    from leadchase.dnc import add_numbers
    from leadchase.errors import EXIT_USAGE

    split = _split_number(numbers)
    if split is not None:
        common.fail(
            f"{split!r} is one phone number split at its spaces; put it in quotes: "
            f'leadchase dnc add "{split}"',
            EXIT_USAGE,
        )
    with common.open_workspace() as context:
        change = add_numbers(context, numbers, common.now(), note.strip())
    _report(change, "added to", "already on", json_output)


def _split_number(numbers: list[str]) -> str | None:
    """The pieces of a number the shell split ("206 555 0142" typed without quotes), joined."""
    from leadchase.contact.phones import normalise_phone

    run: list[str] = []
    for piece in numbers:
        digits = sum(char.isdigit() for char in piece)
        if 0 < digits < 7 and normalise_phone(piece) is None:
            run.append(piece)
        elif len(run) > 1:
            break
        else:
            run = []
    return " ".join(run) if len(run) > 1 else None


@dnc_app.command("list")
def list_(utc: common.UtcOption = False, json_output: common.JsonOption = False) -> None:
    """The numbers on the do-not-call list, with when and why they were added."""
    from rich.text import Text

    from leadchase.cli.listing import Listing
    from leadchase.display import plain
    from leadchase.dnc import list_dnc
    from leadchase.times import when

    with common.open_workspace() as context:
        entries = list_dnc(context)
        zone = common.zones(context, utc).own
    if json_output:
        common.print_json([entry.to_json() for entry in entries])
        return
    now = common.now()
    table = Listing(
        ["Number", "Added", "Leads"], long_header="Why", stack_under=30, under=0, spaced=False
    )
    for entry in entries:
        table.add_row(
            Text(entry.number, no_wrap=True),
            Text(when(entry.added_at, zone, now), no_wrap=True),
            ", ".join(f"#{lead_id}" for lead_id in entry.lead_ids),
            long=plain(entry.evidence),
        )
    table.print()
    common.out.print(f"{counted(len(entries), 'number')} on the do-not-call list")


@dnc_app.command("remove")
def remove(
    number: Annotated[str, typer.Argument(help="The phone number, in any format.")],
    json_output: common.JsonOption = False,
) -> None:
    """Take a number off the do-not-call list (the entry is kept, marked lifted)."""
    from leadchase.dnc import remove_number

    with common.open_workspace() as context:
        change = remove_number(context, number, common.now())
    _report(change, "taken off", "", json_output)
    if change.texts_resumed and not json_output:
        common.out.print(f"Texts resume for {counted(change.texts_resumed, 'lead')}.")


def _report(change: DncChange, done: str, not_done: str, json_output: bool) -> None:
    from leadchase.display import markup

    if json_output:
        common.print_json(change.to_json())
        return
    for number in change.changed:
        common.out.print(f"{markup(number)} {done} the do-not-call list.")
    for number in change.unchanged:
        common.out.print(f"{markup(number)} was {not_done} the do-not-call list.")
    if change.lead_ids:
        leads = ", ".join(f"#{lead_id}" for lead_id in change.lead_ids)
        common.out.print(f"Leads with these numbers: {leads}")


def optout(
    lead: LeadArgument,
    channel: Annotated[
        OptOutChoice,
        typer.Option(
            parser=common.choice(OptOutChoice, "a channel", common.CHANNEL_WORDS),
            help="What the lead asked you to stop: text (or sms), call, email or all.",
        ),
    ] = OptOutChoice.all,
    note: Annotated[
        str, typer.Option(help="How and when they asked, e.g. 'said so on the phone 3/2'.")
    ] = "",
    json_output: common.JsonOption = False,
) -> None:
    """Record an opt-out a lead gave you by phone or email: that channel stops for good."""
    from leadchase.dnc import WHAT_STOPS, opt_out_lead

    with common.open_workspace() as context:
        result = opt_out_lead(context, lead, channel.value, note, common.now())
    if json_output:
        common.print_json(result.to_json())
        return
    who = f"{result.name or '(no name)'} (#{result.lead_id})"
    stops = WHAT_STOPS[result.channel]
    if result.suppressed:
        common.out.print(
            f"{who}: {stops} stopped for {', '.join(result.suppressed)}; "
            f"{counted(result.cancelled, 'planned touch')} cancelled.",
            markup=False,
        )
    for value in result.already:
        common.out.print(f"{value} had already opted out of {stops}.", markup=False)


def resume(lead: LeadArgument, json_output: common.JsonOption = False) -> None:
    """A text read as a possible opt-out was not one: let automated texts go on.

    Lifts only the hold a possible opt-out put on the number; a STOP or an opt-out stays.
    """
    from leadchase.dnc import resume_texts

    with common.open_workspace() as context:
        result = resume_texts(context, lead, common.now())
    if json_output:
        common.print_json(result.to_json())
        return
    who = f"{result.name or '(no name)'} (#{result.lead_id})"
    if result.lifted:
        common.out.print(f"{who}: automated texts may go on.", markup=False)
    else:
        common.out.print(f"{who}: no texts were held for a possible opt-out.", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(dnc_app, name="dnc")
    app.command()(optout)
    app.command()(resume)
