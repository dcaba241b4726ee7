"""The daemon's watch folder: lead files dropped there are imported, then filed away.

Each settled file is imported in its own transaction and moved to processed/ (with its rejects
file) or, when it cannot be imported, to failed/ with NAME.error.txt saying why; a move never
replaces a file already there and leaves the moved file private (0600). A file is left
alone while it may still be copying: modified in the last 2 seconds, or a different size or
modification time than at the previous scan.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from leadchase.context import Context
from leadchase.errors import LeadchaseError
from leadchase.files import move_private, write_private

LEAD_FILE_SUFFIXES = (".csv", ".tsv", ".txt")
# Workbooks are taken too, only to be filed under failed/ with how to save them as CSV: left in
# the folder, one would wait there forever without a word.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SETTLE_SECONDS = 2.0
PROCESSED = "processed"
FAILED = "failed"
REJECTS_SUFFIX = ".rejects.csv"  # leadchase's own output, never a lead file


@dataclass(frozen=True)
class FileLook:
    """What a file looked like at one scan (how a half-copied file is told apart)."""

    size: int
    modified: float


@dataclass(frozen=True)
class WatchResult:
    file: str  # the name it had in the watch folder
    outcome: Literal["imported", "failed"]
    moved_to: Path
    imported: int = 0
    merged: int = 0
    rejected: int = 0
    rejects_file: Path | None = None
    error: str | None = None


def is_lead_file_name(name: str) -> bool:
    """Visible .csv/.tsv/.txt files and workbooks; not Excel's "~$" lock files, not our own
    rejects files."""
    lowered = name.lower()
    return (
        not name.startswith((".", "~$"))
        and lowered.endswith(LEAD_FILE_SUFFIXES + WORKBOOK_SUFFIXES)
        and not lowered.endswith(REJECTS_SUFFIX)
    )


def settled_files(
    folder: Path,
    wall_time: float,
    last_looks: MutableMapping[str, FileLook] | None = None,
    waiting: list[str] | None = None,
) -> list[Path]:
    """The lead files in `folder` that are done copying, oldest first.

    `wall_time` is the filesystem's clock (time.time()), not the business "now": LEADCHASE_NOW
    may replay another day while file times stay real. `last_looks`, kept by the caller between
    scans, is refreshed here; the names of files still changing are added to `waiting`.
    """
    looks: dict[str, FileLook] = {}
    ready: list[tuple[float, Path]] = []
    for path in folder.iterdir():
        if not is_lead_file_name(path.name):
            continue
        try:
            status = path.stat()
        except OSError:  # moved or deleted while we looked
            continue
        if not stat.S_ISREG(status.st_mode):
            continue
        look = FileLook(status.st_size, status.st_mtime)
        looks[path.name] = look
        earlier = None if last_looks is None else last_looks.get(path.name)
        if wall_time - look.modified < SETTLE_SECONDS or (earlier is not None and earlier != look):
            if waiting is not None:
                waiting.append(path.name)
            continue
        ready.append((look.modified, path))
    if last_looks is not None:
        last_looks.clear()
        last_looks.update(looks)
    return [path for _, path in sorted(ready)]


def scan_watch_folder(
    context: Context,
    folder: Path,
    now: datetime,
    *,
    wall_time: float | None = None,
    last_looks: MutableMapping[str, FileLook] | None = None,
    waiting: list[str] | None = None,
) -> list[WatchResult]:
    """Import every settled lead file in `folder` and file it under processed/ or failed/;
    the names of the files left for a later scan are added to `waiting`."""
    clock = time.time() if wall_time is None else wall_time
    files = settled_files(folder, clock, last_looks, waiting)
    return [_import_and_file(context, folder, path, now) for path in files]


def _import_and_file(context: Context, folder: Path, path: Path, now: datetime) -> WatchResult:
    from leadchase.importing.pipeline import ImportOptions
    from leadchase.importing.service import import_files

    processed = folder / PROCESSED
    processed.mkdir(exist_ok=True)
    target = free_name(processed, path.name, now)
    # The rejects file is written straight into processed/ so it never lands in the watch folder.
    rejects = processed / f"{Path(target.name).stem}{REJECTS_SUFFIX}"
    options = ImportOptions(
        rejects_path=rejects, default_zone=context.settings.contact.default_timezone
    )
    try:
        (result,) = import_files(context, [path], options, now)
    except LeadchaseError as error:
        failed = folder / FAILED
        failed.mkdir(exist_ok=True)
        moved = _move(path, failed, now)
        message = " ".join(str(error).split())
        write_private(moved.with_name(f"{moved.name}.error.txt"), message + "\n")
        return WatchResult(path.name, "failed", moved, error=message)
    target = _move(path, processed, now, target)
    return WatchResult(
        path.name,
        "imported",
        target,
        imported=result.imported,
        merged=result.merged,
        rejected=result.rejected,
        rejects_file=rejects if result.rejects_file else None,
    )


def _move(path: Path, folder: Path, now: datetime, target: Path | None = None) -> Path:
    """Move `path` into `folder` under a free name; a name taken meanwhile means another one."""
    target = target or free_name(folder, path.name, now)
    while True:
        try:
            move_private(path, target)
        except FileExistsError:
            target = free_name(folder, path.name, now)
            continue
        return target


def free_name(folder: Path, name: str, now: datetime) -> Path:
    """folder/name, or with a timestamp suffix (then a counter) when that name is taken."""
    candidate = folder / name
    if not os.path.lexists(candidate):  # a link, even to nothing, takes a name too
        return candidate
    stem, suffix = Path(name).stem, Path(name).suffix
    stamp = now.strftime("%Y%m%dT%H%M%S")
    candidate = folder / f"{stem}-{stamp}{suffix}"
    counter = 2
    while os.path.lexists(candidate):
        candidate = folder / f"{stem}-{stamp}-{counter}{suffix}"
        counter += 1
    return candidate
