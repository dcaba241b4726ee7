"""Outside text on the terminal: shown as the characters it holds, never run or styled.

Lead files, inbound texts and provider answers are written by others. A name holding
"\\x1b[2J" would clear the officer's screen, "\\x1b]8;;http://evil\\x1b\\\\" would plant a link,
and "[link=http://evil]click[/link]" would become one through Rich markup. So every value from
outside is shown through this module: control characters (C0, DEL, C1) become visible
stand-ins, the "␛" of ESC for instance, and Unicode bidi controls (which can make a line read
in another order than it is written) become "�"; Rich markup in it is never interpreted.

`printable` keeps line breaks and maps every other character it changes to exactly one
character, so a styled Text keeps its styles where they were. The consoles of cli/common.py
run every segment they write through `printable` as well, a net under the renderers.
`without_controls` is the same set of characters removed, for texts and emails a lead receives.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.segment import Segment

if TYPE_CHECKING:
    from rich.console import ConsoleOptions, RenderableType
    from rich.text import Text

# Unicode bidi controls: ALM, LRM, RLM, the embeddings and overrides, the isolates.
_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
# C0 but the line break, DEL and C1: a terminal may act on any of them.
_CONTROLS = (*range(0x00, 0x0A), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0))
_UNSAFE = re.compile("[" + "".join(re.escape(chr(code)) for code in (*_CONTROLS, *_BIDI)) + "]")

# One character for one: "␀".."␟" (U+2400 + code) for C0, "␡" for DEL, "�" for C1 and bidi;
# a tab or a carriage return is a space (they only move the cursor, and a lone CR overwrites).
_VISIBLE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20) if code != 0x0A}
_VISIBLE |= {0x09: " ", 0x0D: " ", 0x7F: "\u2421"}
_VISIBLE |= {code: "\ufffd" for code in (*range(0x80, 0xA0), *_BIDI)}
# In a JSON document (json.dumps already escapes C0 inside strings): the rest as \u escapes.
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in (0x7F, *range(0x80, 0xA0), *_BIDI)}
# In a message: a tab is a space, every other one is dropped ("\r\n" becomes "\n").
_REMOVED: dict[int, str | None] = {code: None for code in (*_CONTROLS, *_BIDI)} | {0x09: " "}


def printable(value: object) -> str:
    """`value` as text that is safe to write to a terminal: line breaks kept, every other
    control character made visible, one character for one."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    if _UNSAFE.search(text) is None:
        return text
    return text.translate(_VISIBLE)


def without_controls(text: str) -> str:
    """The same characters removed (a tab becomes a space): what a lead's text or email holds."""
    if _UNSAFE.search(text) is None:
        return text
    return text.translate(_REMOVED)


def json_text(document: str) -> str:
    """A JSON document as json.dumps wrote it, with the characters `printable` changes written
    as \\u escapes: the same data, nothing a terminal acts on. (They can only be in strings.)"""
    if _UNSAFE.search(document) is None:
        return document
    return document.translate(_JSON_ESCAPES)


def plain(value: object, style: str = "", *, no_wrap: bool = False) -> Text:
    """A Rich Text of `value` as written: no markup read, control characters made visible."""
    from rich.text import Text

    return Text(printable(value), style=style, no_wrap=no_wrap or None)


def markup(value: object) -> str:
    """`value` to put inside a Rich markup string: made printable, its "[" escaped."""
    from rich.markup import escape

    return escape(printable(value))


def safe_text(text: Text) -> Text:
    """A Text whose characters are printable: changed in place, its styles where they were."""
    if _UNSAFE.search(text.plain) is not None:
        text.plain = text.plain.translate(_VISIBLE)
    return text


class PrintableStream(io.TextIOBase):
    """A terminal's stream that writes text through `printable`: an export shown on screen
    (a file or a pipe gets the data exactly)."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._stream.write(printable(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


class SafeConsole(Console):
    """A Console whose every written segment is printable: what a renderer forgot to pass
    through `printable` still reaches the terminal as visible characters. Rich's own control
    segments (cursor moves of a progress bar) and the styles it turns into escape codes are
    not text segments, so they pass unchanged."""

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterator[Segment]:
        for segment in super().render(renderable, options):
            text = segment.text
            if segment.control is None and _UNSAFE.search(text) is not None:
                yield Segment(text.translate(_VISIBLE), segment.style, None)
            else:
                yield segment


__all__ = [
    "PrintableStream",
    "SafeConsole",
    "json_text",
    "markup",
    "plain",
    "printable",
    "safe_text",
    "without_controls",
]
