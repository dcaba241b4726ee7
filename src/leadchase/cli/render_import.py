"""Rich rendering of import results."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.table import Table
from rich.text import Text

from leadchase.cli.listing import Listing
from leadchase.display import plain
from leadchase.importing.headers import RAW_ONLY
from leadchase.importing.pipeline import ImportResult
from leadchase.times import Zones, when


def render_result(console: Console, result: ImportResult, zones: Zones, now: datetime) -> None:
    title = f"{'Dry run: ' if result.dry_run else ''}{result.file}"
    delimiter = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(
        result.delimiter, repr(result.delimiter)
    )
    if result.skipped:
        console.print(
            plain(title, "bold").append(
                f": already imported (batch {result.already_imported_batch}, "
                f"{result.rows} rows), the same file byte for byte; nothing was read again. "
                "To read it again anyway: leadchase import FILE --force"
            )
        )
        return
    # File names, headers and cells come from the vendor: shown as written (display.py).
    console.print(plain(title, "bold").append(f"  ({result.encoding}, {delimiter}-separated)"))
    if result.dry_run:
        mapping = Table("Vendor column", "Lead field", title="Column mapping", title_justify="left")
        for header, field in result.mapping:
            mapping.add_row(
                plain(header), "[dim]kept in raw data[/]" if field == RAW_ONLY else field
            )
        console.print(mapping)
        if result.samples:
            console.print("Sample rows")
            console.print(_samples(result, zones, now), crop=False)
    summary = Table("", "Rows", show_header=False, title="Summary", title_justify="left")
    verb = "would be " if result.dry_run else ""
    summary.add_row("rows read", str(result.rows))
    summary.add_row(f"new leads {verb}imported", str(result.imported))
    summary.add_row(f"duplicates {verb}merged", str(result.merged))
    summary.add_row(f"rows {verb}rejected", str(result.rejected))
    for reason, count in sorted(result.rejected_reasons.items()):
        summary.add_row(f"  {reason}", str(count))
    summary.add_row("email only (no valid phone)", str(result.email_only))
    summary.add_row("phone only (no valid email)", str(result.phone_only))
    if result.on_dnc:
        summary.add_row(
            "[yellow]new leads on the do-not-call list (no texts)[/]", str(result.on_dnc)
        )
    if result.unknown_timezone:
        summary.add_row(
            "[yellow]time zone unknown (automation holds)[/]", str(result.unknown_timezone)
        )
    _unused_cells(
        summary,
        "lead dates not understood (left empty)",
        result.unreadable_lead_dates,
        result.unreadable_lead_date_samples,
    )
    _unused_cells(
        summary,
        "loan details not understood (left empty)",
        result.unreadable_details,
        result.unreadable_detail_samples,
    )
    _unused_cells(
        summary,
        "names not used in messages (a formula or punctuation)",
        result.odd_names,
        result.odd_name_samples,
    )
    if result.fallback_lines:
        lines = ", ".join(str(line) for line in result.fallback_line_samples)
        summary.add_row(
            Text(f"lines not UTF-8, read as {result.fallback_encoding}", style="yellow"),
            str(result.fallback_lines),
        )
        summary.add_row(f"  e.g. lines {lines}", "")
    console.print(summary)
    if result.rejects_file:
        console.print(
            Text("Rejected rows and why: ").append_text(plain(result.rejects_file, "bold"))
        )
    if result.already_imported_batch is not None and result.imported == 0:
        console.print(
            f"This file was already imported (batch {result.already_imported_batch}); "
            "nothing new was added."
        )
    elif result.imported == 0 and result.rows and not result.rejected:
        console.print("Every row matched a lead you already have; nothing new was added.")


def _unused_cells(summary: Table, what: str, count: int, samples: list[str]) -> None:
    """A count of cells the leads could not use, and a few of them as the vendor wrote them."""
    if not count:
        return
    summary.add_row(Text(what, style="yellow"), str(count))
    # repr() quotes each value and spells out control characters; Text keeps markup literal.
    summary.add_row(Text("  e.g. " + ", ".join(repr(value) for value in samples)), "")


def _samples(result: ImportResult, zones: Zones, now: datetime) -> Listing:
    """The first cleaned rows, each lead's phone and email whole and its date in its own zone."""
    table = Listing(["Name", "Phone / email", "Place", "Source / lead date"])
    for sample in result.samples:
        arrived = sample["lead_date"]
        table.add_row(
            sample["name"] or "",
            [Text(sample[key] or "", no_wrap=True) for key in ("phone", "email")],
            Text(" ".join(sample[key] for key in ("state", "zip") if sample[key]), no_wrap=True),
            [
                sample["source"] or "",
                Text(
                    when(arrived, zones.lead(sample["timezone"]), now) if arrived else "",
                    no_wrap=True,
                ),
            ],
        )
    return table
