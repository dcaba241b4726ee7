"""Listings laid out for an 80-column terminal: short facts in columns, long text under its row.

A Rich table folds whatever does not fit, so at 80 columns it split "internet-lead/first-text"
and email addresses across lines. A listing never splits a word: a column is never narrower than
its longest word (or its longest line, for a line made with `no_wrap=True`, like a time), only
text with spaces wraps, and a row's long text (a message, a talking point) is a last column only
while that column would be at least `stack_under` characters wide; on a narrower screen it goes
under the row, indented, as wide as the screen. A line can outgrow the screen only when its
unbreakable parts alone are wider; it is then printed whole, never cut.

Cells mostly hold outside text (names, sources, what a lead wrote): a str cell is read as
plain text, never markup, and every cell's control characters are made visible (display.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from rich.segment import Segment
from rich.text import Span, Text

from leadchase.cli import common
from leadchase.display import printable, safe_text

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

Cell = str | Text | Sequence[str | Text]  # a Text may hold several lines
GAP = 2
MARGIN = 1
_EMPTY = Text("")  # a cell with no line here


@dataclass(frozen=True)
class Column:
    """A column of a listing: its header and which side its cells keep to."""

    header: str
    justify: Literal["left", "right"] = "left"


@dataclass
class Listing:
    """Rows of short facts in columns, each row's long text a last column or, on a narrower
    screen, under the row."""

    columns: Sequence[Column | str]
    long_header: str = ""  # the header of the long text's column, when it is a column
    stack_under: int = 40
    under: int = 1  # the column stacked text starts under (the first is often a short flag)
    spaced: bool = True  # a blank line between rows when their long text is stacked
    rows: list[tuple[list[list[Text]], list[Text]]] = field(default_factory=list)

    def add_row(self, *cells: Cell, long: Cell = ()) -> None:
        self.rows.append(([_lines(cell) for cell in cells], _lines(long)))

    def print(self) -> None:
        common.out.print(self, crop=False)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.rows:
            return
        columns = [Column(c) if isinstance(c, str) else c for c in self.columns]
        headers = [_lines(column.header) for column in columns]
        body = [cells for cells, _ in self.rows]
        natural = [_width(column, _natural) for column in zip(headers, *body, strict=True)]
        least = [_width(column, _least) for column in zip(headers, *body, strict=True)]
        # A header wraps only when the screen is too narrow for every header whole.
        whole = [max(m, h[0].cell_len) for m, h in zip(least, headers, strict=True)]
        longs = [long for _, long in self.rows]
        long_header = _lines(self.long_header)
        inline = False
        if any(longs):
            room = options.max_width - _span(least) - GAP
            inline = room >= max(self.stack_under, _width([*longs, long_header], _least))
        if inline:
            columns.append(Column(self.long_header))
            headers.append(long_header)
            natural.append(_width([*longs, headers[-1]], _natural))
            least.append(max(self.stack_under, _width([*longs, headers[-1]], _least)))
            whole.append(max(least[-1], long_header[0].cell_len))
        last = len(columns) - 1 if inline else None
        widths = _fit(natural, whole, options.max_width, shrink_first=last)
        widths = _fit(widths, least, options.max_width, shrink_first=last)
        yield from _emit(console, _row(console, columns, widths, headers, "bold"))
        yield from _emit(console, [Text("─" * (_span(widths) - MARGIN), style="dim")], margin=True)
        # Under the column `under`, a little further in; at the left when that leaves no room.
        indent = MARGIN + sum(width + GAP for width in widths[: self.under]) + GAP
        if options.max_width - indent < 20:
            indent = MARGIN + GAP
        for number, (cells, long) in enumerate(self.rows):
            if inline:
                cells = [*cells, long]
            yield from _emit(console, _row(console, columns, widths, cells))
            if long and not inline:
                width = max(options.max_width - indent, 1)
                wrapped = [piece for line in long for piece in _wrap(console, line, width)]
                indented = [
                    Text(" " * indent) + piece if piece.plain else piece for piece in wrapped
                ]
                yield from _emit(console, indented)
                if self.spaced and number < len(self.rows) - 1:
                    yield Segment.line()


def _lines(cell: Cell) -> list[Text]:
    parts = [cell] if isinstance(cell, str | Text) else cell
    lines: list[Text] = []
    for part in parts:
        text = Text(printable(part)) if isinstance(part, str) else safe_text(part)
        if "\n" not in text.plain:
            lines.append(text)  # a listing never changes the Text of a cell
            continue
        for line in text.split("\n", allow_blank=True):
            line.no_wrap = text.no_wrap
            lines.append(line)
    return lines


def _natural(line: Text) -> int:
    return line.cell_len


def _least(line: Text) -> int:
    if line.no_wrap:
        return line.cell_len
    return max((len(word) for word in line.plain.split()), default=0)


def _width(cells: Iterable[list[Text]], measure: Callable[[Text], int]) -> int:
    return max((measure(line) for cell in cells for line in cell), default=0)


def _span(widths: Sequence[int]) -> int:
    return MARGIN + sum(widths) + GAP * (len(widths) - 1)


def _fit(natural: list[int], least: list[int], room: int, shrink_first: int | None) -> list[int]:
    """Natural widths, narrowed toward the least ones until the line fits in `room`."""
    widths = list(natural)
    excess = _span(widths) - room
    if shrink_first is not None and excess > 0:
        cut = min(excess, widths[shrink_first] - least[shrink_first])
        widths[shrink_first] -= cut
        excess -= cut
    while excess > 0:
        slack, column = max((w - m, i) for i, (w, m) in enumerate(zip(widths, least, strict=True)))
        if slack <= 0:
            break
        widths[column] -= 1
        excess -= 1
    return widths


def _wrap(console: Console, line: Text, width: int) -> list[Text]:
    if line.no_wrap or line.cell_len <= width:
        return [line]
    pieces = list(line.wrap(console, width, overflow="fold"))
    for piece in pieces:
        piece.rstrip()
    return pieces


def _row(
    console: Console,
    columns: Sequence[Column],
    widths: Sequence[int],
    cells: Sequence[list[Text]],
    style: str = "",
) -> list[Text]:
    wrapped = [
        [piece for line in cell for piece in _wrap(console, line, width)]
        for cell, width in zip(cells, widths, strict=True)
    ]
    height = max((len(cell) for cell in wrapped), default=0)
    lines = []
    for index in range(height):
        # The line's characters and styles as Text.append_text would lay them out, gathered
        # first and made into one Text: appending piece by piece re-read the whole line each
        # time, and a listing has hundreds of cells.
        parts = [" " * MARGIN]
        spans: list[Span] = []
        offset = MARGIN
        for position, (column, cell, width) in enumerate(
            zip(columns, wrapped, widths, strict=True)
        ):
            piece = cell[index] if index < len(cell) else _EMPTY
            pad = " " * max(width - piece.cell_len, 0)
            if position:
                parts.append(" " * GAP)
                offset += GAP
            if column.justify == "right":
                parts.append(pad)
                offset += len(pad)
            text = piece.plain
            if piece.style:
                spans.append(Span(offset, offset + len(text), piece.style))
            spans.extend(
                Span(start + offset, end + offset, kind) for start, end, kind in piece.spans
            )
            parts.append(text)
            offset += len(text)
            if column.justify != "right":
                parts.append(pad)
                offset += len(pad)
        line = Text("".join(parts), spans=spans)
        line.stylize(style)
        line.rstrip()
        lines.append(line)
    return lines


def _emit(console: Console, lines: Iterable[Text], margin: bool = False) -> RenderResult:
    # Without colours a style writes nothing (Style.render gives the text as it is): a line's
    # characters are all there is to write, in one segment instead of one per styled run.
    styled = console.color_system is not None
    for line in lines:
        if margin:
            yield Segment(" " * MARGIN)
        if styled:
            yield from line.render(console)
        else:
            yield Segment(line.plain)
        yield Segment.line()
