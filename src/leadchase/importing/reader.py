"""Reading vendor lead files: guess the encoding and delimiter, then stream the rows.

Vendors send whatever their tool produced: Facebook exports UTF-16 with tabs, Excel saves
Windows-1252, web forms write UTF-8. `sniff` decides from the bytes alone; `open_rows` streams
records with the physical line each one starts on, so a rejected row can be found in the file.

A file pasted together from two tools holds UTF-8 lines and Windows-1252 ones. Read whole as
Windows-1252, "José" from the UTF-8 lines became "JosÃ©"; so when some line with accents is valid
UTF-8, each line is decoded on its own, as UTF-8 when it is valid and in the fallback encoding
when not, and those lines are counted. A file that is all UTF-8 is still read by one decoder.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from types import TracebackType
from typing import Self

from leadchase.errors import ImportFileError
from leadchase.importing.kinds import what_else

DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
# Rows checked at open time for a header that does not match the data.
ALIGNMENT_SAMPLE = 200
FALLBACK_EXAMPLES = 3  # line numbers kept of the lines read in the fallback encoding

_CHUNK = 1 << 20
_SAMPLE = 64 * 1024
# Bytes Windows-1252 leaves undefined: a file holding them was written as Latin-1.
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


@dataclass(frozen=True)
class FileFormat:
    encoding: str  # a Python codec name: "utf-8", "utf-8-sig", "utf-16", "cp1252", ...
    delimiter: str
    # For a UTF-8 file with lines that are not: how those lines are read ("cp1252", "latin-1").
    fallback: str | None = None


@dataclass(slots=True)
class FallbackLines:
    """How many lines of a mixed file were read in the fallback encoding, and the first few."""

    count: int = 0
    first: list[int] = field(default_factory=list)

    def add(self, line: int) -> None:
        self.count += 1
        if len(self.first) < FALLBACK_EXAMPLES:
            self.first.append(line)


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
            encoding, fallback = _encoding_from_signature(head), None
            if encoding is None:
                stream.seek(0)
                encoding, fallback = _scan_8bit(path, stream)
    except OSError as error:
        raise ImportFileError(
            f"{path}: cannot be read ({error.strerror}); check the file's permissions"
        ) from None
    header, following = _sample_rows(path, head, FileFormat(encoding, "", fallback))
    return FileFormat(encoding, _choose_delimiter(path, header, following), fallback)


def _encoding_from_signature(head: bytes) -> str | None:
    """The encoding given by a byte-order mark or a UTF-16 NUL pattern; None for 8-bit files."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return None  # still checked byte by byte, then read as utf-8-sig
    return _utf16_without_bom(head)


def _utf16_without_bom(head: bytes) -> str | None:
    # Mostly-ASCII UTF-16 has a NUL in every other byte; anything else with NULs is binary.
    sample = head[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even_nuls = sample[0 : pairs * 2 : 2].count(0)
    odd_nuls = sample[1 : pairs * 2 : 2].count(0)
    if odd_nuls > pairs * 0.3 and even_nuls < pairs * 0.05:
        return "utf-16-le"
    if even_nuls > pairs * 0.3 and odd_nuls < pairs * 0.05:
        return "utf-16-be"
    return None


def _scan_8bit(path: Path, stream: io.BufferedReader) -> tuple[str, str | None]:
    """Check the whole file: UTF-8 if every byte decodes; UTF-8 line by line, with a fallback,
    if some lines do; else Windows-1252 (or Latin-1). (encoding, fallback)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    undefined_in_cp1252 = False
    offset = 0
    while chunk := stream.read(_CHUNK):
        nul = chunk.find(0)
        if nul >= 0:
            raise ImportFileError(
                f"{path} is not a text file (NUL byte at byte {offset + nul}); "
                "export or save the leads as CSV"
            )
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
        if not undefined_in_cp1252:
            undefined_in_cp1252 = any(byte in chunk for byte in _CP1252_UNDEFINED)
        offset += len(chunk)
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False  # the last character is cut short
    utf8_encoding = "utf-8-sig" if _starts_with_utf8_bom(stream) else "utf-8"
    if utf8:
        return utf8_encoding, None
    stream.seek(0)
    if _holds_utf8(stream):
        stream.seek(0)
        undefined = _undefined_outside_utf8(_lines_of(stream))
        return utf8_encoding, "latin-1" if undefined else "cp1252"
    return ("latin-1" if undefined_in_cp1252 else "cp1252"), None


def _holds_utf8(stream: io.BufferedReader) -> bool:
    """Some character of the file is written in UTF-8 (what a UTF-8 decoder that skips the
    bytes it cannot read still turns into an accent). Fast: no line by line for a plain
    Windows-1252 file."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="ignore")
    while chunk := stream.read(_CHUNK):
        if not decoder.decode(chunk).isascii():
            return True
    return False


def _undefined_outside_utf8(lines: Iterable[bytes]) -> bool:
    """A line that is not UTF-8 holds a byte Windows-1252 leaves undefined (read it as Latin-1)."""
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            if any(byte in line for byte in _CP1252_UNDEFINED):
                return True
    return False


def _starts_with_utf8_bom(stream: io.BufferedReader) -> bool:
    stream.seek(0)
    return stream.read(3) == codecs.BOM_UTF8


def _sample_rows(path: Path, head: bytes, fmt: FileFormat) -> tuple[str, list[str]]:
    """The header line and the next few lines of the sample, undivided."""
    encoding = fmt.encoding
    try:
        if fmt.fallback is not None:
            whole = head if len(head) < _SAMPLE else head[: head.rfind(b"\n") + 1]
            text = "".join(_decoded(io.BytesIO(whole), fmt, FallbackLines()))
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


# A lone carriage return ends a line too (old Mac files), as it does for a text file read with
# newline="": split after one that is not followed by a line feed.
_LONE_CR = re.compile(rb"(?<=\r)(?!\n)")


def text_lines(
    binary: io.BufferedReader, fmt: FileFormat, fallback_lines: FallbackLines
) -> Iterator[str]:
    """The lines of an open file as text for csv.reader. A file with a fallback is decoded line
    by line, each line read in the fallback counted in `fallback_lines`; any other file goes
    through one decoder."""
    if fmt.fallback is None:
        return io.TextIOWrapper(binary, encoding=fmt.encoding, newline="")
    return _decoded(binary, fmt, fallback_lines)


def _decoded(
    binary: Iterable[bytes], fmt: FileFormat, fallback_lines: FallbackLines
) -> Iterator[str]:
    fallback = fmt.fallback or fmt.encoding
    first = fmt.encoding  # "utf-8-sig" takes the mark off the first line only
    for number, raw in enumerate(_lines_of(binary), start=1):
        try:
            yield raw.decode(first)
        except UnicodeDecodeError:
            fallback_lines.add(number)
            yield raw.removeprefix(codecs.BOM_UTF8).decode(fallback)
        first = "utf-8"


def _lines_of(binary: Iterable[bytes]) -> Iterator[bytes]:
    """The lines of a file as bytes, each with its end: LF, CRLF or a lone CR."""
    for physical in binary:
        if b"\r" in physical[:-2]:
            yield from (line for line in _LONE_CR.split(physical) if line)
        else:
            yield physical


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
        self._text = text_lines(self._binary, fmt, self.fallback_lines)
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
