"""One vendor row in, one clean lead record (or a reason it cannot be imported) out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from leadchase.contact.emails import normalise_email
from leadchase.contact.phones import normalise_phone
from leadchase.contact.places import lead_time_zones, normalise_state, normalise_zip
from leadchase.importing.dates import parse_lead_date
from leadchase.importing.headers import HeaderMap
from leadchase.importing.names import not_a_name, split_full_name, tidy_name
from leadchase.lead_fields import DETAIL_FIELDS, EMPTY, LABELS, FieldValueError, clean
from leadchase.store.bulk import json_object_encoder

# Reject reasons, as they appear in the rejects file and the summary.
NO_CONTACT = "no phone or email"
BAD_PHONE_NO_EMAIL = "invalid phone and no email"
BAD_EMAIL_NO_PHONE = "invalid email and no phone"
BAD_PHONE_AND_EMAIL = "invalid phone and invalid email"
RAGGED = "more fields than the header"

_TEXT_FIELDS = (
    "address", "city", "offer", "loan_purpose", "loan_amount", "property_value",
    "credit_rating", "external_id", "consent_url", "consent_text", "consent_ip", "notes",
)  # fmt: skip


@dataclass(slots=True)
class Record:
    """A lead ready to insert (column -> value) and the dedupe keys it is known by."""

    values: dict[str, Any]
    keys: list[str]
    email_only: bool = False
    phone_only: bool = False
    dropped_phone: bool = False
    dropped_email: bool = False
    unknown_zone: bool = False
    # What the row held that the lead could not use: shown in the summary, kept in the raw data.
    unreadable_date: str | None = None
    odd_name: str | None = None
    line: int = 0  # where the row starts in its file (a post: the lead's place in it, from 1)
    # Loan details (note rate, dates, term) that are not what their field holds: (field, cell).
    unreadable_details: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Reject:
    reason: str
    detail: str = ""


class _Remembered(dict[str, Any]):
    """A pure cleaner's answers by cell: names, states and ZIPs repeat down a file, so each
    distinct cell is cleaned once. Emptied when full, so a million rows stay in bounds."""

    LIMIT = 50_000

    def __init__(self, clean: Callable[[str], Any]) -> None:
        super().__init__()
        self._clean = clean

    def __missing__(self, cell: str) -> Any:
        if len(self) >= self.LIMIT:
            self.clear()
        answer = self[cell] = self._clean(cell)
        return answer


class _RememberedDates(_Remembered):
    """Lead dates in one zone: a file of today's leads repeats a few hundred stamps, while an
    old list's are nearly all distinct, so fewer are kept."""

    LIMIT = 4_096


def _name_part(cell: str) -> tuple[str, bool]:
    """A first or last name cell tidied, and whether it is not a name at all."""
    tidy = tidy_name(cell)
    return tidy, not_a_name(tidy)


