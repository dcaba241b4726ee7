"""The daemon's log: one line per action, to stderr or a private file, secrets redacted."""

from __future__ import annotations

import io
import logging
import sys
from logging.handlers import WatchedFileHandler
from pathlib import Path

from leadchase.display import printable
from leadchase.errors import ConfigError
from leadchase.files import open_private_append

LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"
HANDLER_NAME = "leadchase-daemon"


class _Redacting(logging.Formatter):
    """Secrets never reach a log line, not even inside a traceback; nor does a control
    character from a dropped file's name or a provider's answer (display.py)."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__(LOG_FORMAT)
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return printable(text)


def _skip_overlapping_pass_notes(record: logging.LogRecord) -> bool:
    """APScheduler warns when a pass comes due while the previous one still runs; with
    coalescing that is the plan (the running pass, or the one after it, does the work)."""
    return not (
        record.name.startswith("apscheduler")
        and "maximum number of running instances" in str(record.msg)
    )


class _PrivateLogFile(WatchedFileHandler):
    """The --log-file: reopened after logrotate moves it, and opened 0600, never through a link."""

    def _open(self) -> io.TextIOWrapper:
        return open_private_append(Path(self.baseFilename), self.encoding or "utf-8")


def daemon_logger(log_file: Path | None, secrets: tuple[str, ...] = ()) -> logging.Logger:
    """One line per action (time, level, message) to stderr or a log file.

    Libraries log their warnings to the same place; their chatter (APScheduler's "Running job",
    the Twilio SDK's request dumps) stays out.
    """
    handler: logging.Handler = logging.StreamHandler(sys.stderr)
    if log_file is not None:
        try:
            handler = _PrivateLogFile(log_file, encoding="utf-8")
        except OSError as error:
            raise ConfigError(
                f"cannot open log file {log_file} ({error.strerror}); fix --log-file"
            ) from None
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(_Redacting(secrets))
    handler.addFilter(_skip_overlapping_pass_notes)
    root = logging.getLogger()
    for earlier in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(earlier)
        earlier.close()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    log = logging.getLogger("leadchase.daemon")
    log.setLevel(logging.INFO)
    return log
