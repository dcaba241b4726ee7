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
    officer: str | None = None,
) -> list[ImportResult]:
    """Import each file; new leads start their cadence (--cadence, the source map, or by age)
    and go to their officer (--officer, [assign] rules, else the default officer), who is
    alerted of them ([alerts] new_lead) once each file is committed."""
    options = starting_cadences(context, options, now, cadence, officer)
    results = []
    for path in files:
        result = _import_one(context, path, options, now, progress)
        results.append(result)
        alert_new_leads(context, result, now)
    return results


def alert_new_leads(
    context: Context, result: ImportResult, now: datetime, *, send: bool = True
) -> int:
    """Tell the officer of a committed import's new leads ([alerts] new_lead); with `send` off
    the alerts are only recorded, for the caller to send. Returns how many were recorded."""
    from leadchase.alerts import after_new_leads

    first = result.first_new_lead_id
    if first is None or result.dry_run:
        return 0
    # An import's new leads get consecutive ids; the officer hears of them at once.
    return after_new_leads(context, range(first, first + result.imported), now, send=send)


def starting_cadences(
    context: Context,
    options: ImportOptions,
    now: datetime,
    cadence: str | None = None,
    officer: str | None = None,
) -> ImportOptions:
    """`options` with new leads starting their cadence (`cadence`, the source map, or by age)
    and going to their officer (`officer`, [assign] rules, else the default officer): one
    start for a file and a posted lead alike."""
    from leadchase.assignment import new_lead_assigner
    from leadchase.cadence.new_leads import FirstTouchCache, start_new_leads
    from leadchase.cadence.service import FollowUp
    from leadchase.store.imports import add_events

    followup = FollowUp.load(context.settings)
    if cadence is not None:
        followup.require(cadence)
    plans = FirstTouchCache(followup)
    assign = new_lead_assigner(context, officer, now)

    def start(connection: Connection, leads: list[dict[str, Any]]) -> None:
        assigned = assign(connection, leads)
        start_new_leads(connection, followup, leads, now, cadence, plans)
        add_events(connection, assigned)

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
