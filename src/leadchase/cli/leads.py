"""Working leads: `log`, `show`, `stage`, `set`, `snooze`, `leads`."""

from __future__ import annotations

from typing import Annotated

import typer

from leadchase.cli import common
from leadchase.cli.today import ChannelChoice

LeadArgument = Annotated[
    str, typer.Argument(help="Lead id (7 or #7), phone number (any format) or email.")
]


def log(
    lead: LeadArgument,
    channel: Annotated[
        ChannelChoice,
        typer.Argument(
            parser=common.choice(ChannelChoice, "a channel", common.CHANNEL_WORDS),
            help="call, text (or sms) or email.",
        ),
    ],
    outcome: Annotated[
        str | None,
        typer.Option(
            help="Calls: no-answer (default), left-voicemail (or voicemail), busy, talked, appointment, wrong-number, bad-number. Texts: sent (default), replied, wrong-number. Emails: sent (default), replied, bounced. talked and appointment move a new lead to contacted, replied to engaged; wrong-number and bad-number stop calls and texts to that number.",
            show_default=False,
        ),
    ] = None,
    note: Annotated[str, typer.Option(help="A note for the lead's timeline.")] = "",
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Record it even though the contact policy would not allow it now (marked as forced).",
        ),
    ] = False,
) -> None:
    """Record a call, text or email you made; it completes the matching task on the agenda.

    The same contact policy as `today` applies: a touch outside the lead's hours, over its
    state's attempt cap, or to an opted-out number is refused with the reason (exit 1).
    """
    from leadchase.display import markup
    from leadchase.lead_work import log_touch

    with common.open_workspace() as context:
        row, chosen = log_touch(
            context, lead, channel.value, outcome, note, common.now(), force=force
        )
    who = markup(row.name or row.phone or row.email)
    common.out.print(f"Logged {channel.value} to {who} (#{row.id}): {chosen}.")


