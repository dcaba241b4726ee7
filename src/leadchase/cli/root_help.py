"""`leadchase --help`: the same panels Typer's Rich help draws, without importing Typer.

typer.rich_utils imports rich.markdown and rich.traceback when it loads (markdown_it, pygments,
attrs: more than typer itself), for Markdown help and pretty tracebacks, which leadchase uses
neither of; and importing typer alone takes longer than the rest of --help. So the root's help
is drawn here from cli/outline.py, with the same styles and layout, from Rich's plain parts;
tests/test_cli_lazy.py checks it is what Typer's Rich help prints, colours included.
A command's own --help still goes through Typer.
"""

from __future__ import annotations

import inspect
import os
from typing import ClassVar

from rich.align import Align
from rich.columns import Columns
from rich.console import Console
from rich.highlighter import RegexHighlighter
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from leadchase.cli import outline

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


# Typer's texts (and a Panel's title given as a string) also go through Rich's ":emoji:" codes,
# which would change nothing here (no text has one: the comparison test would show it), and
# loading that table of codes took a twentieth of --help.
def _text(markup: str, style: str = "") -> Text:
    return _options(Text.from_markup(inspect.cleandoc(markup).strip(), style=style, emoji=False))


def _option_row(option: outline.RootOption) -> list[Text | Columns]:
    kind = Text(style="bold yellow", overflow="fold")
    kind.append(option.value)
    paragraphs = [part.replace("\n", " ").strip() for part in option.help.split("\n\n")]
    return [
        _options(",".join(name for name in option.names if "--" in name)),
        _options(",".join(name for name in option.names if "--" not in name)),
        _negative(""),  # no root option has a --no- form
        _negative(""),
        _types(kind),
        Columns([_text("\n".join(paragraphs))] if option.help else []),
    ]


def _table(*, highlight: bool) -> Table:
    return Table(
        highlight=highlight,
        show_header=False,
        expand=True,
        box=None,
        pad_edge=False,
        padding=(0, 1),
    )


def print_root_help(usage: str, *, closing_line: bool = False) -> None:
    """The root's --help: the usage line, what leadchase is, its options, its commands; with
    `closing_line`, the empty line Click adds after --help (it echoes the help text it got back,
    empty as Rich printed it). Rich ends a write to a closed pipe with exit code 1, as Typer does."""
    console = _console()
    console.print(Padding(_options(usage), 1), style="bold")
    summary = inspect.cleandoc(outline.HELP).split("\n\n")[0].replace("\n", " ")
    console.print(Padding(Align(_text(summary), pad=False), (0, 1, 1, 1)))
    options = _table(highlight=True)
    for option in outline.OPTIONS:
        options.add_row(*_option_row(option))
    console.print(Panel(options, border_style="dim", title=Text("Options"), title_align="left"))
    listed = _table(highlight=False)
    listed.add_column(style="bold cyan", no_wrap=True, width=max(map(len, outline.COMMANDS)))
    listed.add_column("Description", justify="left", no_wrap=False, ratio=10)
    for name, entry in outline.COMMANDS.items():
        listed.add_row(Text(name), _text(entry.summary))
    console.print(Panel(listed, border_style="dim", title=Text("Commands"), title_align="left"))
    if closing_line:
        console.print()
