"""`leadchase stats`: speed to lead, attempts, replies and conversion, as tables or JSON."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from leadchase.cli import common
from leadchase.cli.tables import heading_table

if TYPE_CHECKING:
    from collections.abc import Mapping

    from leadchase.reporting import Stats
    from leadchase.reporting.figures import Tally

BAR_WIDTH = 30


class ByChoice(StrEnum):
    officer = "officer"
    family = "family"
    form = "form"


def stats(
    since: Annotated[
        str,
        typer.Option(
            help="Leads that arrived since: 30d, 12w, a date (2026-01-01) or all.",
        ),
    ] = "30d",
    source: Annotated[
        str | None,
        typer.Option(
            help="Only leads from this source: a family of [sources.families] (all its forms,"
            " shown by form) or one source name (any case).",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        ByChoice | None,
        typer.Option(
            "--by",
            help="officer: compare officers side by side (speed to lead, conversion). family or"
            " form: group sources by family ([sources.families]) or by form (the source name in"
            " the lead file). Default: family; form within one --source family.",
            show_default=False,
        ),
    ] = None,
    json_output: common.JsonOption = False,
) -> None:
    """Is the follow-up working? Speed to lead, attempts, replies, conversion by source."""
    from leadchase.reporting import build_stats

    if by is ByChoice.officer:
        _by_officer(since, source, json_output)
        return
    with common.open_workspace() as context:
        result = build_stats(context, common.now(), since, source, by=by.value if by else None)
        zone = common.zones(context).own
    if json_output:
        common.print_json(result.to_json())
        return
    _render(result, zone)


def _by_officer(since: str, source: str | None, json_output: bool) -> None:
    from leadchase.display import plain
    from leadchase.reporting.service import stats_by_officer

    with common.open_workspace() as context:
        rows = stats_by_officer(context, common.now(), since, source)
    if json_output:
        common.print_json([{"officer": name, **result.to_json()} for name, result in rows])
        return
    table = heading_table(
        "BY OFFICER", "Officer", "Leads", "First touch", "In 5 min", "Contacted", "Applied",
        "Closed",
    )  # fmt: skip
    for name, result in rows:
        converted = result.conversion_total()
        table.add_row(
            plain(name),
            str(result.leads),
            _duration(result.first_touch.median_seconds),
            _percent(result.first_touch.within[0]),
            str(converted.contacted),
            str(converted.application),
            str(converted.closed),
        )
    common.out.print(table)
    common.out.print("First touch: the median time from arrival; see docs/reporting.md.")


# -- rendering --------------------------------------------------------------------------------


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.0f}%"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _bar(value: int, largest: int) -> str:
    if value <= 0 or largest <= 0:
        return ""
    return "█" * max(1, round(value / largest * BAR_WIDTH))


def _rates(title: str, rows: Mapping[str, Tally], total: str, hits: str) -> None:
    if not rows:
        return
    table = heading_table(title, "", total, hits, "Rate")
    from leadchase.display import plain

    for name, tally in rows.items():
        table.add_row(plain(name), str(tally.total), str(tally.hits), _percent(tally.rate))
    common.out.print(table)


def _render(result: Stats, zone: str) -> None:
    from leadchase.display import markup
    from leadchase.times import day
    from leadchase.words import counted

    since = f"since {day(result.since, zone, result.now)}" if result.since else "ever"
    who = f"from {markup(result.source)}" if result.source else "all sources"
    common.out.print(f"[bold]Leads that arrived {since}, {who}: {result.leads}[/]")
    if not result.leads:
        common.out.print("Nothing to measure yet: try a longer --since, or check --source.")
        return
    _render_speed(result)
    _render_attempts(result)
    _render_replies(result)
    _render_conversion(result)
    _render_funnel(result)
    opt_outs = result.opt_outs
    common.out.print(
        f"\n[bold]OPT-OUTS[/]  {opt_outs.leads.hits} of {counted(opt_outs.leads.total, 'lead')}"
        f" ({_percent(opt_outs.leads.rate)})"
    )
    if opt_outs.leads.hits:
        _rates("Opt-outs by source", opt_outs.by_source, "Leads", "Opted out")
        _rates("Opt-outs after each template", opt_outs.by_template, "Sent", "Opted out")


def _render_speed(result: Stats) -> None:
    table = heading_table("SPEED TO LEAD", "", "First touch", "First call")
    touch, call = result.first_touch, result.first_call
    table.add_row("Touched", f"{touch.touched} of {touch.leads}", f"{call.touched} of {call.leads}")
    table.add_row("Median", _duration(touch.median_seconds), _duration(call.median_seconds))
    table.add_row("90th percentile", _duration(touch.p90_seconds), _duration(call.p90_seconds))
    labels = ("Within 5 min", "Within 30 min", "Within 1 hour")
    for label, first, called in zip(labels, touch.within, call.within, strict=True):
        table.add_row(label, _percent(first), _percent(called))
    common.out.print(table)


def _render_attempts(result: Stats) -> None:
    from leadchase.reporting.model import ATTEMPT_DAYS, ATTEMPT_TARGET
    from leadchase.words import counted

    attempts = result.attempts
    low, high = ATTEMPT_TARGET
    title = f"ATTEMPTS IN THE FIRST {ATTEMPT_DAYS} DAYS (target {low}-{high})"
    if not attempts.leads:
        common.out.print(
            f"\n[bold]{title}[/]  no lead is past its first {ATTEMPT_DAYS} days yet"
            f" ({attempts.still_in_first_days} still in them)"
        )
        return
    chart = heading_table(title, "Attempts", "Leads", "")
    largest = max((n for _, n in attempts.distribution), default=0)
    for label, count in attempts.distribution:
        chart.add_row(label, str(count), _bar(count, largest))
    chart.columns[2].justify = "left"
    common.out.print(chart)
    by_channel = ", ".join(f"{channel} {n}" for channel, n in attempts.by_channel.items())
    common.out.print(
        f"  past the first {ATTEMPT_DAYS} days: {counted(attempts.leads, 'lead')}"
        f" ({attempts.still_in_first_days} still in them); under 2 attempts"
        f" {_percent(attempts.under_2)}, on target {_percent(attempts.on_target)};"
        f" attempts by channel: {by_channel}"
    )


def _render_replies(result: Stats) -> None:
    replies = result.replies
    common.out.print(
        f"\n[bold]CONTACT AND REPLIES[/]  contacted {replies.contacted.hits} of"
        f" {replies.contacted.total} ({_percent(replies.contacted.rate)}); median time to reply"
        f" {_duration(replies.median_seconds_to_reply)}"
    )
    _rates("Reply rate by channel", replies.by_channel, "Sent", "Replied")
    _rates("Reply rate by template", replies.by_template, "Sent", "Replied")
    variants = {f"{t} #{v}": tally for (t, v), tally in replies.by_variant.items()}
    _rates("Reply rate by variant", variants, "Sent", "Replied")


def _render_conversion(result: Stats) -> None:
    from leadchase.display import plain
    from leadchase.reporting.model import CONVERSION_DAYS

    table = heading_table(
        f"CONVERSION BY SOURCE (within {CONVERSION_DAYS} days of arrival)",
        "Source", "Leads", "Contacted", "Application", "Closed", "Cost/lead", "Per closed loan",
    )  # fmt: skip
    for row in (*result.conversion, result.conversion_total()):
        table.add_row(
            plain(row.source),
            str(row.leads),
            _percent(row.contacted_rate),
            _percent(row.application_rate),
            f"{row.closed} ({_percent(row.closed_rate)})",
            "-" if row.cost_per_lead is None else f"${row.cost_per_lead:,.2f}",
            "-" if row.cost_per_closed is None else f"${row.cost_per_closed:,.2f}",
        )
    common.out.print(table)


def _render_funnel(result: Stats) -> None:
    table = heading_table("FUNNEL (leads that reached each stage)", "Stage", "Reached", "Now", "")
    widest = max((row.reached for row in result.funnel), default=0)
    for row in result.funnel:
        table.add_row(row.stage, str(row.reached), str(row.leads), _bar(row.reached, widest))
    table.columns[3].justify = "left"
    common.out.print(table)


def register(app: typer.Typer) -> None:
    app.command()(stats)
