"""The rows `make bench` prints: one per target, and the figures behind them.

A row names what was measured, the command, the baseline, both medians (with min-max below),
the median of the per-pair ratios of wall time (the target's figure) with the same for CPU time
below it, the target and the result. A MISS is printed as a MISS: the harness reports, it does
not grade on a curve.

Why CPU too: on a shared machine a process's wall time also holds its waits for the disk and
for a core, and those come in bursts that one side of a pair can catch and the other miss. When
the two ratios disagree, the CPU ratio says what the command itself costs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from benchmarks.measure import Paired, Spread

STATUSES = ("PASS", "MISS", "INFO", "ERROR", "N/A")
_COLOURS = {"PASS": "green", "MISS": "red", "ERROR": "bold red", "INFO": "cyan", "N/A": "yellow"}


@dataclass
class Row:
    """One line of the results table."""

    what: str
    command: str
    baseline: str
    target: str
    status: str
    ours: str = "-"  # the measured command's median, formatted
    theirs: str = "-"  # the baseline's median, formatted
    ratio: float | None = None
    cpu_ratio: float | None = None  # the same median of per-pair ratios, of CPU time
    note: str = ""  # a sanity check (what the import did) or why there is no result
    pair_ratios: list[float] = field(default_factory=list)  # the ratio is their median
    cpu_pair_ratios: list[float] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)  # from Paired.to_json(), per contender

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status {self.status!r} is not one of {', '.join(STATUSES)}")

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        for key in ("ratio", "cpu_ratio"):
            document[key] = None if document[key] is None else round(document[key], 3)
        for key in ("pair_ratios", "cpu_pair_ratios"):
            document[key] = [round(ratio, 3) for ratio in document[key]]
        return document


def seconds(spread: Spread) -> str:
    """A median time and, below it, the range of the counted runs."""
    return f"{spread.median:.3f} s\n({spread.low:.3f}-{spread.high:.3f})"


def compared(
    measured: Paired,
    ours: str,
    theirs: str,
    limit: float | None,
    *,
    what: str,
    command: str,
    baseline: str,
    target: str,
    note: str = "",
    under: bool = False,
) -> Row:
    """A row from a paired comparison of wall times: the ratio is the median of ours/theirs per
    pair; PASS when it is at most `limit` (with `under`, below it), INFO when there is no limit
    (a floor, shown for scale)."""
    ratio = measured.ratio(ours, theirs)
    figures = measured.to_json()
    if limit is None:
        status = "INFO"
    else:
        status = "PASS" if (ratio < limit if under else ratio <= limit) else "MISS"
    return Row(
        what,
        command,
        baseline,
        target,
        status,
        ours=seconds(measured.spread(ours)),
        theirs=seconds(measured.spread(theirs)),
        ratio=ratio,
        cpu_ratio=measured.ratio(ours, theirs, "cpu_seconds"),
        note=note,
        pair_ratios=measured.ratios(ours, theirs),
        cpu_pair_ratios=measured.ratios(ours, theirs, "cpu_seconds"),
        figures={name: figures[name] for name in (ours, theirs)},
    )


def results_table(rows: list[Row]) -> Table:
    table = Table(title="leadchase benchmarks (medians of paired runs)", show_lines=True)
    table.add_column("what", ratio=4, overflow="fold")
    table.add_column("command", ratio=4, overflow="fold")
    table.add_column("baseline", ratio=4, overflow="fold")
    table.add_column("median", no_wrap=True, justify="right")
    table.add_column("baseline median", no_wrap=True, justify="right")
    table.add_column("ratio", no_wrap=True, justify="right")
    table.add_column("target", ratio=3, overflow="fold")
    table.add_column("result", no_wrap=True)
    for row in rows:
        what = Text(row.what)
        if row.note:
            what.append("\n" + row.note, style="dim")
        table.add_row(
            what,
            Text(row.command),
            Text(row.baseline),
            Text(row.ours),
            Text(row.theirs),
            _ratio(row),
            Text(row.target),
            Text(row.status, style=_COLOURS[row.status]),
        )
    return table


def figures_table(rows: list[Row]) -> Table:
    """Wall, CPU and peak memory of every contender as min / median / max, each measurement
    once (rows from one set of paired rounds share their contenders' runs)."""
    table = Table(title="figures behind the table: min / median / max of the counted runs")
    for name in ("what", "contender", "runs", "wall s", "CPU s", "peak MB"):
        table.add_column(name, overflow="fold")
    shown: list[tuple[str, dict[str, Any]]] = []
    for row in rows:
        for contender, figures in row.figures.items():
            if (contender, figures) in shown:
                continue
            shown.append((contender, figures))
            table.add_row(
                Text(row.what),
                Text(contender),
                str(figures["runs"]),
                _spread(figures["seconds"], 3),
                _spread(figures["cpu_seconds"], 3),
                _spread(figures["peak_rss_mb"], 0),
            )
    return table


def _ratio(row: Row) -> str:
    if row.ratio is None:
        return "-"
    cpu = "" if row.cpu_ratio is None else f"\nCPU {row.cpu_ratio:.2f}x"
    return f"{row.ratio:.2f}x{cpu}"


def _spread(figure: dict[str, float], digits: int) -> str:
    return " / ".join(f"{figure[key]:.{digits}f}" for key in ("min", "median", "max"))


def render(rows: list[Row], console: Console) -> None:
    console.print(results_table(rows))
    if any(row.figures for row in rows):
        console.print(figures_table(rows))
