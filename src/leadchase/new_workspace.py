"""`leadchase init`: a new workspace (context.py opens one; this module stays off the path of
every other command)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from leadchase.config import default_settings_text, load_settings
from leadchase.workspace import Workspace, create_workspace


@dataclass(frozen=True)
class NewWorkspace:
    """What `leadchase init` made: the workspace and the files it created."""

    workspace: Workspace
    created: tuple[Path, ...]  # what was missing and is now there; existing files are kept


def init_workspace(folder: Path) -> NewWorkspace:
    """`leadchase init`: the settings file, cadences, templates and a migrated database."""
    from leadchase.store.database import Database

    workspace, created = create_workspace(folder, default_settings_text())
    Database.open(load_settings(workspace).database_url).close()
    return NewWorkspace(workspace, tuple(created))
