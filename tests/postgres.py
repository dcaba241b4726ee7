"""PostgreSQL for the tests: a fresh database per test, copied from one migrated template.

LEADCHASE_TEST_POSTGRES_URL names a database this run may use (scripts/postgres.sh creates
one); its name is the prefix of the template and of every per-test copy, all dropped at the
end. CREATE DATABASE ... TEMPLATE copies the migrated schema in a few tens of milliseconds, far
less than running the migrations for every test.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy.engine import make_url

from leadchase.store.engine import driver_url

__all__ = ["Server", "driver_url", "with_database_url"]


def as_sqlite_shows_it(value: Any) -> Any:
    """A value read with raw SQL, as SQLite gives it: PostgreSQL gives timestamptz columns as
    aware datetimes and json columns decoded, SQLite the naive-UTC text and the JSON text that
    leadchase stored. Tests of stored values then read the same on both."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def with_database_url(settings_text: str, url: str) -> str:
    """The settings `init` writes, with [database] url set to `url`."""
    empty = '\nurl = ""\n'
    assert settings_text.count(empty) == 1
    return settings_text.replace(empty, f'\nurl = "{url}"\n')


class Server:
    def __init__(self, run_url: str) -> None:
        self.run_url = make_url(run_url)
        self.prefix = self.run_url.database or "leadchase_run"
        self.template = f"{self.prefix}_tpl"
        self._numbers = itertools.count(1)
        self._admin: Any = None

    def url(self, database: str) -> str:
        return self.run_url.set(database=database).render_as_string(hide_password=False)

    def __enter__(self) -> Server:
        import psycopg

        from leadchase.store.database import Database

        self._admin = psycopg.connect(
            driver_url(self.url(self.prefix)).replace("+psycopg", ""), autocommit=True
        )
        self._drop(self.template)
        self._admin.execute(f'CREATE DATABASE "{self.template}"')
        Database.open(self.url(self.template)).close()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._drop(self.template)
        self._admin.close()

    def _drop(self, name: str) -> None:
        # FORCE: a test's child process may still hold a connection when its test ends.
        self._admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @contextmanager
    def fresh_database(self, migrated: bool = True) -> Iterator[str]:
        """A new database for one test: the migrated template's copy, or empty."""
        name = f"{self.prefix}_t{next(self._numbers)}"
        self._drop(name)
        template = self.template if migrated else "template0"
        self._admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        try:
            yield self.url(name)
        finally:
            self._drop(name)
