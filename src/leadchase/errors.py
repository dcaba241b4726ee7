"""The one family of user-facing errors.

Every error a loan officer can cause (a bad file, a missing workspace, a broken cadence) derives
from LeadchaseError. The CLI prints its message on one line to stderr and exits with its code;
nothing else is caught, so a real bug still shows a traceback.
"""

from __future__ import annotations

import errno

# Exit codes, documented in docs/cli.md.
EXIT_OK = 0
EXIT_ERROR = 1  # a user mistake: bad input, unknown lead, invalid file
EXIT_USAGE = 2  # wrong command-line usage (Typer's own code)
EXIT_CONFIG = 3  # workspace or configuration problem
EXIT_BUSY = 4  # another run holds the lock, or the database stayed busy
EXIT_HALTED = 5  # sending halted by a configuration error (provider, officer details, settings)
EXIT_HELD = 6  # a provider was down or kept failing: its channel waits, the other one sent


class LeadchaseError(Exception):
    """A problem the user can fix. The message says what, where and how to fix it."""

    exit_code = EXIT_ERROR


class WorkspaceError(LeadchaseError):
    exit_code = EXIT_CONFIG


class ConfigError(LeadchaseError):
    exit_code = EXIT_CONFIG


class ImportFileError(LeadchaseError):
    """A lead file that cannot be read at all (binary, empty, header only, ragged)."""


class LeadNotFound(LeadchaseError):
    pass


class CadenceError(LeadchaseError):
    pass


class BusyError(LeadchaseError):
    exit_code = EXIT_BUSY


class PolicyRefusal(LeadchaseError):
    """The contact policy does not allow this touch now (outside the lead's hours, over a
    state's attempt cap, an opt-out or the do-not-call list)."""


class DatabaseProblem(LeadchaseError):
    """The workspace database cannot be used as it is: damaged, empty, or read-only for a
    command that writes. The message says that nothing was changed and how to recover."""

    exit_code = EXIT_CONFIG


class DiskFull(LeadchaseError):
    exit_code = EXIT_CONFIG


# A full disk, an exhausted quota, a file size limit: what the operating system says...
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
# ...and what SQLite says when a write fails (SQLITE_FULL, SQLITE_IOERR).
_SQLITE_FULL = ("database or disk is full", "disk I/O error")


def explain(error: BaseException) -> LeadchaseError | None:
    """The user's one line for an error from below that is no bug: a full disk, a database
    that stayed locked. None for anything else (a bug keeps its traceback).

    The one place these are recognised: the CLI's error boundary and the daemon ask here.
    SQLAlchemy is not imported to do it (it keeps the driver's error as `orig`).
    """
    original = getattr(error, "orig", None) or error
    text = str(original)
    if isinstance(original, OSError) and original.errno in _FULL:
        where = f" {original.filename}" if original.filename else " a file"
        return DiskFull(
            f"cannot write{where}: {original.strerror} (the disk is full, or a quota or file "
            "size limit was reached); it was not written, free some space and run the command "
            "again"
        )
    from_sqlite = type(original).__name__ in ("OperationalError", "DatabaseError")
    if from_sqlite and any(phrase in text for phrase in _SQLITE_FULL):
        return DiskFull(
            f"the database could not be written ({text}: the disk is full, over quota or "
            "failing): the change being written was not saved and what was saved before "
            "it is whole; free some space and run the command again (a send run picks up "
            "where this one stopped)"
        )
    # SQLite's busy timeout ran out, or PostgreSQL's lock_timeout (SQLSTATE 55P03).
    locked = from_sqlite and "database is locked" in text
    if locked or getattr(original, "sqlstate", None) == "55P03":
        return BusyError(
            "the database stayed busy for 10 seconds (a large import or another run is "
            "writing); nothing was changed, try again in a minute"
        )
    return None
