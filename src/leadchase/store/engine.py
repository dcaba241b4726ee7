"""Opening the database: SQLite in WAL mode with a busy timeout, a 0600 file, migrations applied."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from leadchase.errors import ConfigError
from leadchase.files import write_private

BUSY_TIMEOUT_MS = 10_000


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def create_private_file(path: Path) -> None:
    """Create the database file 0600 before SQLite does (SQLite would honour the umask).

    SQLite gives its -wal and -shm files the database file's permissions, so they stay private too.
    """
    if path.exists():
        return
    if not path.parent.is_dir():
        raise ConfigError(
            f"database folder {path.parent} does not exist; create it or fix [database] url"
        )
    if not write_private(path, b"", keep_existing=True) and path.is_symlink():
        # SQLite would follow it and create the file it names with no say over its mode.
        raise ConfigError(f"{path} is a link to a missing file; remove it or fix [database] url")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so that
        # DDL in a migration is inside the transaction too.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # 16 MB of page cache: index inserts of a large import mostly stay in memory.
        cursor.execute("PRAGMA cache_size = -16000")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        # Writers ask for IMMEDIATE so two writers queue on busy_timeout instead of failing
        # when a read transaction tries to upgrade to a write.
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        create_private_file(path)
    try:
        engine = create_engine(url)
    except Exception as error:  # a bad URL or a missing database driver
        raise ConfigError(f"cannot use database url {url!r}: {error}; fix [database] url") from None
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction that will write: committed on success, rolled back on any error."""
    with (
        engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection,
        connection.begin(),
    ):
        yield connection
