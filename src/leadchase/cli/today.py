"""`leadchase today`."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from leadchase.cli import common
from leadchase.cli.officer_option import OfficerOption, officer_scope
from leadchase.contact.channels import CHANNELS

if TYPE_CHECKING:
    from rich.text import Text

    from leadchase.agenda import Agenda, AgendaItem
    from leadchase.times import Zones


LIMIT = 15  # leads per channel


class ChannelChoice(StrEnum):
    call = "call"
    text = "text"
    email = "email"


def today(
    channel: Annotated[
        ChannelChoice | None,
        typer.Option(
            parser=common.choice(ChannelChoice, "a channel", common.CHANNEL_WORDS),
            help="Only this channel.",
            show_default=False,
        ),
    ] = None,
    # No default value for Typer to check: checking one loads pydantic, a tenth of a second.
    limit: Annotated[
        int | None,
        typer.Option(
            min=1,
            help=f"At most this many leads per channel (default: {LIMIT}).",
            show_default=False,
        ),
    ] = None,
    officer: OfficerOption = None,
    json_output: common.JsonOption = False,
) -> None:
    """Who to call, text and email right now, most urgent first, in each lead's local time.

    Replies come first; then, per channel, leads that asked in the last hour (newest first),
    then the rest by the lead's day, attempts so far and how overdue (docs/cadences.md). With
    --json each task has its priority (its place, 1 first) and why.
    """
    from leadchase.agenda import build_agenda
    from leadchase.display import markup

    with common.open_workspace() as context:
        channels = (channel.value,) if channel else CHANNELS
        scope, whose = officer_scope(context, officer)
        limit = LIMIT if limit is None else limit
        agenda = build_agenda(context, common.now(), channels, limit, scope)
        zones = common.zones(context)
    for problem in agenda.problems:
        common.err.print(f"[yellow]warning:[/] {markup(problem)}")
    if json_output:
        replies = [reply.to_json() for reply in agenda.replies]
        tasks = [item.to_json() for item in agenda.items + agenda.waiting]
        common.print_json(replies + tasks)
        return
    if whose:
        common.out.print(f"{whose}'s leads (--officer all for everyone's)", markup=False)
    _render(agenda, zones)


def _render(agenda: Agenda, zones: Zones) -> None:
    from rich.text import Text

    from leadchase.agenda import SPEED_TO_LEAD_MINUTES
    from leadchase.cli.listing import Listing
    from leadchase.display import plain
    from leadchase.times import when
    from leadchase.words import counted

    out = common.out
    if agenda.replies:
        out.print(f"REPLIES WAITING  ({len(agenda.replies)})  answer these first")
        replies = Listing(["", "Lead", "Their time"], long_header="They wrote")
        for reply in agenda.replies:
            flag = (
                Text("OPT-OUT?", style="bold white on red")
                if reply.possible_opt_out
                else Text("REPLY", style="bold white on blue")
            )
            said = f"“{reply.text}”"
            if reply.possible_opt_out:
                said += (
                    "  possible opt-out: read and decide. Automated texts wait; "
                    f"`leadchase optout {reply.lead_id}` stops them, "
                    f"`leadchase resume {reply.lead_id}` lets them go on"
                )
            replies.add_row(
                flag,
                [_lead_line(reply.name, reply.lead_id), Text(reply.phone or "", no_wrap=True)],
                _their_time(reply.local_time),
                long=plain(said),
            )
        replies.print()
        out.print()
    if not agenda.items and not agenda.replies and not agenda.waiting:
        if agenda.next_due is not None:
            next_due = when(agenda.next_due, zones.own, agenda.now)
            out.print(f"Nothing due right now. Next touch: {next_due}.")
        else:
            out.print("Nothing due and nothing planned. Import leads with `leadchase import FILE`.")
        return
    for channel in CHANNELS:
        items = [item for item in agenda.items if item.channel == channel]
        if not items:
            continue
        total = agenda.totals.get(channel, len(items))
        title = f"{channel.upper()}  ({_count(total)} due)"
        if channel in agenda.manual_automated:
            title += "  [dim]sending not configured: send these yourself[/]"
        out.print(title)
        tasks = Listing(
            ["", "Lead", "Their time / why", "Attempt / last touch"], long_header="Say / send"
        )
        for item in items:
            flag = Text("NEW", style="bold")
            if item.new_lead and (item.minutes_waiting or 0) > SPEED_TO_LEAD_MINUTES:
                flag = Text("NEW", style="bold white on red")
            elif not item.new_lead:
                flag = Text("")
            contact = item.email if channel == "email" else item.phone
            if channel == "call" and item.phone_ext:
                contact = f"{item.phone} ext. {item.phone_ext}"
            source = " / ".join(part for part in (item.source, item.offer) if part)
            attempt = (
                f"{item.attempt} of {item.attempts_planned}"
                if item.attempts_planned
                else str(item.attempt)
            )
            why: list[Text | str] = [*_their_time(item.local_time), item.reason]
            if item.warning:
                why.append(Text(item.warning, style="yellow"))
            tasks.add_row(
                flag,
                [
                    _lead_line(item.name, item.lead_id),
                    Text(contact or "", no_wrap=True),
                    plain(source, "dim"),
                ],
                why,
                [attempt, item.last_touch or ""],
                long=_say(item),
            )
        tasks.print()
        hidden = total - len(items) - sum(1 for item in agenda.waiting if item.channel == channel)
        if hidden > 0:
            more = counted(hidden, f"more {channel} task")
            if _count(total).endswith("+"):
                more = f"{more.split()[0]}+ {' '.join(more.split()[1:])}"
            out.print(f"  … and {more} (use --limit)")
        out.print()
    _render_waiting(agenda, zones)


def _render_waiting(agenda: Agenda, zones: Zones) -> None:
    """Due, but not allowed now: never shown as work to do, always with when it opens."""
    from rich.text import Text

    from leadchase.cli.listing import Listing
    from leadchase.times import when

    if not agenda.waiting:
        return
    common.out.print(
        f"WAITING  ({len(agenda.waiting)})  due, but not allowed now: outside their hours or "
        "over their state's attempt cap"
    )
    table = Listing(["", "Lead", "Opens"], long_header="Why it waits")
    for item in agenda.waiting:
        opens = item.next_allowed_at
        table.add_row(
            Text(item.channel.upper(), style="dim"),
            [_lead_line(item.name, item.lead_id), Text(item.phone or "", no_wrap=True)],
            Text(
                when(opens, zones.lead(item.timezone), agenda.now) if opens else "",
                no_wrap=True,
            ),
            long=item.blocked_reason or "",
        )
    table.print()
    common.out.print()


def _count(total: int) -> str:
    """A channel's due count; the agenda stops counting at COUNT_CAP."""
    from leadchase.store.fast import COUNT_CAP

    return f"{COUNT_CAP:,}+" if total >= COUNT_CAP else str(total)


def _lead_line(name: str, lead_id: int) -> Text:
    from leadchase.display import plain

    return plain(f"{name} ", "bold").append(f"#{lead_id}", style="dim")


def _their_time(local_time: str | None) -> list[Text]:
    from rich.text import Text

    if local_time is None:
        return [Text("zone unknown", style="yellow")]
    return [Text(local_time, no_wrap=True)]


def _say(item: AgendaItem) -> list[Text]:
    """What to say or send: the rendered text (or the email's subject) over its template name."""
    from rich.text import Text

    from leadchase.display import plain

    if item.channel == "email" and item.subject is not None:
        say = plain(f"Subject: {item.subject}")
    elif item.channel == "text" and item.message is not None:
        say = plain(item.message)
    else:
        return [Text(item.suggestion or "")]
    return [say, Text(item.template or "", style="dim", no_wrap=True)]


def register(app: typer.Typer) -> None:
    app.command()(today)
