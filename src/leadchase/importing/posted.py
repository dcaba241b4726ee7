"""Leads posted to the listener (`POST /leads`) go through the import pipeline as rows.

A post is one lead or a list of leads, each a flat set of field -> value, the fields named as
a vendor's CSV header would be: the same synonyms, cleaning, dedupe, rejects and cadences as an
import, by the same code (pipeline.import_rows). What a post adds: a vendor's own lead id is a
dedupe key, a lead without a lead date asked when it was posted (a fresh inquiry), a retry with
the same Idempotency-Key gets the first answer and stores nothing, and a post whose every lead
is rejected stores nothing (its rejects file is still written).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from leadchase.context import Context
from leadchase.errors import ImportFileError, LeadchaseError
from leadchase.importing.pipeline import ImportOptions, ImportResult, RowOrigin, import_rows
from leadchase.importing.reader import RawRow
from leadchase.importing.records import NO_CONTACT
from leadchase.importing.service import alert_new_leads, starting_cadences
from leadchase.store.intake import PostAnswer, earlier_answer, remember_answer

# The source of posted leads that name none (no source field, no ?source=).
DEFAULT_SOURCE = "webhook"
POST_NAME = "POST /leads"
REJECTS_FOLDER = "rejects"
MAX_KEY_LENGTH = 200


class PostError(LeadchaseError):
    """A post that is not a lead or a list of leads: answered 400, nothing stored."""


@dataclass(frozen=True)
class PostResult:
    answer: PostAnswer
    new_leads: int = 0
    replayed: bool = False  # the answer an earlier post with the same key was given
    alerts: int = 0  # officer alerts recorded, for the caller to send once it has answered


class _NothingStored(Exception):
    """Raised inside the transaction to roll back a post whose every lead was rejected."""


def leads_of(document: Any) -> list[Mapping[str, Any]]:
    """The leads of a decoded JSON body: one object, or a list of objects."""
    leads = document if isinstance(document, list) else [document]
    if not leads:
        raise PostError("the list of leads is empty; post at least one lead")
    for index, lead in enumerate(leads):
        if not isinstance(lead, dict):
            raise PostError(
                f"lead {index} is not an object of field names and values; "
                'post {"name": ..., "phone": ...} or a list of them'
            )
    return leads


def rows_of(leads: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[RawRow]]:
    """A header (every field name, in the order first seen) and one row per lead, numbered
    from 1 as a file's lines are."""
    header = list(dict.fromkeys(str(name) for lead in leads for name in lead))
    rows = [
        RawRow(number, [_cell(lead, name, number - 1) for name in header])
        for number, lead in enumerate(leads, start=1)
    ]
    return header, rows


def _cell(lead: Mapping[str, Any], name: str, index: int) -> str:
    value = lead.get(name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone or ZIP sent as a JSON number
    if isinstance(value, str | int | float):
        return str(value)
    raise PostError(
        f"lead {index}: field {name!r} holds a {type(value).__name__}, not a value; "
        "post each field as text or a number"
    )


def take_post(
    context: Context,
    leads: Sequence[Mapping[str, Any]],
    now: datetime,
    *,
    key: str | None = None,
    source: str = "",
    cadence: str | None = None,
) -> PostResult:
    """Store the posted leads in one transaction and say what became of each one."""
    if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
        raise PostError(f"the Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters")
    header, rows = rows_of(leads)
    options = ImportOptions(
        source=source.strip(),
        default_zone=context.settings.contact.default_timezone,
        vendor_ids=True,
        row_outcomes=True,
        undated_arrives_now=True,
    )
    options = starting_cadences(context, options, now, cadence)
    origin = RowOrigin(
        POST_NAME, POST_NAME, _digest(leads), DEFAULT_SOURCE, _rejects_target(context, now)
    )
    result: ImportResult | None = None
    try:
        with context.database.writing() as connection:
            earlier = earlier_answer(connection, key) if key else None
            if earlier is not None:
                return PostResult(earlier, replayed=True)
            try:
                result = import_rows(connection, header, rows, origin, options, now)
            except ImportFileError:  # no field is a phone or an email: every lead is rejected
                return PostResult(_no_contact_fields(header, len(rows)))
            answer = _answer(result)
            if not (result.imported or result.merged):
                raise _NothingStored
            if key:
                remember_answer(connection, key, answer, now)
    except _NothingStored:
        pass
    except BaseException:
        if result is not None:
            result.drop_rejects()
        raise
    assert result is not None
    result.publish_rejects()
    alerts = alert_new_leads(context, result, now, send=False)
    return PostResult(answer, new_leads=result.imported, alerts=alerts)


def _answer(result: ImportResult) -> PostAnswer:
    leads: list[dict[str, Any]] = []
    for outcome in sorted(result.outcomes or (), key=lambda o: o.line):
        item: dict[str, Any] = {"index": outcome.line - 1, "result": outcome.result}
        if outcome.lead_id is not None:
            item["id"] = outcome.lead_id
        if outcome.reason:
            item["reason"] = outcome.reason
        leads.append(item)
    stored = result.imported or result.merged
    return PostAnswer(
        201 if stored else 422,
        {
            "new": result.imported,
            "merged": result.merged,
            "rejected": result.rejected,
            "leads": leads,
        },
    )


def _no_contact_fields(header: list[str], count: int) -> PostAnswer:
    fields = ", ".join(repr(name) for name in header) or "none"
    reason = f"{NO_CONTACT}: no field is a phone or an email (fields: {fields})"
    leads = [{"index": index, "result": "rejected", "reason": reason} for index in range(count)]
    return PostAnswer(422, {"new": 0, "merged": 0, "rejected": count, "leads": leads})


def _digest(leads: Sequence[Mapping[str, Any]]) -> str:
    canonical = json.dumps(leads, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


def _rejects_target(context: Context, now: datetime) -> Path:
    """A rejects file of its own for each post, in <workspace>/rejects/ (made on first use)."""
    folder = context.settings.workspace.root / REJECTS_FOLDER
    name = f"post-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}.rejects.csv"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / name
