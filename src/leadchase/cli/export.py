"""`leadchase export`: leads, touches or messages as CSV or JSON."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from leadchase.cli import common


class ExportKind(StrEnum):
    leads = "leads"
    touches = "touches"
    messages = "messages"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


def export(
    kind: Annotated[
        ExportKind,
        typer.Argument(
            parser=common.choice(ExportKind, "something to export"),
            help="What to export: leads, touches or messages.",
        ),
    ],
    file_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            parser=common.choice(ExportFormat, "a format"),
            help="csv (spreadsheets) or json.",
        ),
    ] = ExportFormat.csv,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Write to this file (private, 0600); default: standard output."
        ),
    ] = None,
    raw_phones: Annotated[
        bool,
        typer.Option(
            "--raw-phones",
            help="CSV: write phone numbers as +13055550123, not '+13055550123, for a CRM import "
            "(a cell that is not a valid number keeps its apostrophe).",
        ),
    ] = False,
) -> None:
    """Export every lead, touch or message as CSV or JSON, for a spreadsheet or a CRM."""
    from typing import TextIO, cast

    from leadchase.display import PrintableStream
    from leadchase.exports import export as run_export
    from leadchase.words import counted

    # On a terminal the rows are read, not stored: what a lead wrote is shown, never run.
    stream = cast(TextIO, PrintableStream(sys.stdout)) if common.out.is_terminal else sys.stdout
    with common.open_workspace() as context:
        result = run_export(
            context, kind.value, file_format.value, out, stream, raw_phones=raw_phones
        )
    if result.path is not None:
        rows = counted(result.rows, "row")
        common.err.print(f"Wrote {rows} ({kind.value}) to {result.path}.", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(export)
