"""Report tables of `stats`: a bold heading, then a plain table of figures under it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadchase.cli import common

if TYPE_CHECKING:
    from rich.table import Table


def heading_table(title: str, *headers: str) -> Table:
    """A table under a bold heading (a Rich title would wrap to the table's width)."""
    from rich import box
    from rich.table import Table

    common.out.print(f"\n[bold]{title}[/]")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for position, header in enumerate(headers):
        table.add_column(header, justify="left" if position == 0 else "right")
    return table
