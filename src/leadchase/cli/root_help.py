"""`leadchase --help`: the same panels Typer's Rich help draws, without importing typer.rich_utils.

typer.rich_utils imports rich.markdown and rich.traceback when it loads (markdown_it, pygments,
attrs: more than typer itself), for Markdown help and pretty tracebacks, which leadchase uses
neither of. The root's help is drawn here with the same styles and layout from Rich's plain
parts; tests/test_cli_lazy.py checks it is what typer.rich_utils prints, colours included.
A command's own --help still goes through Typer.
"""

from __future__ import annotations

import inspect
import os
from typing import TYPE_CHECKING, ClassVar

from rich.align import Align
from rich.columns import Columns
from rich.console import Console
from rich.highlighter import RegexHighlighter
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.theme import Theme
from typer.core import TyperOption

if TYPE_CHECKING:
    from typer._click import Command, Context

# typer.rich_utils' styles for what the root's help shows.
_THEME = {
    "option": "bold cyan",
    "switch": "bold green",
    "negative_option": "bold magenta",
    "negative_switch": "bold red",
    "types": "bold yellow",
    "types_sep": "dim",
    "usage": "yellow",
}


class _Options(RegexHighlighter):
    highlights: ClassVar[list[str]] = [
        r"(^|\W)(?P<switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
        r"(?P<types>\<[^\>]+\>)",
        r"(?P<usage>Usage: )",
    ]


class _NegativeOptions(RegexHighlighter):
    highlights: ClassVar[list[str]] = [
        r"(^|\W)(?P<negative_switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<negative_option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
    ]


class _Types(RegexHighlighter):
    highlights: ClassVar[list[str]] = [
        r"^(?P<types_sep>(\[|<))",
        r"(?P<types_sep>\|)",
        r"(?P<types_sep>(\]|>))(\.\.\.)?$",
    ]


_options = _Options()
_negative = _NegativeOptions()
_types = _Types()


def _console() -> Console:
    """A console set up as typer.rich_utils sets up its own, from the same variables."""
    force: bool | None = None
    if os.getenv("GITHUB_ACTIONS") or os.getenv("FORCE_COLOR") or os.getenv("PY_COLORS"):
        force = True
    if os.getenv("_TYPER_FORCE_DISABLE_TERMINAL"):
        force = False
    width = os.getenv("TERMINAL_WIDTH")
    return Console(
        theme=Theme(_THEME),
        highlighter=_options,
        color_system="auto",
        force_terminal=force,
        width=int(width) if width else None,
    )


def _text(markup: str, style: str = "") -> Text:
    return _options(Text.from_markup(inspect.cleandoc(markup).strip(), style=style))


def _option_rows(command: Command, ctx: Context) -> list[list[Text | Columns]]:
    rows: list[list[Text | Columns]] = []
    for param in command.get_params(ctx):
        if not isinstance(param, TyperOption) or param.hidden:
            continue
        long = [opt for opt in param.opts if "--" in opt]
        short = [opt for opt in param.opts if "--" not in opt]
        negative_long = [opt for opt in param.secondary_opts if "--" in opt]
        negative_short = [opt for opt in param.secondary_opts if "--" not in opt]
        kind = Text(style="bold yellow", overflow="fold")
        kind.append(param.display_type_rich(ctx=ctx) or "")
        paragraphs = [part.replace("\n", " ").strip() for part in (param.help or "").split("\n\n")]
        rows.append(
            [
                _options(",".join(long)),
                _options(",".join(short)),
                _negative(",".join(negative_long)),
                _negative(",".join(negative_short)),
                _types(kind),
                Columns([_text("\n".join(paragraphs))] if param.help else []),
            ]
        )
    return rows


def _table(*, highlight: bool) -> Table:
    return Table(
        highlight=highlight,
        show_header=False,
        expand=True,
        box=None,
        pad_edge=False,
        padding=(0, 1),
    )


def print_root_help(command: Command, ctx: Context, commands: list[tuple[str, str]]) -> None:
    """The root's --help: usage, what leadchase is, its options, its commands (name, summary)."""
    console = _console()
    console.print(Padding(_options(command.get_usage(ctx)), 1), style="bold")
    if command.help:
        summary = inspect.cleandoc(command.help).split("\n\n")[0].replace("\n", " ")
        console.print(Padding(Align(_text(summary), pad=False), (0, 1, 1, 1)))
    options = _table(highlight=True)
    for row in _option_rows(command, ctx):
        options.add_row(*row)
    console.print(Panel(options, border_style="dim", title="Options", title_align="left"))
    listed = _table(highlight=False)
    listed.add_column(style="bold cyan", no_wrap=True, width=max(len(name) for name, _ in commands))
    listed.add_column("Description", justify="left", no_wrap=False, ratio=10)
    for name, summary in commands:
        listed.add_row(Text(name), _text(summary))
    console.print(Panel(listed, border_style="dim", title="Commands", title_align="left"))
