"""The do-not-call list, and opt-outs that reach the officer by phone or email.

A number on the DNC list gets no text at all; its calls stay on the agenda flagged DNC, for the
officer to decide. Nothing is ever deleted: removing a number sets its lifted_at,
so the list keeps its history for a compliance question later.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from leadchase.compliance.optouts import CLOSES, DNC, OptOutScope, details_covered
from leadchase.contact.phones import normalise_phone
from leadchase.context import Context
from leadchase.errors import LeadchaseError
from leadchase.importing.reader import open_regular, read_lines, sniff
from leadchase.store import leads as lead_store
from leadchase.store import sending as send_store
from leadchase.store import suppressions
from leadchase.store import touches as touch_store
from leadchase.store.records import Lead

INVALID_EXAMPLES = 5
# Header words that name the phone column, strongest first ("DNC Date" is not a number).
_PHONE_HEADERS = (
    re.compile(r"phone|cell|mobile|wireless|tel\b|telephone", re.IGNORECASE),
    re.compile(r"number|\bnum\b|#|\bdnc\b", re.IGNORECASE),
)
_CHUNK = 450  # two lists of this size stay under SQLite's 999 bound parameters


@dataclass(frozen=True)
class InvalidLine:
    line: int
    text: str


@dataclass(frozen=True)
class NumberFile:
    """The numbers in a DNC file: E.164 -> what put it there, and the lines that held none."""

    column: str | None  # the header read; None when the file has no header line
    numbers: dict[str, str]
    invalid: int
    invalid_lines: tuple[InvalidLine, ...]


@dataclass(frozen=True)
class DncImportResult:
    file: str
    column: str | None
    numbers: int  # distinct valid numbers in the file
    added: int
    already_listed: int
    invalid: int
    invalid_lines: tuple[InvalidLine, ...]  # the first few
    leads_affected: int  # existing leads whose texts stopped now

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DncChange:
    """What `dnc add` or `dnc remove` did; `texts_resumed` counts leads texted again."""

    changed: tuple[str, ...]
    unchanged: tuple[str, ...]
    lead_ids: tuple[int, ...]
    texts_resumed: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DncEntry:
    number: str
    added_at: datetime
    evidence: str
    lead_ids: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"added_at": self.added_at.isoformat()}


@dataclass(frozen=True)
class OptOutResult:
    lead_id: int
    name: str
    channel: OptOutScope
    suppressed: tuple[str, ...]  # phones/emails newly opted out
    already: tuple[str, ...]  # already opted out on that channel
    cancelled: int  # open touches cancelled

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def read_number_file(path: Path, column: str | None = None) -> NumberFile:
    """Numbers one per line, or a CSV column: --column, else a phone-like header or the only one."""
    if path.is_file() and path.stat().st_size == 0:
        raise LeadchaseError(f"{path} is empty; give one phone number per line or a CSV file")
    fmt = sniff(path)
    numbers: dict[str, str] = {}
    invalid: list[InvalidLine] = []
    count_invalid = 0
    with open_regular(path) as stream:
        reader = csv.reader(read_lines(stream, fmt), delimiter=fmt.delimiter)
        try:
            rows = ((reader.line_num, row) for row in reader if any(c.strip() for c in row))
            first = next(rows, None)
            if first is None:
                raise LeadchaseError(f"{path} holds no phone numbers; check the file")
            index, header = _choose_column(path, first[1], column)
            body = rows if header is not None else _prepend(first, rows)
            for line, row in body:
                value = row[index].strip() if index < len(row) else ""
                phone = normalise_phone(value) if value else None
                if phone is None:
                    count_invalid += 1
                    if len(invalid) < INVALID_EXAMPLES:
                        invalid.append(InvalidLine(line, fmt.delimiter.join(row)[:80]))
                else:
                    numbers.setdefault(phone.e164, f"dnc import {path.name} line {line}")
        except (csv.Error, UnicodeDecodeError) as error:
            raise LeadchaseError(
                f"{path}: line {reader.line_num}: cannot be read ({error}); fix that line"
            ) from None
    return NumberFile(header, numbers, count_invalid, tuple(invalid))


def _prepend(
    first: tuple[int, list[str]], rest: Iterable[tuple[int, list[str]]]
) -> Iterable[tuple[int, list[str]]]:
    yield first
    yield from rest


def _choose_column(path: Path, cells: list[str], column: str | None) -> tuple[int, str | None]:
    """The index of the numbers' column, and its header (None: the first row is a number)."""
    names = [cell.replace("\ufeff", "").strip() for cell in cells]
    if column is not None:
        wanted = column.strip().casefold()
        for index, name in enumerate(names):
            if name.casefold() == wanted:
                return index, name
        raise LeadchaseError(
            f"{path}: no column named {column!r}; its columns are {', '.join(names)}"
        )
    with_numbers = [i for i, name in enumerate(names) if normalise_phone(name)]
    if with_numbers:
        return with_numbers[0], None
    if len(names) == 1:
        # A lone cell with digits is a broken number to report, not a header.
        has_digits = any(char.isdigit() for char in names[0])
        if has_digits and not any(p.search(names[0]) for p in _PHONE_HEADERS):
            return 0, None
        return 0, names[0]
    for pattern in _PHONE_HEADERS:
        for index, name in enumerate(names):
            if pattern.search(name):
                return index, name
    raise LeadchaseError(
        f"{path}: cannot tell which column holds the phone numbers ({', '.join(names)}); "
        "name it with --column"
    )


