"""Shared CLI plumbing: consoles, the workspace context, the clock, JSON output."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from leadchase.context import Context

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print a stable JSON document instead of tables.")
]


@dataclass
class _State:
    home: Path | None = None


state = _State()


def fail(message: str, code: int = 1) -> NoReturn:
    from rich.markup import escape

    err.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


def open_workspace() -> AbstractContextManager[Context]:
    """The workspace of --home: `with common.open_workspace() as context:` closes it at the end."""
    from leadchase.context import open_workspace as open_home

    return open_home(state.home)


def now() -> datetime:
    from leadchase.clock import now as clock_now

    return clock_now()


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, default=str, ensure_ascii=False) + "\n")
