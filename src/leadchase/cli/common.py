"""Shared CLI plumbing: consoles, the workspace context, the clock, JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from leadchase.display import SafeConsole, json_text, markup

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from leadchase.context import Context
    from leadchase.times import Zones

# Safe consoles (display.py): what they write is printable; no ":emoji:" code is read either.
out = SafeConsole(highlight=False, soft_wrap=False, emoji=False)
err = SafeConsole(stderr=True, highlight=False, soft_wrap=True, emoji=False)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print a stable JSON document instead of tables.")
]
UtcOption = Annotated[
    bool, typer.Option("--utc", help="Show times in UTC instead of the lead's or your own zone.")
]


Choice = TypeVar("Choice", bound=StrEnum)
# What people call a channel: a text is an SMS to many.
CHANNEL_WORDS = {"sms": "text"}


def choice(
    kind: type[Choice], what: str, aliases: Mapping[str, str] | None = None
) -> Callable[[Any], Choice]:
    """A parser for an option or argument of choices: any case, aliases, and a plain sentence
    when the value is none of them ("'fax' is not a channel: use call, text or email")."""
    from leadchase.words import either

    def parse(value: Any) -> Choice:
        if isinstance(value, kind):
            return value
        typed = str(value).strip().lower()
        try:
            return kind((aliases or {}).get(typed, typed))
        except ValueError:
            names = either([member.value for member in kind])
            raise typer.BadParameter(f"{value!r} is not {what}: use {names}") from None

    return parse


@dataclass
class _State:
    """What the root options set for the command that runs (--home)."""

    home: Path | None = None


state = _State()


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {markup(message)}")
    raise typer.Exit(code)


def open_workspace() -> AbstractContextManager[Context]:
    """The workspace of --home: `with common.open_workspace() as context:` closes it at the end."""
    from leadchase.context import open_workspace as open_home

    return open_home(state.home)


def zones(context: Context, utc: bool = False) -> Zones:
    """Where this run shows times: leads in theirs, yours in [contact] default_timezone."""
    from leadchase.times import Zones

    return Zones(context.settings.contact.default_timezone, utc)


def now() -> datetime:
    from leadchase.clock import now as clock_now

    return clock_now()


def print_json(document: Any) -> None:
    text = json.dumps(document, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write(json_text(text) + "\n")
