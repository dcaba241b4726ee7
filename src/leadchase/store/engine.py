"""Opening the database: SQLite in WAL mode with a busy timeout, a 0600 file, migrations applied;
or a team's PostgreSQL (psycopg 3), whose sessions read and write times in UTC.

A database file or folder the user cannot write (a backup copy, a shared folder) is opened
read-only, so the reading commands work on it. SQLite's own errors about the file (damaged,
read-only for a write) become one DatabaseProblem line naming the file and the way out.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url

from leadchase.errors import ConfigError, DatabaseProblem
from leadchase.files import write_private
from leadchase.store.sqlite_file import BUSY_TIMEOUT_MS as BUSY_TIMEOUT_MS  # tests shorten it
from leadchase.store.sqlite_file import (
    check_not_empty,
    damaged,
    read_only,
    read_only_uri,
)

# Writers take this transaction-scoped advisory lock on PostgreSQL, so writes queue one at a
# time as SQLite's BEGIN IMMEDIATE makes them (an import numbers its new leads from the
# largest id, a claim checks then writes). Readers never wait for it.
WRITER_LOCK = 0x1EADC4A5E
PSYCOPG_MISSING = (
    "PostgreSQL needs the psycopg driver: pip install 'leadchase[postgres]' "
    "(docs/team.md), or fix [database] url"
)


def driver_url(url: str) -> str:
    """`url` with psycopg 3 as the driver of a plain postgresql:// (or postgres://) URL:
    SQLAlchemy would otherwise look for psycopg2."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def cannot_connect(url: str, error: BaseException) -> DatabaseProblem:
    """The one line for a database server that did not take the connection."""
    reason = (str(getattr(error, "orig", error)).strip().splitlines() or ["no reason given"])[0]
    shown = make_url(url).render_as_string(hide_password=True)
    return DatabaseProblem(
        f"cannot connect to {shown} ({reason}): check that the server is running "
        "and [database] url (docs/team.md)"
    )


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _empty_database() -> bytes:
    """An empty SQLite database in WAL mode, header and all."""
    with tempfile.TemporaryDirectory() as folder:
        made = Path(folder) / "empty.db"
        connection = sqlite3.connect(made)
        connection.execute("PRAGMA journal_mode = WAL")  # writes the file's header
        connection.close()
        return made.read_bytes()


def create_private_file(path: Path) -> None:
    """Create the database file 0600 before SQLite does (SQLite would honour the umask).

    SQLite gives its -wal and -shm files the database file's permissions, so they stay private too.
    The file appears whole (an empty database, never 0 bytes): another process opening it at that
    moment (the daemon's watcher and its send pass) must not take it for a database that lost its
    leads (sqlite_file.check_not_empty).
    """
    if path.exists():
        return
    if not path.parent.is_dir():
        raise ConfigError(
            f"database folder {path.parent} does not exist; create it or fix [database] url"
        )
    try:
        written = write_private(path, _empty_database(), keep_existing=True)
    except OSError as error:
        raise ConfigError(
            f"cannot create the database {path} ({error.strerror}); check the folder's "
            "permissions or fix [database] url"
        ) from None
    if not written and path.is_symlink():
        # SQLite would follow it and create the file it names with no say over its mode.
        raise ConfigError(f"{path} is a link to a missing file; remove it or fix [database] url")


def _explain_errors(engine: Engine, path: Path) -> None:
    @event.listens_for(engine, "handle_error")
    def explain(context: ExceptionContext) -> BaseException | None:
        text = str(context.original_exception)
        # Found on opening (no connection yet), nothing was written; found later, SQLite
        # rolled back the transaction it was in.
        changed = (
            "nothing was changed"
            if context.connection is None
            else "the command stopped and its last change was not saved"
        )
        problem = damaged(path, text, changed)
        if problem is not None:
            return problem
        if "attempt to write a readonly database" in text:
            return DatabaseProblem(
                f"the database {path} is read-only for you (its file or folder cannot be "
                "written) and this command writes: nothing was changed. Reading commands "
                "(today, leads, show...) work; to change it, fix the permissions or copy the "
                "workspace somewhere you can write"
            )
        return None


def _configure_sqlite(engine: Engine, writable: bool) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so that
        # DDL in a migration is inside the transaction too.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if writable:  # setting the journal mode writes the file's header
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


def _configure_postgres(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # timestamptz values come back in UTC and a naive timestamp column reads as UTC.
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
        dbapi_connection.commit()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get("sqlite_begin") == "IMMEDIATE":
            # Waits as long as SQLite's busy timeout, then fails the same way (a BusyError).
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}")
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")


def make_engine(url: str) -> Engine:
    return open_engine(url)[0]


def open_engine(url: str) -> tuple[Engine, bool]:
    """The engine for `url`, and whether it is read-only (a SQLite file this user cannot write)."""
    path = sqlite_path(url)
    readonly = False
    if path is not None:
        if path.exists():
            check_not_empty(path)
            readonly = read_only(path)
        else:
            create_private_file(path)
    try:
        engine = create_engine(
            f"sqlite:///{read_only_uri(path)}&uri=true" if readonly and path else driver_url(url)
        )
    except ModuleNotFoundError as error:
        if error.name == "psycopg":
            raise ConfigError(PSYCOPG_MISSING) from None
        raise ConfigError(f"cannot use database url {url!r}: {error}; fix [database] url") from None
    except Exception as error:  # a bad URL or a missing database driver
        raise ConfigError(f"cannot use database url {url!r}: {error}; fix [database] url") from None
    if engine.dialect.name == "postgresql":
        _configure_postgres(engine)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, writable=not readonly)
        if path is not None:
            _explain_errors(engine, path)
    return engine, readonly


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction that will write: committed on success, rolled back on any error."""
    with (
        engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection,
        connection.begin(),
    ):
        yield connection
