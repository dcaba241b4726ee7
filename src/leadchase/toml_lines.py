"""Where each key of a TOML file is written: tomllib gives values, not line numbers.

A settings error is easier to fix when it names the line. This is a small scan of the text, not
a second parser: it follows table headers, keys (bare, quoted, dotted), multi-line strings and
values spread over lines, and only answers "which line"; tomllib still decides what is valid.
"""

from __future__ import annotations

import re
import tomllib

_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_PATH = rf"{_PART}(?:\s*\.\s*{_PART})*"
_HEADER = re.compile(rf"\[\[?\s*({_PATH})\s*\]\]?\s*(?:#.*)?")
_KEY = re.compile(rf"({_PATH})\s*=")
_ONE_PART = re.compile(_PART)

KeyPath = tuple[str, ...]


def key_lines(text: str) -> dict[KeyPath, int]:
    """The line (from 1) where each table header and key is first written, by its full path:
    `[contact]` then `window_end = ...` gives ("contact",) and ("contact", "window_end"). A
    table only implied (`sources` by `[sources.cost_per_lead]`) is where it is first implied."""
    found: dict[KeyPath, int] = {}
    table: KeyPath = ()
    depth = 0  # brackets and braces of a value still open from an earlier line
    open_string: str | None = None  # the quotes of a multi-line string still open
    for number, line in enumerate(text.splitlines(), 1):
        if open_string is not None:
            end = line.find(open_string)
            if end < 0:
                continue
            depth, open_string = _scan_value(line[end + 3 :], depth)
            continue
        if depth:
            depth, open_string = _scan_value(line, depth)
            continue
        stripped = line.strip()
        header = _HEADER.fullmatch(stripped)
        if header is not None:
            table = _parts(header[1])
            _note(found, table, number)
            continue
        key = _KEY.match(stripped)
        if key is not None:
            _note(found, (*table, *_parts(key[1])), number)
            depth, open_string = _scan_value(stripped[key.end() :], 0)
    return found


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    """The line of `path`, else of the nearest table or key holding it (an inline table)."""
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _note(found: dict[KeyPath, int], path: KeyPath, number: int) -> None:
    """`[a.b]` or `a.b = 1` also writes the table `a` there, unless it was written before."""
    for end in range(1, len(path) + 1):
        found.setdefault(path[:end], number)


def _parts(path: str) -> KeyPath:
    parts = []
    for match in _ONE_PART.finditer(path):
        part = match[0]
        if part.startswith('"'):
            part = tomllib.loads(f"k = {part}")["k"]  # TOML's own escapes
        elif part.startswith("'"):
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)


def _scan_value(text: str, depth: int) -> tuple[int, str | None]:
    """Bracket depth after `text`, and the quotes of a multi-line string it leaves open."""
    position = 0
    while position < len(text):
        char = text[position]
        if char == "#":
            break
        if text.startswith(('"""', "'''"), position):
            quotes = text[position : position + 3]
            end = text.find(quotes, position + 3)
            if end < 0:
                return depth, quotes
            position = end + 3
            continue
        if char in "\"'":
            position = _string_end(text, position)
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth = max(depth - 1, 0)
        position += 1
    return depth, None


def _string_end(text: str, start: int) -> int:
    """The index of the quote closing the one-line string opened at `start`."""
    quote = text[start]
    position = start + 1
    while position < len(text) and text[position] != quote:
        position += 2 if quote == '"' and text[position] == "\\" else 1
    return position
