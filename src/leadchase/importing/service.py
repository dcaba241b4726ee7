"""`leadchase import`: each file in its own transaction, committed only when the whole file went in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from leadchase.context import Context
from leadchase.importing.pipeline import ImportOptions, ImportResult, ProgressCallback, import_file


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def import_files(
    context: Context,
    files: Sequence[Path],
    options: ImportOptions,
    now: datetime,
    progress: ProgressCallback | None = None,
    cadence: str | None = None,
) -> list[ImportResult]:
    """Import each file; new leads start their cadence (--cadence, the source map, or by age)."""
    options = starting_cadences(context, options, now, cadence)
    results = []
    for path in files:
        results.append(_import_one(context, path, options, now, progress))
    return results


def starting_cadences(
    context: Context, options: ImportOptions, now: datetime, cadence: str | None = None
) -> ImportOptions:
    """`options` with new leads starting their cadence: `cadence`, the source map, or by age."""
    from leadchase.cadence.new_leads import FirstTouchCache, start_new_leads
    from leadchase.cadence.service import FollowUp

    followup = FollowUp.load(context.settings)
    if cadence is not None:
        followup.require(cadence)
    plans = FirstTouchCache(followup)

    def start(connection: Connection, leads: list[dict[str, Any]]) -> None:
        start_new_leads(connection, followup, leads, now, cadence, plans)

    return replace(options, on_new_leads=start)


def _import_one(
    context: Context,
    path: Path,
    options: ImportOptions,
    now: datetime,
    progress: ProgressCallback | None,
) -> ImportResult:
    result: ImportResult | None = None
    try:
        with context.database.writing() as connection:
            result = import_file(connection, path, options, now, progress)
            if options.dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except BaseException:
        if result is not None:
            result.drop_rejects()
        raise
    assert result is not None
    result.publish_rejects()
    return result
