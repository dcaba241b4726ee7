"""Reading vendor lead files: guess the encoding and delimiter, then stream the rows.

Vendors send whatever their tool produced: Facebook exports UTF-16 with tabs, Excel saves
Windows-1252, web forms write UTF-8. `sniff` decides from the bytes alone (the encoding in
encodings.py); `open_rows` streams records with the physical line each one starts on, so a
rejected row can be found in the file. Only a regular file is read: a named pipe or a device
is refused at once.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from types import TracebackType
from typing import Self

from leadchase.errors import ImportFileError
from leadchase.importing.encodings import (
    FallbackLines,
    decoded_lines,
    encoding_from_signature,
    scan_8bit,
    text_lines,
)
from leadchase.importing.kinds import what_else

DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
# Rows checked at open time for a header that does not match the data.
ALIGNMENT_SAMPLE = 200

_SAMPLE = 64 * 1024


@dataclass(frozen=True)
class FileFormat:
    encoding: str  # a Python codec name: "utf-8", "utf-8-sig", "utf-16", "cp1252", ...
    delimiter: str
    # For a UTF-8 file with lines that are not: how those lines are read ("cp1252", "latin-1").
    fallback: str | None = None


@dataclass(slots=True)
class RawRow:
    """One record as the vendor wrote it; `line` is the physical line it starts on (1-based)."""

    line: int
    fields: list[str]


def open_regular(path: Path) -> io.BufferedReader:
    """`path` opened to read, if it is a regular file. A named pipe would wait for a writer
    forever and a device (/dev/zero) never ends, so both are refused in one line; the check is
    made on the file opened (without waiting), so nothing can be swapped in after it."""
    _refuse_odd(path, path.stat().st_mode)
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        _refuse_odd(path, os.fstat(descriptor).st_mode)
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def _refuse_odd(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise ImportFileError(f"{path} is a folder; give the path of a .csv or .tsv file in it")
    what = (
        "a named pipe"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    raise ImportFileError(
        f"{path} is {what}, not a file; save what it holds to a file and import that"
    )


def sniff(path: Path) -> FileFormat:
    """Decide a lead file's encoding and delimiter, or say why it cannot be read as a lead list."""
    if not path.exists():
        raise ImportFileError(f"{path}: no such file; check the path and try again")
    try:
        with open_regular(path) as stream:
            head = stream.read(_SAMPLE)
            if not head:
                raise ImportFileError(f"{path} is empty; export the leads from the vendor again")
            other_kind = what_else(head)
            if other_kind is not None:
                raise ImportFileError(f"{path} {other_kind}")
            encoding, fallback = encoding_from_signature(head), None
            if encoding is None:
                stream.seek(0)
                encoding, fallback = scan_8bit(path, stream)
    except OSError as error:
        raise ImportFileError(
            f"{path}: cannot be read ({error.strerror}); check the file's permissions"
        ) from None
    header, following = _sample_rows(path, head, FileFormat(encoding, "", fallback))
    return FileFormat(encoding, _choose_delimiter(path, header, following), fallback)


def _sample_rows(path: Path, head: bytes, fmt: FileFormat) -> tuple[str, list[str]]:
    """The header line and the next few lines of the sample, undivided."""
    encoding = fmt.encoding
    try:
        if fmt.fallback is not None:
            whole = head if len(head) < _SAMPLE else head[: head.rfind(b"\n") + 1]
            decoded = decoded_lines(io.BytesIO(whole), encoding, fmt.fallback, FallbackLines())
            text = "".join(decoded)
        else:
            decoder = codecs.getincrementaldecoder(encoding)()
            text = decoder.decode(head, final=len(head) < _SAMPLE)
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"{path} is not valid {encoding} ({error.reason} at byte {error.start}); "
            "export the leads from the vendor again"
        ) from None
    lines = [line for line in io.StringIO(text.lstrip("\ufeff"), newline="") if line.strip()]
    if len(head) == _SAMPLE:
        lines = lines[:-1]  # the last line may be cut short by the sample
    if not lines:
        raise ImportFileError(f"{path} has no header line; export the leads from the vendor again")
    return lines[0], lines[1:50]


def _choose_delimiter(path: Path, header: str, following: list[str]) -> str:
    """The candidate used most often in the header, outside quotes; comma for one column."""
    counts = {d: _field_count(header, d) - 1 for d in DELIMITER_NAMES}
    most = max(counts.values())
    if most == 0:
        return ","
    tied = [d for d, count in counts.items() if count == most]
    if len(tied) > 1:
        # Break the tie with the delimiter that splits the data rows like the header.
        agreement = {d: sum(_field_count(line, d) == most + 1 for line in following) for d in tied}
        best = max(agreement.values())
        tied = [d for d in tied if agreement[d] == best]
    if len(tied) > 1:
        names = " and ".join(DELIMITER_NAMES[d] for d in tied)
        raise ImportFileError(
            f"{path}: cannot tell the delimiter, the header has as many of each of {names}; "
            "save the file again as CSV (comma) or tab-separated"
        )
    return tied[0]


