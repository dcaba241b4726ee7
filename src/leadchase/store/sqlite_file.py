"""The SQLite file itself: whether this user can write it, how to open it read-only, whether it
is empty or damaged. Standard library only, for the SQLAlchemy engine and the plain reader alike.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from leadchase.errors import DatabaseProblem

BUSY_TIMEOUT_MS = 10_000
RESTORE = "docs/running.md, Backups"
# What SQLite says about a file that is not (or no longer) a whole database.
DAMAGED = ("file is not a database", "database disk image is malformed")


def read_only(path: Path) -> bool:
    """Whether this user cannot write the database: its file, or its folder (where SQLite keeps
    the -wal and -shm files beside it)."""
    return not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def read_only_uri(path: Path) -> str:
    """SQLite's URI for reading `path` without writing anything. With no -shm file beside it
    and a folder where none can be made, nobody has it open to write: it is read as
    unchanging (immutable), the only way SQLite reads such a WAL database."""
    uri = f"file:{quote(str(path.absolute()))}?mode=ro"
    shm = path.with_name(path.name + "-shm")
    if not shm.exists() and not os.access(path.parent, os.W_OK):
        uri += "&immutable=1"
    return uri


def check_not_empty(path: Path) -> None:
    """A database file that exists but is empty lost its leads (a crash, a full disk, a bad
    copy): it must not silently become a new workspace."""
    wal = path.with_name(path.name + "-wal")
    if path.stat().st_size == 0 and not (wal.exists() and wal.stat().st_size > 0):
        raise DatabaseProblem(
            f"the database {path} is empty (0 bytes): nothing was changed. If it held your "
            f"leads, restore it from a backup ({RESTORE}); to start afresh, delete it"
        )


def damaged(path: Path, text: str, changed: str) -> DatabaseProblem | None:
    """SQLite's complaint `text` about `path` as one line saying what to do, when it says the
    file is damaged; `changed` says what became of the command's work."""
    if not any(phrase in text for phrase in DAMAGED):
        return None
    return DatabaseProblem(
        f"the database {path} is damaged ({text}): {changed}. "
        f"`leadchase db check` shows what is wrong; restore a backup ({RESTORE})"
    )
