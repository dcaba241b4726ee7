"""`officer add|set|list|remove` and `assign`: the team's officers and who owns which lead."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from leadchase.cli import common
from leadchase.cli.leads import LeadArgument
from leadchase.words import counted

officer_app = typer.Typer(
    help="The team's officers: each with their own leads, Twilio number and signature.",
    no_args_is_help=True,
)

OfficerArgument = Annotated[
    str, typer.Argument(help='The officer\'s name, e.g. "Ana Ruiz" (any case).')
]


@officer_app.command("add")
def add(
    name: OfficerArgument,
    phone: Annotated[str, typer.Option(help="Their phone as leads should call it.")] = "",
    email: Annotated[str, typer.Option(help="Their email: replies to their emails go to it.")] = "",
    nmls: Annotated[str, typer.Option(help="Their NMLS id, shown in their email signature.")] = "",
    from_number: Annotated[
        str, typer.Option(help="Their own Twilio number: their leads' texts go from it.")
    ] = "",
    messaging_service: Annotated[
        str, typer.Option(help="Or their own Twilio messaging service SID (MG...).")
    ] = "",
    signature: Annotated[
        str, typer.Option(help='A line under their name in emails, e.g. "Senior Loan Officer".')
    ] = "",
    window_start: Annotated[
        str,
        typer.Option(
            help='When their working hours start, e.g. "10:00": their leads get calls, texts '
            "and automated emails only inside these hours (and the lead's own)."
        ),
    ] = "",
    window_end: Annotated[
        str, typer.Option(help='When their working hours end, e.g. "18:00" (with --window-start).')
    ] = "",
    timezone: Annotated[
        str,
        typer.Option(help="The zone of their window (default: [contact] default_timezone)."),
    ] = "",
    json_output: common.JsonOption = False,
) -> None:
    """Add an officer to the team (or bring back one who was removed)."""
    from leadchase.assignment import NewOfficer, add_officer

    new = NewOfficer(
        name, phone, email, nmls, from_number, messaging_service, signature,
        window_start, window_end, timezone,
    )  # fmt: skip
    with common.open_workspace() as context:
        member, added = add_officer(context, new, common.now())
    if json_output:
        common.print_json({"added": added, "officer": asdict(member)})
        return
    done = "added to the team" if added else "is back on the team"
    sender = member.sender or "[twilio]'s number (no number of their own)"
    common.out.print(f"{member.name} {done}; their texts go from {sender}.", markup=False)


@officer_app.command("set")
def set_(
    name: OfficerArgument,
    changes: Annotated[
        list[str] | None,
        typer.Argument(
            help="field=value pairs: phone, email, nmls, from-number, messaging-service, "
            'signature, window-start, window-end, timezone; e.g. window-end=18:00 or "phone=" '
            "to clear one.",
            show_default=False,
        ),
    ] = None,
    json_output: common.JsonOption = False,
) -> None:
    """Change an officer's details, checked as `officer add` checks them: nothing changes
    unless all are right. A new --from-number replaces their messaging service, and back."""
    from leadchase.officer_details import set_officer_details

    with common.open_workspace() as context:
        done = set_officer_details(context, name, changes or [])
    if json_output:
        common.print_json({"officer": asdict(done.officer), "changed": done.changed})
        return
    member = done.officer
    if not done.changed:
        common.out.print(
            f"{member.name}: nothing changed (the values were the same).", markup=False
        )
        return
    common.out.print(f"{member.name}: {', '.join(done.changed)} changed.", markup=False)


@officer_app.command("list")
def list_(
    everyone: Annotated[
        bool, typer.Option("--all", help="Show officers who left the team too.")
    ] = False,
    json_output: common.JsonOption = False,
) -> None:
    """The officers: the default one ([officer] in leadchase.toml) first, with their leads."""
    from leadchase.assignment import list_officers
    from leadchase.cli.listing import Column, Listing
    from leadchase.team import DEFAULT

    with common.open_workspace() as context:
        lines = list_officers(context, everyone)
    if json_output:
        common.print_json(
            [
                {
                    "name": line.name,
                    "default": line.officer is None,
                    "leads": line.leads,
                    "officer": asdict(line.officer) if line.officer else None,
                }
                for line in lines
            ]
        )
        return
    table = Listing(["Officer", Column("Leads", "right"), "Texts from", "Window"], spaced=False)
    for line in lines:
        member = line.officer
        if member is None:
            name = line.name if line.name == DEFAULT else f"{line.name} (default)"
            table.add_row(name, f"{line.leads:,}", "[twilio]", "[contact]")
            continue
        window = (
            f"{member.window_start}-{member.window_end} {member.timezone}"
            if member.window_start
            else "[contact]"
        )
        name = member.name if member.active else f"{member.name} (left)"
        table.add_row(name, f"{line.leads:,}", member.sender or "[twilio]", window)
    table.print()


@officer_app.command("remove")
def remove(
    name: OfficerArgument,
    leads_to: Annotated[
        str | None,
        typer.Option(
            help="Who takes their leads and planned touches (required when they own any).",
            show_default=False,
        ),
    ] = None,
    json_output: common.JsonOption = False,
) -> None:
    """Take an officer off the team: their leads go to --leads-to first; they get no new ones."""
    from leadchase.assignment import remove_officer

    with common.open_workspace() as context:
        moved = remove_officer(context, name, leads_to, common.now())
    if json_output:
        common.print_json(
            {
                "removed": name,
                "leads_moved": moved.leads if moved else 0,
                "to": moved.officer if moved else None,
            }
        )
        return
    if moved is not None:
        common.out.print(f"{counted(moved.leads, 'lead')} moved to {moved.officer}.", markup=False)
    common.out.print(f"{name} is off the team.", markup=False)


def assign(
    lead: LeadArgument,
    officer: Annotated[str, typer.Argument(help="The officer who takes the lead over.")],
    json_output: common.JsonOption = False,
) -> None:
    """Give a lead to another officer: its planned touches follow, sent from their number."""
    from leadchase.assignment import assign_lead

    with common.open_workspace() as context:
        done = assign_lead(context, lead, officer, common.now())
    if json_output:
        common.print_json(asdict(done))
        return
    who = f"{done.name or '(no name)'} (#{done.lead_id})"
    if done.previous == done.officer:
        common.out.print(f"{who} is already {done.officer}'s.", markup=False)
        return
    common.out.print(
        f"{who}: from {done.previous} to {done.officer}, with "
        f"{counted(done.open_touches, 'open touch')}.",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(officer_app, name="officer")
    app.command()(assign)