def import_dnc(context: Context, path: Path, column: str | None, now: datetime) -> DncImportResult:
    found = read_number_file(path, column)
    with context.database.writing() as connection:
        added, leads = _list_numbers(connection, found.numbers, now)
    return DncImportResult(
        file=str(path),
        column=found.column,
        numbers=len(found.numbers),
        added=len(added),
        already_listed=len(found.numbers) - len(added),
        invalid=found.invalid,
        invalid_lines=found.invalid_lines,
        leads_affected=len(leads),
    )


def add_numbers(
    context: Context, numbers: Sequence[str], now: datetime, note: str = ""
) -> DncChange:
    """`note`: why or how the person asked, kept as the entry's evidence."""
    evidence = note or "added by hand (leadchase dnc add)"
    wanted = {_e164(number): evidence for number in numbers}
    with context.database.writing() as connection:
        added, leads = _list_numbers(connection, wanted, now)
    unchanged = tuple(number for number in wanted if number not in added)
    return DncChange(tuple(added), unchanged, tuple(lead.id for lead in leads))


def remove_number(context: Context, number: str, now: datetime) -> DncChange:
    """Lift a number's DNC entry; its leads get their next cadence text planned again."""
    from leadchase.cadence.service import FollowUp, plan_next

    phone = _e164(number)
    followup = FollowUp.load(context.settings)
    resumed = 0
    with context.database.writing() as connection:
        if suppressions.lift_dnc(connection, phone, now) == 0:
            raise LeadchaseError(
                f"{number} is not on the do-not-call list; see `leadchase dnc list`"
            )
        leads = suppressions.leads_with_phones(connection, [phone])
        for lead in leads:
            lead_store.add_event(
                connection, lead.id, now, "dnc", f"{phone} taken off the do-not-call list"
            )
            open_texts = [
                t for t in touch_store.open_touches(connection, lead.id) if t.channel == "text"
            ]
            if not open_texts and plan_next(connection, followup, lead, "text", now):
                resumed += 1
    return DncChange((phone,), (), tuple(lead.id for lead in leads), resumed)


def list_dnc(context: Context) -> list[DncEntry]:
    with context.database.reading() as connection:
        entries = suppressions.dnc_entries(connection)
        leads = suppressions.leads_with_phones(connection, [entry.value for entry in entries])
    by_phone: dict[str | None, list[int]] = {}
    for lead in leads:
        by_phone.setdefault(lead.phone, []).append(lead.id)
    return [
        DncEntry(e.value, e.created_at, e.evidence, tuple(by_phone.get(e.value, ())))
        for e in entries
    ]


WHAT_STOPS = {
    "text": "texts",
    "call": "calls",
    "email": "emails",
    "all": "texts, calls and emails",
}


