"""`leadchase db check` and `db backup`: is the database whole, and a copy of it that is.

Both read the SQLite file directly with the sqlite3 module, never through the engine: a check
must work on a damaged file without migrating or writing it, and a backup uses SQLite's online
backup API, which copies a consistent snapshot while other runs keep writing.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from leadchase.errors import DatabaseProblem, LeadchaseError
from leadchase.files import private_file_by_name
from leadchase.store.engine import sqlite_path
from leadchase.store.migrations import MIGRATIONS
from leadchase.store.sqlite_file import read_only_uri

PROBLEMS_SHOWN = 20  # lines of integrity_check's report kept
BACKUPS = "backups"  # the workspace folder `db backup` writes to by default


@dataclass(frozen=True)
class Health:
    """What `db check` found about a database file."""

    path: Path
    size: int
    problems: list[str] = field(default_factory=list)  # integrity_check's lines, or why unread
    applied: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # known migrations not applied yet
    unknown: list[str] = field(default_factory=list)  # applied by a newer leadchase
    read: bool = True  # False when SQLite could not read it at all (no schema to tell)

    @property
    def ok(self) -> bool:
        """Whole and readable by this leadchase (a missing migration is applied on next use)."""
        return not self.problems and not self.unknown


def check_database(path: Path) -> Health:
    """SQLite's integrity_check and the migrations applied, read without writing anything."""
    if not path.is_file():
        raise LeadchaseError(f"there is no database file at {path}; check the name")
    size = path.stat().st_size
    if size == 0:
        return Health(path, 0, ["the file is empty (0 bytes): it holds no database"], read=False)
    try:
        with _reading(path) as connection:
            check = f"PRAGMA integrity_check({PROBLEMS_SHOWN})"
            report = [row[0] for row in connection.execute(check)]
            names = _applied(connection)
    except sqlite3.DatabaseError as error:
        return Health(path, size, [f"SQLite cannot read it: {error}"], read=False)
    return _health(path, report, names)


def _health(path: Path, report: list[str], names: set[str]) -> Health:
    known = [name for name, _ in MIGRATIONS]
    return Health(
        path,
        path.stat().st_size,
        problems=[] if report == ["ok"] else report,
        applied=[name for name in known if name in names],
        pending=[name for name in known if name not in names],
        unknown=sorted(names - set(known)),
    )


def database_file(url: str) -> Path:
    """The SQLite file of `[database] url`; other databases have their own tools."""
    path = sqlite_path(url)
    if path is None:
        raise LeadchaseError(
            f"[database] url {url!r} is not a SQLite file: check and back it up with that "
            "database's own tools (e.g. pg_dump)"
        )
    return path


def backup_workspace(url: str, root: Path, now: datetime, to: Path | None = None) -> Health:
    """`db backup`: the workspace database copied to `to`, by default to
    ROOT/backups/leadchase-YYYYMMDD-HHMMSS.db (UTC; the folder is made private)."""
    if to is None:
        folder = root / BACKUPS
        folder.mkdir(mode=0o700, exist_ok=True)
        to = folder / f"leadchase-{now.astimezone(UTC):%Y%m%d-%H%M%S}.db"
    return backup_database(database_file(url), to)


def backup_database(path: Path, target: Path) -> Health:
    """Copy the database at `path` to the new file `target` (0600, never replacing a file or
    following a link there) with SQLite's online backup, and check the copy."""
    if not path.is_file():
        raise LeadchaseError(f"there is no database file at {path}; check the name")
    try:
        with (
            _reading(path) as source,
            private_file_by_name(target) as written,
            closing(sqlite3.connect(written)) as copy,
        ):
            # The copy is written in one go and published only when whole: no journal. Then
            # it leaves WAL mode, so reading it (a check, a restore) leaves no files beside it.
            copy.execute("PRAGMA journal_mode = OFF")
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
            report = [row[0] for row in copy.execute("PRAGMA quick_check(1)")]
            if report != ["ok"]:
                raise DatabaseProblem(
                    f"the copy of {path} is not whole ({report[0]}): no backup was written; "
                    "run `leadchase db check`"
                )
            names = _applied(copy)
    except sqlite3.DatabaseError as error:
        raise DatabaseProblem(
            f"cannot back up {path} ({error}): no backup was written; run `leadchase db check`"
        ) from None
    except FileExistsError:
        raise LeadchaseError(
            f"{target} already exists; a backup never replaces a file: choose another name"
        ) from None
    return _health(target, report, names)


def _reading(path: Path) -> closing[sqlite3.Connection]:
    """A read-only sqlite3 connection to `path`, closed at the end of the block."""
    return closing(sqlite3.connect(read_only_uri(path), uri=True))


def _applied(connection: sqlite3.Connection) -> set[str]:
    found = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if found is None:
        return set()
    return {row[0] for row in connection.execute("SELECT name FROM schema_migrations")}
