"""What a command works with: the workspace settings and, opened on first use, the database.

`with open_workspace(home) as context:` is the one way to get one: the database is closed when
the block ends, also when it ends with an error, so no caller closes it by hand.
new_workspace.py makes a new one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from leadchase.config import Settings, load_settings
from leadchase.parsed_cache import save as save_parsed
from leadchase.parsed_cache import use_workspace
from leadchase.workspace import find_workspace

if TYPE_CHECKING:
    from leadchase.store.database import Database
    from leadchase.store.fast import Reader


@dataclass
class Context:
    """A command's open workspace: its settings, and the database opened on first use."""

    settings: Settings
    _database: Database | None = field(default=None, init=False, repr=False)
    _reader: Reader | None = field(default=None, init=False, repr=False)
    _closed: bool = field(default=False, init=False, repr=False)

    @property
    def database(self) -> Database:
        """Opened on first use: commands that only read files never open it."""
        if self._closed:
            raise RuntimeError("the workspace is closed: use it inside `with open_workspace()`")
        if self._database is None:
            from leadchase.store.database import Database

            self._database = Database.open(self.settings.database_url)
        return self._database

    @property
    def reader(self) -> Reader:
        """The database for the agenda's reads without SQLAlchemy (store/fast.py), opened on
        first use. A database to create or migrate (or at a url the reader does not open
        itself) is opened as `database` first, and read on a connection of its engine."""
        if self._closed:
            raise RuntimeError("the workspace is closed: use it inside `with open_workspace()`")
        if self._reader is None:
            from leadchase.store.fast import open_reader

            self._reader = open_reader(self.settings.database_url) or self.database.reader()
        return self._reader

    @property
    def database_open(self) -> bool:
        return self._database is not None

    def _close(self) -> None:
        self._closed = True
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._database is not None:
            self._database.close()
            self._database = None


@contextmanager
def open_workspace(home: Path | None = None) -> Iterator[Context]:
    """The workspace at `home` (else $LEADCHASE_HOME, else the nearest leadchase.toml upward)."""
    workspace = find_workspace(home)
    use_workspace(workspace.root)  # parsed cadences and law table kept there (parsed_cache.py)
    context = Context(load_settings(workspace))
    try:
        yield context
    finally:
        context._close()
        save_parsed()
