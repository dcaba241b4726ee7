"""Parsed files kept between runs, so `leadchase today` starts without PyYAML (13 ms) or tomllib
and without compiling the templates it shows.

leadchase.toml, the cadence files, the law table and the wordings of the templates shown are
read on every run, and almost never change. The workspace keeps what they parsed to (and what
each cadence file was checked to, cadence/checked.py) in one file, CACHE_FILE: a marshal of
{path: (the file's bytes, what they parsed to, itself marshalled)}. An entry is used only when the file holds exactly the bytes it was parsed from,
so an edit, a copied workspace or a restored backup is read afresh: no clock, mtime or size is
trusted. The file is safe to delete, written 0600 and whole (files.py) when the workspace
closes and something new was parsed; a cache that cannot be read or written is ignored. Only
what marshal can hold is kept (text, numbers, lists, mappings, Jinja's compiled code): a file
that parses to anything else (a TOML time, say) is parsed every time.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

CACHE_FILE = ".leadchase-parsed"
_FORMAT = "leadchase-parsed-1"

T = TypeVar("T")

_folder: Path | None = None
_entries: dict[str, tuple[bytes, bytes]] | None = None
_changed = False


def use_workspace(root: Path | None) -> None:
    """Keep parsed files in workspace `root` from now on (None: parse every time)."""
    global _folder, _entries, _changed
    if root != _folder:
        save()
        _folder, _entries, _changed = root, None, False


def save() -> None:
    """Write what was parsed since the cache was read, if anything (open_workspace does it as
    it closes: one write however many files were parsed)."""
    global _changed
    if _changed and _folder is not None and _entries is not None:
        _save(_folder / CACHE_FILE, _entries)
    _changed = False


def parsed(path: Path | str, data: bytes, parse: Callable[[bytes], T]) -> T:
    """`parse(data)`, the bytes of `path` (a file, or a name for something else parsed), or
    what the same bytes parsed to before."""
    global _changed
    entries = _load()
    key = str(path)
    entry = entries.get(key)
    if entry is not None and entry[0] == data:
        # A new copy for each caller, as parsing gives: nobody sees another's changes.
        kept: T = marshal.loads(entry[1])
        return kept
    value = parse(data)
    if _folder is not None:
        try:
            entries[key] = (data, marshal.dumps(value))  # type: ignore[arg-type]
        except ValueError:
            return value  # not plain data (a date, say): never kept
        _changed = True
    return value


def _load() -> dict[str, tuple[bytes, bytes]]:
    global _entries
    if _entries is None:
        _entries = {}
        if _folder is not None:
            try:
                stored = marshal.loads((_folder / CACHE_FILE).read_bytes())
            except (OSError, EOFError, ValueError, TypeError):
                stored = None
            if (
                isinstance(stored, tuple)
                and len(stored) == 2
                and stored[0] == _FORMAT
                and isinstance(stored[1], dict)
            ):
                _entries = {
                    key: entry
                    for key, entry in stored[1].items()
                    if isinstance(key, str)
                    and isinstance(entry, tuple)
                    and len(entry) == 2
                    and all(isinstance(part, bytes) for part in entry)
                }
    return _entries


def _save(target: Path, entries: dict[str, tuple[bytes, bytes]]) -> None:
    from contextlib import suppress

    from leadchase.errors import LeadchaseError
    from leadchase.files import write_private

    # A read-only workspace still works: it parses every time.
    with suppress(OSError, LeadchaseError):
        write_private(target, marshal.dumps((_FORMAT, entries)))
