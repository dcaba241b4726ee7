"""`leadchase today`."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from leadchase.cli import common

if TYPE_CHECKING:
    from rich.text import Text

    from leadchase.agenda import Agenda, AgendaItem
    from leadchase.times import Zones


class ChannelChoice(StrEnum):
    call = "call"
    text = "text"
    email = "email"


def today(
    channel: Annotated[
        ChannelChoice | None, typer.Option(help="Only this channel.", show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many leads per channel.")] = 15,
    json_output: common.JsonOption = False,
) -> None:
    """Who to call, text and email right now, most urgent first, in each lead's local time."""
    from leadchase.agenda import CHANNEL_ORDER, build_agenda

    context = common.context()
    try:
        channels = (channel.value,) if channel else CHANNEL_ORDER
        agenda = build_agenda(context, common.now(), channels, limit)
        zones = common.zones(context)
    finally:
        context.close()
    for problem in agenda.problems:
        common.err.print(f"[yellow]warning:[/] {problem}", markup=True)
    if json_output:
        replies = [reply.to_json() for reply in agenda.replies]
        common.print_json(replies + [item.to_json() for item in agenda.items])
        return
    _render(agenda, zones)


def _render(agenda: Agenda, zones: Zones) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from leadchase.agenda import SPEED_TO_LEAD_MINUTES
    from leadchase.times import when

    out = common.out
    if agenda.replies:
        table = Table(
            title=f"REPLIES WAITING  ({len(agenda.replies)})  answer these first",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
        )
        for header in ("", "Lead", "Their time", "They wrote"):
            table.add_column(header, overflow="fold")
        for reply in agenda.replies:
            lead = Text(f"{reply.name} ", style="bold").append(f"#{reply.lead_id}", style="dim")
            lead.append(f"\n{reply.phone or ''}")
            table.add_row(
                Text("REPLY", style="bold white on blue"),
                lead,
                reply.local_time or "zone unknown",
                f"“{reply.text}”",
            )
        out.print(table)
    if not agenda.items and not agenda.replies:
        if agenda.next_due is not None:
            next_due = when(agenda.next_due, zones.own, agenda.now)
            out.print(f"Nothing due right now. Next touch: {next_due}.")
        else:
            out.print("Nothing due and nothing planned. Import leads with `leadchase import FILE`.")
        return
    for channel in ("call", "text", "email"):
        items = [item for item in agenda.items if item.channel == channel]
        if not items:
            continue
        total = agenda.totals.get(channel, len(items))
        title = f"{channel.upper()}  ({total} due)"
        if channel in agenda.manual_automated:
            title += "  [dim]sending not configured: send these yourself[/]"
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        for header in ("", "Lead", "Their time / why", "Attempt / last touch", "Say / send"):
            table.add_column(header, overflow="fold")
        for item in items:
            flag = Text("NEW", style="bold")
            if item.new_lead and (item.minutes_waiting or 0) > SPEED_TO_LEAD_MINUTES:
                flag = Text("NEW", style="bold white on red")
            elif not item.new_lead:
                flag = Text("")
            if item.dnc:
                flag = Text("DNC", style="bold red")
            contact = item.email if channel == "email" else item.phone
            source = " / ".join(part for part in (item.source, item.offer) if part)
            lead = Text(f"{item.name} ", style="bold").append(f"#{item.lead_id}", style="dim")
            lead.append(f"\n{contact or ''}").append(f"\n{source}", style="dim")
            their_time = Text(
                item.local_time or "zone unknown", style="" if item.local_time else "yellow"
            )
            their_time.append(f"\n{item.reason}")
            attempt = (
                f"{item.attempt} of {item.attempts_planned}"
                if item.attempts_planned
                else str(item.attempt)
            )
            table.add_row(flag, lead, their_time, f"{attempt}\n{item.last_touch or ''}", _say(item))
        out.print(table)
        if total > len(items):
            out.print(f"  … and {total - len(items)} more {channel} tasks (use --limit)")


def _say(item: AgendaItem) -> Text:
    """What to say or send: the rendered text (or the email's subject) over its template name."""
    from rich.text import Text

    if item.channel == "email" and item.subject is not None:
        say = Text(f"Subject: {item.subject}")
    elif item.channel == "text" and item.message is not None:
        say = Text(item.message)
    else:
        return Text(item.suggestion or "")
    return say.append(f"\n{item.template}", style="dim")


def register(app: typer.Typer) -> None:
    app.command()(today)
