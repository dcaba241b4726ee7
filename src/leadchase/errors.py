"""The one family of user-facing errors.

Every error a loan officer can cause (a bad file, a missing workspace, a broken cadence) derives
from LeadchaseError. The CLI prints its message on one line to stderr and exits with its code;
nothing else is caught, so a real bug still shows a traceback.
"""

from __future__ import annotations

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


class DatabaseProblem(LeadchaseError):
    """The workspace database cannot be used as it is: damaged, empty, or read-only for a
    command that writes. The message says that nothing was changed and how to recover."""

    exit_code = EXIT_CONFIG
