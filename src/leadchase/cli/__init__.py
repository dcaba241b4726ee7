"""The `leadchase` command. Commands parse input, call one service function, render the result.

Importing typer takes longer than everything else `leadchase --help` does, so the root's own help
is printed from cli/outline.py without it (root_help.py) when that is all that was asked, and
Typer is imported for anything else. The Typer app is cli/root.py's `app`, which
`from leadchase.cli import app` still reaches: it is imported on first use.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from leadchase.cli import outline

if TYPE_CHECKING:
    from leadchase.cli.root import app as app

# What asks for the root's help alone, and the exit code Typer leaves with: with no arguments
# it shows the help as a usage error (no_args_is_help).
_ROOT_HELP: dict[tuple[str, ...], int] = {(): 2} | {
    (name,): 0 for name in outline.HELP_OPTION.names
}
# Click's help formatter is never narrower than this, so a usage line this long is never wrapped.
_NARROWEST = 50


def __getattr__(name: str) -> Any:
    if name == "app":
        from leadchase.cli.root import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _root_help_usage(args: list[str]) -> str | None:
    """The usage line, when `args` ask for the root's help alone and Typer would print it as
    root_help.py does; None when Typer is to answer."""
    if tuple(args) not in _ROOT_HELP:
        return None
    if getattr(sys.modules["__main__"], "__package__", None) not in (None, ""):
        return None  # `python -m leadchase`: Click names the program its own way
    program = os.path.basename(sys.argv[0])  # noqa: PTH119 - Click's rule, to the letter
    usage = f"Usage: {program} {outline.USAGE}"
    if len(usage) > _NARROWEST:
        return None
    if os.environ.get(f"_{program}_COMPLETE".replace("-", "_").upper()):
        return None  # Typer's shell completion
    if "TYPER_USE_RICH" in os.environ:
        return None  # without Rich, Typer ends the help in its own way
    return usage


def main() -> None:
    usage = _root_help_usage(sys.argv[1:])
    if usage is not None:
        from leadchase.cli.root_help import print_root_help

        code = _ROOT_HELP[tuple(sys.argv[1:])]
        print_root_help(usage, closing_line=code == 0)
        sys.exit(code)
    from leadchase.cli.root import app

    app()
