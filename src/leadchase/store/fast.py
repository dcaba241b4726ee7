"""The agenda's reads on the plain DB-API driver: sqlite3, or psycopg 3 for a postgresql:// url.

`leadchase today` is the command the officer waits for, and SQLAlchemy cost
several times the whole agenda's work just to import. This module opens the connection;
the queries are store/fast_reads.py's Reader. Opening checks the schema_migrations table with
one query; when a migration is pending, `open_reader` says so and the caller migrates through
store/database.py first.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from leadchase.errors import DatabaseProblem
from leadchase.store.fast_reads import COUNT_CAP, Reader
from leadchase.store.sqlite_file import (
    BUSY_TIMEOUT_MS,
    check_not_empty,
    damaged,
    read_only,
    read_only_uri,
)

__all__ = ["COUNT_CAP", "KNOWN_MIGRATIONS", "Reader", "open_reader", "pending"]

# Every migration in store/migrations.py's MIGRATIONS, by name (a test keeps the two equal):
# the reader is used only on a database that has had them all.
KNOWN_MIGRATIONS = (
    "001_leads_imports_suppression",
    "002_touches_and_messages",
    "003_lead_asked_index",
    "004_touch_expiry_and_owed",
    "005_lead_details_and_stage_history",
    "006_team_officers",
    "007_intake_requests",
    "008_alerts",
    "009_touch_agenda_by_kind",
    "010_postgres_timestamptz",
    "011_market_rates_and_rate_alerts",
)
_OPEN_POSTGRES = ("postgresql://", "postgresql+psycopg://", "postgres://")


def open_reader(url: str) -> Reader | None:
    """A reader on the database at `url`; None when this url is not one the reader knows
    (a sqlite url with options, another driver) or the database is missing or has a
    migration pending: the caller opens it through store/database.py (which creates or
    migrates it) and may ask again."""
    reader: Reader | None
    if url.startswith(_OPEN_POSTGRES):
        reader = _open_postgres(url)
    elif url.startswith("sqlite:///") and "?" not in url:
        reader = _open_sqlite(Path(url.removeprefix("sqlite:///")))
    else:
        return None
    if reader is None:
        return None
    if pending(reader):
        reader.close()
        return None
    return reader


def pending(reader: Reader) -> list[str]:
    """The known migrations the database has not had, in order."""
    ledger = (
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
        if reader.postgres
        else "SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'"
    )
    if not reader.rows(ledger)[0][0]:  # a database never migrated
        return list(KNOWN_MIGRATIONS)
    done = {row[0] for row in reader.rows("SELECT name FROM schema_migrations")}
    return [name for name in KNOWN_MIGRATIONS if name not in done]


def _open_sqlite(path: Path) -> Reader | None:
    if not path.exists():
        return None
    check_not_empty(path)
    try:
        if read_only(path):
            connection = sqlite3.connect(read_only_uri(path), uri=True)
        else:
            connection = sqlite3.connect(path)
            # As store/engine.py: the file stays in WAL mode, so readers never block the import.
            connection.execute("PRAGMA journal_mode = WAL")
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    except sqlite3.DatabaseError as error:
        problem = damaged(path, str(error), "nothing was changed")
        if problem is not None:
            raise problem from None
        raise DatabaseProblem(f"cannot open the database {path}: {error}") from None
    return Reader(connection, False, str(path))


def _open_postgres(url: str) -> Reader | None:
    """psycopg's own connection, its session in UTC as store/engine.py's are. Without psycopg,
    or when the server does not take the connection, None: store/database.py then says so in
    its one line (PSYCOPG_MISSING, cannot_connect)."""
    try:
        import psycopg  # optional: only a PostgreSQL workspace needs it
    except ImportError:
        return None
    plain = "postgresql://" + url.split("://", 1)[1]
    try:
        connection = psycopg.connect(plain, autocommit=True, options="-c TimeZone=UTC")
    except psycopg.OperationalError:
        return None
    return Reader(connection, True, plain.rsplit("@", 1)[-1])