@dataclass
class RowNormaliser:
    header: list[str]
    mapping: HeaderMap
    source: str
    default_zone: str
    now: datetime
    _zones: dict[str, ZoneInfo] = field(default_factory=dict)
    _dates: dict[str, _RememberedDates] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._width = len(self.header)
        self._field = self.mapping.fields
        self._fallbacks = self.mapping.fallbacks
        self._detail_fields = [name for name in DETAIL_FIELDS if name in self._field]
        self._no_details = {name: EMPTY.get(name, "") for name in DETAIL_FIELDS}
        # The vendor's row as the file gave it, header -> cell: JSON text made as it is read.
        self._raw = json_object_encoder(self.header)
        # The text fields by where they are: one column, a repeated header, or nowhere.
        self._text_columns = [
            (name, self._field[name])
            for name in _TEXT_FIELDS
            if name in self._field and name not in self._fallbacks
        ]
        self._text_repeated = [name for name in _TEXT_FIELDS if name in self._fallbacks]
        self._text_absent = dict.fromkeys(
            (name for name in _TEXT_FIELDS if name not in self._field), ""
        )
        self._name_parts = _Remembered(_name_part)
        self._states = _Remembered(normalise_state)
        self._zips = _Remembered(normalise_zip)

    def _zone(self, name: str) -> ZoneInfo:
        zone = self._zones.get(name)
        if zone is None:
            zone = self._zones[name] = ZoneInfo(name)
        return zone

    def _dates_in(self, name: str) -> _RememberedDates:
        """parse_lead_date's answers for cells read in zone `name`."""
        dates = self._dates.get(name)
        if dates is None:
            zone = self._zone(name)
            dates = self._dates[name] = _RememberedDates(lambda cell: parse_lead_date(cell, zone))
        return dates

    def _get(self, fields: list[str], name: str) -> str:
        index = self._field.get(name)
        if index is None:
            return ""
        value = fields[index].strip()
        if not value and name in self._fallbacks:  # the header is repeated: the next one
            value = next((v for i in self._fallbacks[name] if (v := fields[i].strip())), "")
        return value

    def __call__(self, fields: list[str]) -> Record | Reject:
        if len(fields) > self._width:
            return Reject(RAGGED, f"{len(fields)} fields, the header has {self._width}")
        get = self._get
        phone = None
        phone_label: str | None = None
        others: list[dict[str, Any]] = []
        bad_phone = ""
        for column in self.mapping.phones:
            text = fields[column.index].strip()
            if not text:
                continue
            parsed = normalise_phone(text)
            if parsed is None:
                bad_phone = bad_phone or text
            elif phone is None:
                phone, phone_label = parsed, column.kind
            elif parsed.e164 != phone.e164 and all(o["number"] != parsed.e164 for o in others):
                others.append({"number": parsed.e164, "ext": parsed.ext, "label": column.label})
        email_text = get(fields, "email")
        email = normalise_email(email_text) if email_text else None
        if phone is None and email is None:
            if bad_phone and email_text:
                return Reject(BAD_PHONE_AND_EMAIL, f"phone {bad_phone!r}, email {email_text!r}")
            if bad_phone:
                return Reject(BAD_PHONE_NO_EMAIL, f"phone {bad_phone!r}")
            if email_text:
                return Reject(BAD_EMAIL_NO_PHONE, f"email {email_text!r}")
            return Reject(NO_CONTACT)

        first, last, name, odd_name = self._names(fields)
        state = self._states[get(fields, "state")] if "state" in self._field else None
        zip5 = self._zips[get(fields, "zip")] if "zip" in self._field else None
        e164 = phone.e164 if phone else None
        zone, candidates = lead_time_zones(state, zip5, e164)
        dates = self._dates_in(zone or self.default_zone)
        date_text = get(fields, "lead_date")
        lead_date = dates[date_text] if date_text else None
        unreadable_date = date_text if date_text and lead_date is None else None
        consent_text = get(fields, "consent_at")
        consent_at = dates[consent_text] if consent_text else None
        source = self.source or get(fields, "source")

        values: dict[str, Any] = {
            "name": name,
            "first_name": first,
            "last_name": last,
            "phone": e164,
            "phone_ext": phone.ext if phone else None,
            "phone_label": phone_label,
            "text_ok": True,
            "other_phones": others,
            "email": email,
            "state": state,
            "zip": zip5,
            "timezone": zone,
            "time_zones": ";".join(candidates),
            "source": source,
            "sources": [source] if source else [],
            "lead_date": lead_date,
            "imported_at": self.now,
            "stage": "new",
            "consent_at": consent_at,
            "raw": self._raw(fields),
        }
        for name_, index in self._text_columns:
            values[name_] = fields[index].strip()
        for name_ in self._text_repeated:
            values[name_] = get(fields, name_)
        values.update(self._text_absent)
        for money in ("loan_amount", "property_value"):
            # Facebook writes answer choices with underscores: "$350,000_-_$400,000".
            if "_" in values[money]:
                values[money] = values[money].replace("_", " ")
        unreadable_details = self._details(fields, values)
        keys = [f"p:{e164}"] if e164 else []
        if others:
            keys.extend(f"p:{other['number']}" for other in others)
        if email:
            keys.append(f"e:{email}")
        return Record(
            values,
            keys,
            email_only=e164 is None,
            phone_only=email is None,
            dropped_phone=bool(bad_phone) and e164 is None,
            dropped_email=bool(email_text) and email is None,
            unknown_zone=zone is None,
            unreadable_date=unreadable_date,
            odd_name=odd_name,
            unreadable_details=unreadable_details,
        )

    def _details(self, fields: list[str], values: dict[str, Any]) -> list[tuple[str, str]]:
        """The loan details, read by the same cleaners as `leadchase set`. A cell that is not
        what its field holds leaves the field empty and stays in the raw row, and is counted."""
        values.update(self._no_details)
        unreadable = []
        today = self.now.date()
        for name in self._detail_fields:
            text = self._get(fields, name)
            try:
                values[name] = clean(name, text, today)
            except FieldValueError:
                unreadable.append((LABELS[name], text))
        return unreadable

    def _names(self, fields: list[str]) -> tuple[str, str, str, str | None]:
        """(first, last, name, odd): a part that is not a name (a formula, mostly punctuation)
        stays in `name` for the officer to see but out of the merge fields, and is `odd`."""
        first, odd_first = self._name_parts[self._get(fields, "first_name")]
        last, odd_last = self._name_parts[self._get(fields, "last_name")]
        if not (first or last):
            full = tidy_name(self._get(fields, "full_name"))
            if not_a_name(full):
                return "", "", full, full
            first, last = split_full_name(full)
            odd_first, odd_last = not_a_name(first), not_a_name(last)
        name = f"{first} {last}".strip()
        return (
            "" if odd_first else first,
            "" if odd_last else last,
            name,
            name if odd_first or odd_last else None,
        )


def merge_changes(existing: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """What a duplicate row adds to the lead we already have.

    Empty fields are filled, the earliest lead date is kept, every source is remembered and
    numbers we did not know are added to the other phones. An empty result means nothing new.
    """
    from leadchase.store.imports import FILLABLE

    changes: dict[str, Any] = {}
    for name in FILLABLE:
        if not existing.get(name) and incoming.get(name):
            changes[name] = incoming[name]
    if "first_name" in changes or "last_name" in changes:
        first = changes.get("first_name", existing.get("first_name") or "")
        last = changes.get("last_name", existing.get("last_name") or "")
        changes["name"] = f"{first} {last}".strip()
    theirs, ours = incoming.get("lead_date"), existing.get("lead_date")
    if theirs is not None and (ours is None or theirs < ours):
        changes["lead_date"] = theirs
    sources = list(existing.get("sources") or [])
    new_sources = [s for s in incoming.get("sources") or [] if s not in sources]
    if new_sources:
        changes["sources"] = sources + new_sources
    known = {existing.get("phone"), changes.get("phone")}
    phones = list(existing.get("other_phones") or [])
    known.update(p["number"] for p in phones)
    extra = []
    if incoming.get("phone") and incoming["phone"] not in known:
        extra.append(
            {"number": incoming["phone"], "ext": incoming.get("phone_ext"), "label": "phone"}
        )
        known.add(incoming["phone"])
    extra.extend(p for p in incoming.get("other_phones") or [] if p["number"] not in known)
    if extra:
        changes["other_phones"] = phones + extra
    return changes
