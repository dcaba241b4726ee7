"""`leadchase init`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leadchase.cli import common


def init(
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="Folder for the new workspace (default: --home, $LEADCHASE_HOME, else here).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create a workspace: leadchase.toml, cadences/, templates/ and the database."""
    import os

    from leadchase.display import markup
    from leadchase.listener.token import ensure_token, token_path
    from leadchase.new_workspace import init_workspace

    target = folder or common.state.home or Path(os.environ.get("LEADCHASE_HOME") or ".")
    result = init_workspace(target)
    root = result.workspace.root
    created = list(result.created)
    if ensure_token(root):  # the listener's bearer token (`leadchase token show`)
        created.append(token_path(root))
    common.out.print(f"Workspace ready in [bold]{markup(root)}[/]")
    for path in created:
        common.out.print(f"  created {path.relative_to(root)}")
    common.out.print(
        "Next: fill in [bold]\\[officer][/] in leadchase.toml (your name, company, phone and "
        "postal address: nothing is sent until they are there), then [bold]leadchase import FILE[/]."
    )


def register(app: typer.Typer) -> None:
    app.command()(init)