def stage(
    lead: LeadArgument,
    new_stage: Annotated[
        str,
        typer.Argument(
            metavar="STAGE",
            help="A stage of cadences/stages.yaml, any case: new, contacted, engaged, "
            "application, pre-approved, under-contract, closed, nurture, lost or dead as shipped.",
        ),
    ],
    reason: Annotated[
        str | None,
        typer.Option(
            help="Why: required for lost (rate, competitor, credit, not ready, unreachable).",
            show_default=False,
        ),
    ] = None,
    note: Annotated[str, typer.Option(help="A note kept with the stage change.")] = "",
    on: Annotated[
        str | None,
        typer.Option(
            help="When it happened, if not now: a date (2026-03-05) or a date and time. The new "
            "cadence counts its days from then; closed also sets an empty closing date.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Move a lead to another stage; its cadence switches as cadences/stages.yaml says.

    The change is kept in the lead's stage history: when, by whom, why.
    """
    from leadchase.lead_work import set_stage

    with common.open_workspace() as context:
        moved = set_stage(context, lead, new_stage, common.now(), reason=reason, note=note, on=on)
    row = moved.lead
    follow = (
        f"now on cadence {moved.cadence}"
        if moved.cadence
        else "no cadence: nothing more is scheduled"
    )
    why = f" ({moved.reason})" if moved.reason else ""
    common.out.print(
        f"{row.name or row.id} (#{row.id}) is now {moved.stage}{why}; {follow}.", markup=False
    )


def set_details(
    lead: LeadArgument,
    assignments: Annotated[
        list[str],
        typer.Argument(
            metavar="FIELD=VALUE...",
            help="One or more of: loan_purpose, loan_amount, property_value, address, city, "
            "credit_rating, offer, note_rate (a percent: 6.125), closing_date, birthday "
            "(dates: 2026-03-05 or 3/5/2026), co_borrower_name, loan_term_years (30, 15, "
            "360 months). An empty value clears the field.",
            show_default=False,
        ),
    ],
) -> None:
    """Set what you learned about a lead: its note rate, closing date, birthday, loan...

    Values are read the way an import reads them; the change goes on the lead's timeline.
    """
    from leadchase.lead_fields import LABELS, shown
    from leadchase.lead_work import set_fields

    with common.open_workspace() as context:
        row, changed = set_fields(context, lead, assignments, common.now())
    who = f"{row.name or row.id} (#{row.id})"
    if not changed:
        common.out.print(f"{who}: nothing changed.", markup=False)
        return
    for name, (_, after) in changed.items():
        common.out.print(f"{who}: {LABELS[name]} is now {shown(after)}.", markup=False)


def snooze(
    lead: LeadArgument,
    until: Annotated[
        str, typer.Argument(help='When to bring the lead back: "3d", "12h", "2w" or a date.')
    ],
    utc: common.UtcOption = False,
) -> None:
    """Hide a lead from the agenda and from automated sends until a later time."""
    from leadchase.lead_work import snooze as snooze_lead
    from leadchase.times import when

    with common.open_workspace() as context:
        now = common.now()
        row, moment = snooze_lead(context, lead, until, now)
        zone = common.zones(context, utc).lead(row.timezone)
    common.out.print(
        f"Snoozed {row.name or row.id} (#{row.id}) until {when(moment, zone, now)}.", markup=False
    )


def show(
    lead: LeadArgument, utc: common.UtcOption = False, json_output: common.JsonOption = False
) -> None:
    """A lead's details and timeline: touches made and planned, messages, stage changes, notes."""
    from datetime import date, datetime

    from rich.table import Table
    from rich.text import Text

    from leadchase.cli.listing import Listing
    from leadchase.display import plain
    from leadchase.lead_fields import shown
    from leadchase.lead_work import timeline
    from leadchase.times import when

    with common.open_workspace() as context:
        now = common.now()
        result = timeline(context, lead, now)
        zones = common.zones(context, utc)
    details = result.lead
    if json_output:
        common.print_json(
            {
                "lead": {k: v for k, v in details.items() if k != "raw"}
                | {"raw": details.get("raw")},
                "timeline": [
                    {"at": e.at.isoformat(), "kind": e.kind, "channel": e.channel, "text": e.text}
                    for e in result.entries
                ],
            }
        )
        return
    out = common.out
    zone = zones.lead(details.get("timezone"))
    heading = plain(details["name"] or "(no name)", "bold")
    heading.append(f"  #{details['id']}  stage {details['stage']}, ")
    heading.append(f"cadence {details['cadence'] or 'none'}")
    out.print(heading)
    facts = Table(show_header=False, box=None)
    for label, key in (
        ("Phone", "phone"), ("Email", "email"), ("Address", "address"), ("City", "city"),
        ("State", "state"), ("ZIP", "zip"), ("Time zone", "timezone"), ("Source", "source"),
        ("Offer", "offer"), ("Loan purpose", "loan_purpose"), ("Loan amount", "loan_amount"),
        ("Property value", "property_value"), ("Note rate", "note_rate"),
        ("Loan term", "loan_term_years"), ("Closing date", "closing_date"),
        ("Birthday", "birthday"), ("Co-borrower", "co_borrower_name"), ("Lead date", "lead_date"),
        ("Consent at", "consent_at"), ("Consent certificate", "consent_url"),
        ("Consent text", "consent_text"), ("Consent IP", "consent_ip"),
    ):  # fmt: skip
        value = details.get(key)
        if key == "phone" and value and details.get("phone_ext"):
            value = f"{value} ext. {details['phone_ext']}"
        if isinstance(value, datetime):
            value = when(value, zone, now)
        elif isinstance(value, date | float):
            value = shown(value)
        elif key == "loan_term_years":
            # Every lead has one (30 unless told): shown once it says something about a loan.
            value = f"{value} years" if value != 30 or details.get("note_rate") else ""
        if value:
            facts.add_row(label, plain(value))
    if details.get("other_phones"):
        others = ", ".join(
            f"{p['number']} ext. {p['ext']}" if p.get("ext") else p["number"]
            for p in details["other_phones"]
        )
        facts.add_row("Other phones", plain(others))
    if len(details.get("sources") or []) > 1:
        facts.add_row("All sources", plain(", ".join(details["sources"])))
    out.print(facts)
    whose = "UTC" if utc else "their time" if details.get("timezone") else "your time"
    out.print("\nTimeline")
    table = Listing(
        [f"When ({whose})", "What", "Channel"], long_header="Detail", under=0, spaced=False
    )
    for entry in result.entries:
        style = {"planned": "dim", "due": "bold"}.get(entry.kind, "")
        table.add_row(
            Text(when(entry.at, zone, now), style=style, no_wrap=True),
            Text(entry.kind, style=style),
            Text(entry.channel or "", style=style),
            long=plain(entry.text, style),
        )
    table.print()


def leads(
    search: Annotated[
        str,
        typer.Option(
            help="Part of a name (accents optional), a phone in any format, an email, #7."
        ),
    ] = "",
    stage: Annotated[
        str | None, typer.Option(help="Only leads in this stage.", show_default=False)
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Only leads from this source.", show_default=False)
    ] = None,
    stale: Annotated[
        bool,
        typer.Option(
            "--stale",
            help="Only leads with nothing planned though still in play: not closed or dead, "
            "not opted out of everything. There should be none.",
        ),
    ] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 50,
    officer: Annotated[
        str | None,
        typer.Option(
            help='Only this officer\'s leads ("default": the [officer] of leadchase.toml).',
            show_default=False,
        ),
    ] = None,
    json_output: common.JsonOption = False,
) -> None:
    """List and search leads, newest first."""
    from rich.text import Text

    from leadchase.cli.listing import Column, Listing
    from leadchase.display import plain
    from leadchase.lead_list import list_leads
    from leadchase.team import Team
    from leadchase.words import counted

    with common.open_workspace() as context:
        scope = Team.load(context).scope(officer) if officer else None
        result = list_leads(context, search, stage, source, limit, stale=stale, scope=scope)
    if json_output:
        keys = (
            "id", "name", "phone", "email", "state", "stage", "cadence", "source", "attempts",
            "officer_id",
        )  # fmt: skip
        common.print_json([{key: getattr(row, key) for key in keys} for row in result.leads])
        return
    table = Listing([Column("#", "right"), "Lead", "Phone / email", "Stage", "Source"])
    for row in result.leads:
        table.add_row(
            str(row.id),
            [plain(row.name or "(no name)", "bold"), Text(row.state or "", style="dim")],
            [Text(row.phone or "", no_wrap=True), Text(row.email or "", no_wrap=True)],
            [row.stage, Text(counted(row.attempts, "attempt"), style="dim")],
            row.source,
        )
    if stale and not result.leads:
        common.out.print("No lead has fallen off: every lead still in play has a next touch.")
        return
    table.print()
    common.out.print(f"{len(result.leads)} of {counted(result.total, 'lead')}")
    if stale:
        first = result.leads[0].id
        common.out.print(
            f"Nothing is planned for these: give each a next touch with a stage, e.g. "
            f"`leadchase stage {first} nurture`.",
            markup=False,
        )


def register(app: typer.Typer) -> None:
    app.command()(log)
    app.command()(show)
    app.command()(stage)
    app.command("set")(set_details)
    app.command()(snooze)
    app.command()(leads)
