"""`rates`, `rates set`, `rates list`, `rates opportunities`: market rates and rate-drop alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from leadchase.cli import common
from leadchase.words import counted

if TYPE_CHECKING:
    from leadchase.rates.alerts import Opportunity

rates_app = typer.Typer(
    help="Market rates by day; past clients and nurture leads a rate drop could save money.",
)


@rates_app.callback(invoke_without_command=True)
def _rates(ctx: typer.Context, json_output: common.JsonOption = False) -> None:
    """Market rates by day; past clients and nurture leads a rate drop could save money.

    With no command, the rate history (as `rates list`).
    """
    if ctx.invoked_subcommand is None:
        list_(json_output)


@rates_app.command("set")
def set_(
    rates: Annotated[
        list[str],
        typer.Argument(
            metavar="PRODUCT=RATE...",
            help="Rates as percents: 30yr=6.125 15yr=5.5 (products: 30yr, 20yr, 15yr, 10yr).",
        ),
    ],
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            help="The day the rates are for, e.g. 2026-03-02 (default: today).",
            show_default=False,
        ),
    ] = None,
    json_output: common.JsonOption = False,
) -> None:
    """Record the day's market rates and plan the rate-drop alerts they call for.

    Past clients (stage closed) and nurture leads whose note rate is at least the margin
    (leadchase.toml, rates section, default 0.75 points) above the rate for their loan term
    get a rate-drop call task, then a text with the estimated monthly saving: at most once per
    rate move, and never twice in 90 days.
    """
    from leadchase.rates.service import set_rates

    with common.open_workspace() as context:
        result = set_rates(context, rates, on, common.now())
    if json_output:
        common.print_json(result.to_json())
        return
    out = common.out
    written = ", ".join(f"{product} {rate:g}%" for product, rate in result.rates.items())
    unchanged = "" if result.changed else " (unchanged)"
    out.print(f"Rates for {result.on_day.isoformat()}: {written}{unchanged}.", markup=False)
    if result.plan.problem:
        common.err.print(f"[yellow]warning:[/] {result.plan.problem}", markup=True)
    planned = result.plan.planned
    out.print(f"Rate-drop alerts planned: {counted(len(planned), 'lead')}.")
    for found in planned:
        out.print(f"  {_who(found)}: {found.facts}", markup=False)


@rates_app.command("list")
def list_(json_output: common.JsonOption = False) -> None:
    """The market rates recorded, newest day first."""
    from rich.text import Text

    from leadchase.cli.listing import Column, Listing
    from leadchase.rates.service import history

    with common.open_workspace() as context:
        entries = history(context)
    if json_output:
        common.print_json(
            [{"on": e.on_day.isoformat(), "product": e.product, "rate": e.rate} for e in entries]
        )
        return
    if not entries:
        common.out.print("No rates recorded yet; set today's with: leadchase rates set 30yr=6.125")
        return
    table = Listing(["Day", "Product", Column("Rate", "right")], spaced=False)
    for entry in entries:
        table.add_row(
            Text(entry.on_day.isoformat(), no_wrap=True), entry.product, f"{entry.rate:g}%"
        )
    table.print()


@rates_app.command("opportunities")
def opportunities(json_output: common.JsonOption = False) -> None:
    """Past clients and nurture leads today's rates could save money, biggest saving first.

    Each lead whose note rate is at least the margin above today's rate for its term, with the
    estimated monthly saving (standard amortisation on its loan amount and term) and its last
    rate-drop touch.
    """
    from rich.text import Text

    from leadchase.cli.listing import Column, Listing
    from leadchase.display import plain
    from leadchase.rates.service import alert_json, find_opportunities
    from leadchase.times import day

    now = common.now()
    with common.open_workspace() as context:
        found = find_opportunities(context, now)
        zone = common.zones(context).own
    if json_output:
        common.print_json([alert_json(item, now) for item in found])
        return
    if not found:
        common.out.print("No past client or nurture lead is above today's rates by the margin.")
        return
    table = Listing(
        ["Lead", "Note", "Today", Column("Saves/mo", "right"), "Last rate-drop touch"],
        spaced=False,
    )
    for item in found:
        made = item.last_touch
        last = f"{made[0]} {day(made[1], zone, now)}" if made else "none"
        held = item.held_back(now)
        table.add_row(
            plain(_who(item)),
            f"{item.note_rate:g}%",
            Text(f"{item.today.rate:g}% {item.today.product}", no_wrap=True),
            f"${item.monthly_saving:,}" if item.monthly_saving else "?",
            last if held is None else f"{last}; {held}",
        )
    table.print()
    unknown = sum(1 for item in found if not item.monthly_saving)
    common.out.print(
        f"{counted(len(found), 'lead')}"
        + (f"; ? = loan amount not known ({unknown})" if unknown else "")
    )


def _who(found: Opportunity) -> str:
    lead = found.lead
    return f"#{lead.id} {lead.name or lead.phone or lead.email or ''} ({lead.stage})".strip()


def register(app: typer.Typer) -> None:
    app.add_typer(rates_app, name="rates")
