"""Every file leadchase writes: private (0600), whole or not at all, never through a planted link.

A file is written under a fresh hidden name beside its target, created with O_CREAT|O_EXCL|
O_NOFOLLOW and mode 0600, so nothing already at that name (a link someone planted, a partial file
a crash left) is ever opened. Only the complete, fsynced file takes the target's name: by a rename,
which replaces a link at the target instead of writing through it, or, for a file that must never
replace anything (settings, a secret, the database), by a hard link, which fails when the name is
taken. The files hold names, numbers and emails, hence 0600.

A CSV file meant for a spreadsheet is written through `CsvWriter`, which sends every cell, the
header row included, through the one formula neutraliser. The one exception, asked for by name
(`export --raw-phones`), is a valid E.164 number in a phone column: "+" and digits alone, which
a spreadsheet can at most read as a number, never as a call, a link or a command.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import secrets
import stat
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from leadchase.errors import LeadchaseError

PRIVATE = 0o600
FORMULA_STARTS = "=+-@\t\r"
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
_TEMP_ATTEMPTS = 100
# Where hard links cannot be made (FAT, some network shares), a move falls back to a rename.
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK})


def neutralise_cell(value: str) -> str:
    """Stop a spreadsheet from running a cell as a formula: a leading apostrophe makes it text."""
    if value and value[0] in FORMULA_STARTS:
        return "'" + value
    return value


class CsvWriter:
    """A csv writer whose every cell, headers too, is written as text a spreadsheet will not run;
    in the `raw_phones` columns (by position) a valid E.164 number is written as it is."""

    def __init__(self, out: TextIO, raw_phones: Collection[int] = ()) -> None:
        self._writer = csv.writer(out)
        self._raw_phones = frozenset(raw_phones)

    def writerow(self, row: Iterable[object]) -> None:
        cells = ["" if c is None else str(c) for c in row]
        self._writer.writerow(
            [
                cell
                if index in self._raw_phones and E164.fullmatch(cell)
                else neutralise_cell(cell)
                for index, cell in enumerate(cells)
            ]
            if self._raw_phones
            else [neutralise_cell(cell) for cell in cells]
        )


def _token() -> str:
    return secrets.token_hex(4)


def _create_beside(target: Path) -> tuple[Path, int]:
    """A new 0600 file under a fresh hidden name in the target's folder, and its descriptor."""
    for _ in range(_TEMP_ATTEMPTS):
        temp = target.with_name(f".{target.name}.{_token()}.partial")
        try:
            descriptor = os.open(temp, _NEW_FILE, PRIVATE)
        except FileExistsError:  # taken, maybe by a planted link: never open it, pick another
            continue
        os.fchmod(descriptor, PRIVATE)  # the umask may have taken bits off the mode
        return temp, descriptor
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target))


class PendingFile:
    """A private file being written beside `target`, which it becomes only when published."""

    def __init__(self, target: Path, encoding: str = "utf-8") -> None:
        self.target = target
        self.temp, descriptor = _create_beside(target)
        try:
            self.handle: TextIO = os.fdopen(descriptor, "w", encoding=encoding, newline="")
        except BaseException:
            os.close(descriptor)
            self.temp.unlink(missing_ok=True)
            raise

    def publish(self) -> None:
        """The finished file replaces the target (a link at the target is replaced, not followed)."""
        try:
            self._finish()
            self.temp.replace(self.target)
        except BaseException:
            self.temp.unlink(missing_ok=True)
            raise

    def publish_new(self) -> bool:
        """The finished file takes the target's name unless the name is taken; False if it was."""
        try:
            self._finish()
            os.link(self.temp, self.target)
        except FileExistsError:
            return False
        finally:
            self.temp.unlink(missing_ok=True)
        return True

    def discard(self) -> None:
        self.handle.close()
        self.temp.unlink(missing_ok=True)

    def _finish(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()


def _check_target(path: Path) -> None:
    """A file can be written at `path`: it is no folder, and its folder exists."""
    if path.is_dir():
        raise LeadchaseError(f"{path} is a folder; give a file name, e.g. {path / 'export.csv'}")
    if not path.parent.is_dir():
        raise LeadchaseError(f"folder {path.parent} does not exist; create it or choose another")


@contextmanager
def private_file(path: Path, encoding: str = "utf-8") -> Iterator[TextIO]:
    """Write a text file at `path`, replacing it whole when the block ends without an error."""
    _check_target(path)
    pending = PendingFile(path, encoding)
    try:
        yield pending.handle
    except BaseException:
        pending.discard()
        raise
    pending.publish()


def write_private(path: Path, content: str | bytes, *, keep_existing: bool = False) -> bool:
    """Write `content` (text as UTF-8) to `path` whole; with keep_existing, a file already there
    is kept as it is. True when the file was written."""
    pending = PendingFile(path)
    try:
        if isinstance(content, str):
            pending.handle.write(content)
        else:
            pending.handle.buffer.write(content)
    except BaseException:
        pending.discard()
        raise
    if keep_existing:
        return pending.publish_new()
    pending.publish()
    return True


def open_private_append(path: Path, encoding: str = "utf-8") -> io.TextIOWrapper:
    """A file to append to (a log), created 0600, refused if `path` is a link or not a file.

    A log grows line by line and is rotated by others, so it is opened in place, not replaced.
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, PRIVATE)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        os.fchmod(descriptor, PRIVATE)
        return os.fdopen(descriptor, "a", encoding=encoding)
    except BaseException:
        os.close(descriptor)
        raise


def move_private(source: Path, target: Path) -> None:
    """Move `source` to `target`, never replacing what is there (FileExistsError) and never
    following a link; the moved file is made private."""
    try:
        os.link(source, target, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "name taken", str(target)) from None
        source.rename(target)
    else:
        source.unlink()
    _make_private(target)


def _make_private(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ELOOP:  # a link was moved as a link; what it names is not ours
            return
        raise
    try:
        if stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.fchmod(descriptor, PRIVATE)
    finally:
        os.close(descriptor)


@contextmanager
def private_file_by_name(path: Path) -> Iterator[Path]:
    """A new private (0600) file, for a writer that opens files by name (SQLite's backup):
    the block writes the temporary file whose name it is given, and that file becomes `path`
    when the block ends without an error. A file already at `path` is never replaced
    (FileExistsError), and a temporary file swapped for something else meanwhile is refused."""
    _check_target(path)
    pending = PendingFile(path)
    try:
        yield pending.temp
        ours, there = os.fstat(pending.handle.fileno()), os.lstat(pending.temp)
        if (ours.st_dev, ours.st_ino) != (there.st_dev, there.st_ino):
            raise FileExistsError(errno.EEXIST, "replaced while it was written", str(pending.temp))
    except BaseException:
        pending.discard()
        raise
    if not pending.publish_new():
        raise FileExistsError(errno.EEXIST, "name taken", str(path))
