"""The encoding of a vendor's lead file, decided from its bytes, and its lines as text.

Facebook exports UTF-16 (with a byte-order mark, or only a NUL in every other byte), Excel saves
Windows-1252, web forms write UTF-8. A file pasted together from two tools holds UTF-8 lines
and Windows-1252 ones: read whole as Windows-1252, "José" from the UTF-8 lines became "JosÃ©".
So when some character of a file that is not all UTF-8 is written in UTF-8, each line is
decoded on its own, as UTF-8 when it is valid and in the fallback encoding when not, and those
lines are counted. A file that is all UTF-8 is still read by one decoder.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from leadchase.errors import ImportFileError

FALLBACK_EXAMPLES = 3  # line numbers kept of the lines read in the fallback encoding
_CHUNK = 1 << 20
# Bytes Windows-1252 leaves undefined: a file holding them was written as Latin-1.
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


@dataclass(slots=True)
class FallbackLines:
    """How many lines of a mixed file were read in the fallback encoding, and the first few."""

    count: int = 0
    first: list[int] = field(default_factory=list)

    def add(self, line: int) -> None:
        self.count += 1
        if len(self.first) < FALLBACK_EXAMPLES:
            self.first.append(line)


def encoding_from_signature(head: bytes) -> str | None:
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


def scan_8bit(path: Path, stream: io.BufferedReader) -> tuple[str, str | None]:
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


# A lone carriage return ends a line too (old Mac files), as it does for a text file read with
# newline="": split after one that is not followed by a line feed.
_LONE_CR = re.compile(rb"(?<=\r)(?!\n)")


def text_lines(
    binary: io.BufferedReader, encoding: str, fallback: str | None, fallback_lines: FallbackLines
) -> Iterator[str]:
    """The lines of an open file as text for csv.reader. A file with a fallback is decoded line
    by line, each line read in the fallback counted in `fallback_lines`; any other file goes
    through one decoder."""
    if fallback is None:
        return io.TextIOWrapper(binary, encoding=encoding, newline="")
    return decoded_lines(binary, encoding, fallback, fallback_lines)


def decoded_lines(
    binary: Iterable[bytes], encoding: str, fallback: str, fallback_lines: FallbackLines
) -> Iterator[str]:
    """Each line as UTF-8 (`encoding`: "utf-8" or "utf-8-sig") when it is valid, else in
    `fallback`, counted in `fallback_lines`."""
    first = encoding  # "utf-8-sig" takes the mark off the first line only
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
