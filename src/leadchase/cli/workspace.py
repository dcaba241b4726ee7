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

    from leadchase.config import default_settings_text, load_settings
    from leadchase.store.database import Database
    from leadchase.workspace import create_workspace

    target = folder or common.state.home or Path(os.environ.get("LEADCHASE_HOME") or ".")
    workspace, created = create_workspace(target, default_settings_text())
    settings = load_settings(workspace)
    Database.open(settings.database_url).close()
    common.out.print(f"Workspace ready in [bold]{workspace.root}[/]")
    for path in created:
        common.out.print(f"  created {path.relative_to(workspace.root)}")
    common.out.print(
        "Next: edit leadchase.toml (your name, phone, postal address), then "
        "[bold]leadchase import FILE[/]."
    )


def register(app: typer.Typer) -> None:
    app.command()(init)
