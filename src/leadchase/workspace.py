"""Finding and creating a workspace: the folder holding leadchase.toml, cadences/, templates/, the database."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from leadchase.errors import WorkspaceError

SETTINGS_FILE = "leadchase.toml"
HOME_ENV = "LEADCHASE_HOME"


@dataclass(frozen=True)
class Workspace:
    """A workspace folder, and where its files are."""

    root: Path

    @property
    def settings_file(self) -> Path:
        return self.root / SETTINGS_FILE

    @property
    def cadences_dir(self) -> Path:
        return self.root / "cadences"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def default_database(self) -> Path:
        return self.root / "leadchase.db"


def shipped_dir(name: str) -> Path:
    """A folder of shipped defaults (cadences, templates, samples).

    A wheel carries them inside the package (_shipped/); a source checkout or editable install
    reads them from the project's top level.
    """
    packaged = Path(__file__).parent / "_shipped" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / name


def find_workspace(home: Path | None = None, cwd: Path | None = None) -> Workspace:
    """--home, then LEADCHASE_HOME, then the nearest leadchase.toml upward from the current folder."""
    if home is None and os.environ.get(HOME_ENV):
        home = Path(os.environ[HOME_ENV])
    if home is not None:
        home = home.expanduser()
        if not (home / SETTINGS_FILE).is_file():
            raise WorkspaceError(
                f"{home} is not a leadchase workspace (no {SETTINGS_FILE}); "
                f"run `leadchase init {home}` first"
            )
        return Workspace(home.resolve())
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / SETTINGS_FILE).is_file():
            return Workspace(folder)
    raise WorkspaceError(
        f"no leadchase workspace here ({start} or above has no {SETTINGS_FILE}); "
        "run `leadchase init` to create one, or set LEADCHASE_HOME"
    )


def create_workspace(root: Path, settings_text: str) -> tuple[Workspace, list[Path]]:
    """Lay out a new workspace; existing files are kept, never overwritten. Returns what was created."""
    # Imported here: every command finds its workspace, only `init` writes one.
    from leadchase.files import write_private

    root = root.expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise WorkspaceError(
            f"{root} exists and is not a folder; pick another path for `leadchase init`"
        )
    root.mkdir(parents=True, exist_ok=True)
    workspace = Workspace(root)
    created: list[Path] = []
    if write_private(workspace.settings_file, settings_text, keep_existing=True):
        created.append(workspace.settings_file)
    for name, target in (
        ("cadences", workspace.cadences_dir),
        ("templates", workspace.templates_dir),
    ):
        source = shipped_dir(name)
        for item in sorted(source.rglob("*")):
            if item.is_dir() or item.name.startswith("."):
                continue
            destination = target / item.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            if write_private(destination, item.read_bytes(), keep_existing=True):
                created.append(destination)
        target.mkdir(exist_ok=True)
    return workspace, created
