"""What a command works with: the workspace settings and, opened on first use, the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from leadchase.config import Settings, load_settings
from leadchase.workspace import find_workspace

if TYPE_CHECKING:
    from leadchase.store.database import Database


@dataclass
class Context:
    settings: Settings
    _database: Database | None = field(default=None, repr=False)

    @classmethod
    def load(cls, home: Path | None = None) -> Context:
        return cls(load_settings(find_workspace(home)))

    @cached_property
    def database(self) -> Database:
        from leadchase.store.database import Database

        return Database.open(self.settings.database_url)

    def close(self) -> None:
        if "database" in self.__dict__:
            self.database.close()