def opt_out_lead(
    context: Context, reference: str, channel: OptOutScope, note: str, now: datetime
) -> OptOutResult:
    """Record an opt-out the lead gave by phone or email: suppress, cancel, note on the timeline."""
    from leadchase.lead_reference import find_lead

    with context.database.writing() as connection:
        lead = find_lead(connection, reference)
        values = _opt_out_values(lead, channel)
        evidence = note or "recorded by hand (leadchase optout)"
        suppressed: list[str] = []
        already: list[str] = []
        for value in values:
            new = suppressions.add(
                connection, value, channel=channel, reason="opt-out", now=now, evidence=evidence
            )
            (suppressed if new else already).append(value)
        cancelled = touch_store.cancel_open(
            connection, lead.id, now, "opt-out", channels=CLOSES[channel]
        )
        send_store.settle_doubt(connection, lead.id, "opt-out")
        if suppressed:
            detail = f"{WHAT_STOPS[channel]} stopped ({', '.join(suppressed)})"
            lead_store.add_event(
                connection, lead.id, now, "opt-out", f"{detail}: {note}" if note else detail
            )
    return OptOutResult(lead.id, lead.name, channel, tuple(suppressed), tuple(already), cancelled)


def _opt_out_values(lead: Lead, channel: OptOutScope) -> list[str]:
    """The lead's phone and/or email that the opt-out covers."""
    wanted = [getattr(lead, detail) for detail in details_covered(channel)]
    values = [value for value in wanted if value]
    if not values and channel == "email":
        raise LeadchaseError(
            f"lead #{lead.id} has no email address, so there are no emails to stop; "
            "use --channel text, call or all"
        )
    if not values:
        raise LeadchaseError(
            f"lead #{lead.id} has no phone number, so there are no {WHAT_STOPS[channel]} "
            "to stop; use --channel email"
        )
    return values


def _e164(number: str) -> str:
    phone = normalise_phone(number)
    if phone is None:
        raise LeadchaseError(
            f"{number!r} is not a valid phone number; give a 10-digit US number or +country number"
        )
    return phone.e164


def _list_numbers(
    connection: Connection, numbers: Mapping[str, str], now: datetime
) -> tuple[list[str], list[Lead]]:
    """Put numbers on the DNC list; the newly listed ones, and the leads whose texts stop.

    suppressions.add one number at a time costs ~200 us in SQLAlchemy; a state's DNC file has
    hundreds of thousands, so the same check and insert are done a chunk at a time."""
    listed = suppressions.dnc_among(connection, set(numbers))
    added = [number for number in numbers if number not in listed]
    suppressions.add_dnc_many(connection, {number: numbers[number] for number in added}, now)
    leads = suppressions.leads_with_phones(connection, added)
    for lead in leads:
        touch_store.cancel_open(connection, lead.id, now, "do-not-call list", channels=CLOSES[DNC])
        lead_store.add_event(
            connection,
            lead.id,
            now,
            "dnc",
            f"{lead.phone} put on the do-not-call list: no more texts, calls are flagged",
        )
    return added, leads


@dataclass(frozen=True)
class ResumeResult:
    lead_id: int
    name: str
    lifted: bool  # a hold was lifted; False when there was none

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def resume_texts(context: Context, reference: str, now: datetime) -> ResumeResult:
    """The officer read a possible opt-out and it was not one: lift the hold on automated texts
    (the lead stays in the conversation stage; a STOP or an opt-out is never lifted here)."""
    from leadchase.cadence.service import FollowUp, plan_next
    from leadchase.lead_reference import find_lead

    followup = FollowUp.load(context.settings)
    with context.database.writing() as connection:
        lead = find_lead(connection, reference)
        lifted = bool(lead.phone) and suppressions.lift_hold(connection, lead.phone or "", now)
        send_store.settle_doubt(connection, lead.id, "reply")
        if lifted:
            lead_store.add_event(
                connection, lead.id, now, "resume", "not an opt-out: texts may go on"
            )
            plan_next(connection, followup, lead, "text", now)
    return ResumeResult(lead.id, lead.name, lifted)
