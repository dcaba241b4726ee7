"""`leadchase export leads|touches|messages`: hand the data to a spreadsheet or a CRM.

Rows stream from the database to the output one batch at a time, so an export of any size runs
in flat memory. Through files.py, CSV cells that a spreadsheet would run as a formula (= + - @
tab CR) get a leading apostrophe, and a file is written privately (0600: it holds phone numbers
and emails) under a temporary name and takes its real name only when complete.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from leadchase.context import Context
from leadchase.display import json_text
from leadchase.errors import LeadchaseError
from leadchase.files import CsvWriter, neutralise_cell, private_file

KINDS = ("leads", "touches", "messages")
FORMATS = ("csv", "json")
# What each export holds, in column order. A lead's raw vendor columns stay out: they differ by
# vendor and would make every row a different shape.
COLUMNS: dict[str, tuple[str, ...]] = {
    "leads": (
        "id", "name", "first_name", "last_name", "phone", "phone_ext", "email", "address", "city",
        "state", "zip", "timezone", "source", "sources", "offer", "loan_purpose", "loan_amount",
        "property_value", "credit_rating", "external_id", "lead_date", "imported_at", "cadence",
        "stage", "attempts", "first_touch_at", "last_touch_at", "last_touch_channel",
        "last_outcome", "contacted_at", "replied_at", "snoozed_until", "text_ok", "consent_at",
        "consent_url", "consent_text", "consent_ip", "notes",
    ),
    "touches": (
        "id", "lead_id", "lead_name", "channel", "status", "due_at", "done_at", "outcome", "note",
        "automated", "cadence", "step_key", "day", "step", "template", "variant", "attempt",
    ),
    "messages": (
        "id", "lead_id", "lead_name", "direction", "channel", "status", "created_at", "sent_at",
        "to_address", "from_address", "subject", "body", "template", "variant", "provider_id",
        "error_code",
    ),
}  # fmt: skip
# The columns `--raw-phones` writes a valid E.164 number into without its apostrophe.
PHONE_COLUMNS = ("phone", "to_address", "from_address")


@dataclass(frozen=True)
class ExportResult:
    kind: str
    file_format: str
    rows: int
    path: Path | None  # None: written to standard output


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        # Each item too: a CRM that splits "Zillow; =1+1" must not get a formula either.
        return "; ".join(neutralise_cell(str(item)) for item in value)
    return str(value)


def write_csv(
    rows: Iterable[Mapping[Any, Any]],
    columns: tuple[str, ...],
    out: TextIO,
    *,
    raw_phones: bool = False,
) -> int:
    phones = [i for i, name in enumerate(columns) if name in PHONE_COLUMNS] if raw_phones else []
    writer = CsvWriter(out, phones)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(row[name]) for name in columns])
        count += 1
    return count


def write_json(
    rows: Iterable[Mapping[Any, Any]],
    columns: tuple[str, ...],
    out: TextIO,
    *,
    raw_phones: bool = False,
) -> int:
    """A JSON array, one object per line, written as the rows come (every value is raw here)."""
    count = 0
    out.write("[")
    for row in rows:
        document = {name: _json_value(row[name]) for name in columns}
        line = json_text(json.dumps(document, ensure_ascii=False))
        out.write(("\n" if count == 0 else ",\n") + line)
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def export(
    context: Context,
    kind: str,
    file_format: str,
    out: Path | None,
    stdout: TextIO,
    *,
    raw_phones: bool = False,
) -> ExportResult:
    """Write every lead, touch or message as CSV or JSON to `out`, or to `stdout`."""
    from leadchase.cadence.model import day_label
    from leadchase.store import reports

    if kind not in KINDS:
        raise LeadchaseError(f"cannot export {kind!r}; choose one of {', '.join(KINDS)}")
    if file_format not in FORMATS:
        raise LeadchaseError(f"unknown format {file_format!r}; use csv or json")
    columns = COLUMNS[kind]
    write = write_csv if file_format == "csv" else write_json
    with context.database.reading() as connection:
        rows = reports.export_rows(connection, kind, columns)
        if kind == "touches":
            # "day 0" says nothing of a touch on an anniversary: "step" names it.
            rows = (
                row | {"step": day_label(row["day"] or 0, row["step_key"] or "")} for row in rows
            )
        if out is None:
            count = write(rows, columns, stdout, raw_phones=raw_phones)
        else:
            # A byte-order mark lets Excel read accents in a CSV file right.
            encoding = "utf-8-sig" if file_format == "csv" else "utf-8"
            with private_file(out, encoding) as handle:
                count = write(rows, columns, handle, raw_phones=raw_phones)
    return ExportResult(kind, file_format, count, out)