def _field_count(line: str, delimiter: str) -> int:
    return len(next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), []))


def read_lines(binary: io.BufferedReader, fmt: FileFormat) -> Iterator[str]:
    """An open file's lines as text, read the way `fmt` says (a mixed file line by line)."""
    return text_lines(binary, fmt.encoding, fmt.fallback, FallbackLines())


def open_rows(path: Path, fmt: FileFormat) -> LeadFile:
    """Open a sniffed lead file: read its header and check the first rows line up with it."""
    return LeadFile(path, fmt)


class LeadFile:
    """An open lead file: `header`, then its rows streamed as RawRow on iteration.

    Rows with fewer fields than the header are padded with "" (Excel drops trailing empty
    cells); rows with more non-empty fields are yielded as they are, for the caller to reject.
    Blank rows are skipped. Use it as a context manager, or call `close()`.
    """

    def __init__(self, path: Path, fmt: FileFormat) -> None:
        self.path = path
        self.format = fmt
        self.total_bytes = path.stat().st_size
        # The lines read in the fallback encoding (a mixed file), as they are read.
        self.fallback_lines = FallbackLines()
        self._binary = open_regular(path)
        self._text = text_lines(self._binary, fmt.encoding, fmt.fallback, self.fallback_lines)
        self._reader = csv.reader(self._text, delimiter=fmt.delimiter)
        try:
            self.header = self._read_header()
            first = list(islice(self._records(), ALIGNMENT_SAMPLE))
            self._check_alignment(first)
        except BaseException:
            self.close()
            raise
        self._rows = chain(first, self._records())

    @property
    def bytes_read(self) -> int:
        """How far into the file reading has got, for a progress bar."""
        return self.total_bytes if self._binary.closed else self._binary.tell()

    def __iter__(self) -> Iterator[RawRow]:
        return self._rows

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._binary.close()

    def _read_header(self) -> list[str]:
        try:
            for fields in self._reader:
                if any(cell.strip() for cell in fields):
                    return _tidy_header(fields)
        except (csv.Error, UnicodeDecodeError) as error:
            raise self._unreadable(error) from None
        raise ImportFileError(f"{self.path} has no header line; export the leads again")

    def _records(self) -> Iterator[RawRow]:
        width = len(self.header)
        reader = self._reader
        end = reader.line_num
        start = end + 1
        count = width
        fields: list[str] = []
        try:
            for fields in reader:
                start = end + 1
                end = reader.line_num
                count = len(fields)
                # Blank lines and rows of empty cells (Excel's formatted-but-empty rows) carry
                # no lead; the first cell settles it for nearly every real row.
                if not (fields and fields[0].strip()) and not "".join(fields).strip():
                    continue
                if count < width:
                    fields.extend([""] * (width - count))
                elif count > width:
                    while len(fields) > width and not fields[-1].strip():
                        fields.pop()
                yield RawRow(start, fields)
        except (csv.Error, UnicodeDecodeError) as error:
            raise self._unreadable(error) from None
        if end > start and count < width and self.format.delimiter in fields[count - 1]:
            # The csv module reads an unclosed quote to the end of the file without complaint:
            # a short last row whose last cell holds whole lines of the file is that quote.
            raise ImportFileError(
                f"{self.path}: line {start}: a double quote opened in this row is never closed, "
                "so the rows after it ran into one cell; close the quote and import again"
            )

    def _unreadable(self, error: Exception) -> ImportFileError:
        return ImportFileError(
            f"{self.path}: line {self._reader.line_num}: cannot be read ({error}); "
            "fix that line or export the leads again"
        )

    def _check_alignment(self, first: list[RawRow]) -> None:
        if not first:
            raise ImportFileError(
                f"{self.path} has a header but no lead rows; export the leads again with the rows"
            )
        width = len(self.header)
        others = [d for d in DELIMITER_NAMES if d != self.format.delimiter]
        misaligned = sum(
            len(row.fields) > width
            or (width > 1 and not any(row.fields[1:]) and any(d in row.fields[0] for d in others))
            for row in first
        )
        if misaligned * 2 > len(first):
            name = DELIMITER_NAMES.get(self.format.delimiter, repr(self.format.delimiter))
            raise ImportFileError(
                f"{self.path}: rows do not line up with the header: detected delimiter {name}; "
                f"{misaligned} of the first {len(first)} rows split into a different number of "
                "fields; use one delimiter for the header and the rows, then import again"
            )


def _tidy_header(cells: list[str]) -> list[str]:
    """Trimmed names; empty ones become "Column N", repeats become "Name (2)"."""
    names: list[str] = []
    seen: set[str] = set()
    for number, cell in enumerate(cells, start=1):
        base = cell.replace("\ufeff", "").strip() or f"Column {number}"
        name, repeat = base, 1
        while name in seen:
            repeat += 1
            name = f"{base} ({repeat})"
        seen.add(name)
        names.append(name)
    return names
