"""Mapping a vendor's column headers onto leadchase's lead fields.

Every vendor names the same thing differently ("CELL PHONE", "mobile", "phone_number"), so headers
are compared after dropping case and punctuation, against a synonym table. The user can correct
or extend the guess with `--map "Their Header=field"`; unmapped columns stay in the lead's raw
JSON, so nothing the vendor sent is lost. A header the file repeats ("email" twice; the reader
names the second "email (2)") is one field read from several columns: the first that is not
empty in a row is the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from leadchase.errors import ImportFileError, LeadchaseError

PhoneKind = Literal["cell", "home", "work", "other"]

# Phone fields are multi-valued: every phone column is kept, in texting preference order.
PHONE_FIELDS: dict[str, PhoneKind] = {
    "cell_phone": "cell",
    "phone": "other",
    "other_phone": "other",
    "home_phone": "home",
    "work_phone": "work",
}

SINGLE_FIELDS = (
    "first_name", "last_name", "full_name", "email", "address", "city", "state", "zip",
    "lead_date", "source", "offer", "loan_purpose", "loan_amount", "property_value",
    "credit_rating", "consent_at", "consent_url", "consent_text", "consent_ip", "external_id",
    "notes", "note_rate", "closing_date", "birthday", "co_borrower_name", "loan_term_years",
)  # fmt: skip

LEAD_FIELDS = (*SINGLE_FIELDS[:3], *PHONE_FIELDS, *SINGLE_FIELDS[3:])
IGNORE = "ignore"
RAW_ONLY = "(raw only)"

# field -> vendor spellings. Where one field has several spellings in a file, a lower rank wins
# (a "source" column beats "form_name", which beats "campaign_name"); else the first column.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": ("full name", "name", "contact name", "lead name", "customer name",
                  "borrower name"),
    "first_name": ("first name", "fname", "first", "given name", "borrower first name"),
    "last_name": ("last name", "lname", "surname", "last", "family name", "borrower last name"),
    "cell_phone": ("cell phone", "cell", "mobile", "mobile phone", "wireless", "cell number",
                   "mobile number", "cellular", "wireless phone"),
    "phone": ("phone", "phone number", "telephone", "tel", "primary phone", "best phone",
              "contact phone", "phone no", "telephone number", "day phone"),
    "other_phone": ("other phone", "alternate phone", "alt phone", "secondary phone",
                    "evening phone"),
    "home_phone": ("home phone", "home number", "landline"),
    "work_phone": ("work phone", "business phone", "office phone", "work number"),
    "email": ("email", "email address", "e-mail", "primary email"),
    "address": ("address", "street", "street address", "address1", "address line 1",
                "property address", "mailing address"),
    "city": ("city", "property city", "town"),
    "state": ("state", "st", "province", "property state", "state code"),
    "zip": ("zip", "zip code", "zipcode", "postal", "postal code", "property zip", "zip5",
            "postcode"),
    "lead_date": ("created time", "lead date", "date added", "date", "created", "created at",
                  "timestamp", "date created", "created date", "submitted at", "date submitted",
                  "submission date"),
    "source": ("source", "vendor", "lead source", "provider"),
    "offer": ("offer", "value proposition", "product", "lead type", "offer type"),
    "loan_purpose": ("loan purpose", "purpose", "loan type"),
    "loan_amount": ("loan amount", "requested amount", "desired loan amount", "mortgage balance",
                    "current balance", "loan balance"),
    "property_value": ("property value", "home value", "estimated value",
                       "estimated home value", "what is your home value",
                       "what is your estimated home value"),
    "credit_rating": ("credit", "credit rating", "credit score", "credit profile"),
    "consent_at": ("consent date", "consent time", "consent timestamp", "opt in date",
                   "tcpa consent date"),
    "consent_url": ("trustedform cert url", "trustedform url", "trustedform",
                    "xxtrustedformcerturl", "jornaya leadid", "leadid token", "universal leadid",
                    "jornaya token", "certificate url"),
    "consent_text": ("tcpa consent", "tcpa", "consent", "consent text", "tcpa text",
                     "consent language", "sms opt in", "sms consent", "text opt in",
                     "sms optin", "opt in", "opted in", "consent to text", "tcpa opt in"),
    "consent_ip": ("ip address", "ip", "consent ip", "user ip"),
    "external_id": ("id", "lead id", "external id", "vendor lead id"),
    "notes": ("notes", "note", "comments", "comment", "message"),
    "note_rate": ("note rate", "current rate", "interest rate", "current interest rate",
                  "loan rate", "existing rate", "current mortgage rate"),
    "closing_date": ("closing date", "close date", "funded date", "funding date", "closed date",
                     "date closed", "date funded"),
    "birthday": ("birthday", "dob", "date of birth", "birth date", "birthdate",
                 "borrower dob", "borrower birthday"),
    "co_borrower_name": ("co-borrower", "co borrower", "coborrower", "co-borrower name",
                         "co borrower name", "coborrower name", "co-applicant",
                         "co applicant", "co-applicant name", "spouse name"),
    "loan_term_years": ("loan term", "term", "loan term years", "term years", "amortization",
                        "amortization term", "loan term (years)"),
}  # fmt: skip
_LOWER_RANKS = {"form name": 1, "campaign": 2, "campaign name": 2}
# Facebook custom questions and vendor variants, tried only when no exact synonym matches.
_CONTAINS = (
    ("homevalue", "property_value"),
    ("propertyvalue", "property_value"),
    ("loanamount", "loan_amount"),
    ("creditscore", "credit_rating"),
    ("creditrating", "credit_rating"),
    ("loanpurpose", "loan_purpose"),
)
_NUMBERED_PHONE = re.compile(r"(?:phone|phonenumber|telephone)(\d{1,2})")
_REPEAT = re.compile(r"(.+) \(\d+\)")  # how the reader names a repeated header: "email (2)"
# Texting preference: cell, generic phone (then Phone 1, Phone 2... by rank), other, home, work.
_PHONE_ORDER = {"cell_phone": 0, "phone": 1, "other_phone": 2, "home_phone": 3, "work_phone": 4}


def normalise_header(header: str) -> str:
    """ "Full Name", "full_name", "FULLNAME" and "Full-Name" all become "fullname"."""
    return "".join(char for char in header.casefold() if char.isalnum())


def _build_table() -> dict[str, tuple[str, int]]:
    table = {normalise_header(s): (field, 0) for field, spellings in _SYNONYMS.items()
             for s in spellings}  # fmt: skip
    table.update({normalise_header(s): ("source", r) for s, r in _LOWER_RANKS.items()})
    return table


_TABLE = _build_table()


@dataclass(frozen=True)
class PhoneColumn:
    index: int
    label: str  # the vendor's header, kept with the number
    kind: PhoneKind


@dataclass(frozen=True)
class HeaderMap:
    """Where each lead field is in a vendor file.

    `fields`: single-valued field -> column index. `phones`: every phone column, best to text
    first. `unknown`: columns kept only in the raw JSON. `assignments`: (header, field) per column.
    `fallbacks`: field -> the columns repeating its header, read in order when it is empty.
    """

    fields: dict[str, int]
    phones: tuple[PhoneColumn, ...]
    unknown: tuple[int, ...]
    assignments: tuple[tuple[str, str], ...]
    fallbacks: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def describe(self) -> list[tuple[str, str]]:
        """Vendor header -> field, column by column, for `import --dry-run`."""
        return list(self.assignments)


def map_headers(header: list[str], overrides: Mapping[str, str] | None = None) -> HeaderMap:
    """Guess each column's lead field from its header; `overrides` ({"Header": "field"}) win."""
    keys = _repeat_keys(header)
    guesses = [_guess(name) or _guess(key) for name, key in zip(header, keys, strict=True)]
    for index, chosen in _apply_overrides(header, overrides or {}).items():
        # Rank -1: a column the user named beats every synonym guess for the same field.
        guesses[index] = (chosen, -1) if chosen != IGNORE else None
    single: dict[str, tuple[int, int]] = {}  # field -> (rank, index)
    phones: list[tuple[int, int, int, str]] = []  # (order, rank, index, field)
    for index, guess in enumerate(guesses):
        if guess is None:
            continue
        name, rank = guess
        if name in PHONE_FIELDS:
            phones.append((_PHONE_ORDER[name], rank, index, name))
        elif name not in single or rank < single[name][0]:
            single[name] = (rank, index)
    if not phones and "email" not in single:
        seen = ", ".join(repr(name) for name in header)
        raise ImportFileError(
            f"no phone or email column among the headers {seen}; "
            'name the right one with --map, e.g. --map "Contact Number=phone"'
        )
    fields = {name: index for name, (_, index) in single.items()}
    phone_columns = tuple(
        PhoneColumn(index, header[index], PHONE_FIELDS[name])
        for _, _, index, name in sorted(phones)
    )
    mapped = {index: name for name, index in fields.items()}
    mapped.update((index, name) for _, _, index, name in phones)
    fallbacks: dict[str, tuple[int, ...]] = {}
    for name, first in fields.items():
        repeats = tuple(
            index
            for index, guess in enumerate(guesses)
            if index != first and guess and guess[0] == name and keys[index] == keys[first]
        )
        if repeats:
            fallbacks[name] = repeats
            mapped.update((index, f"{name} (when {header[first]!r} is empty)") for index in repeats)
    return HeaderMap(
        fields=fields,
        phones=phone_columns,
        unknown=tuple(i for i in range(len(header)) if i not in mapped),
        assignments=tuple((name, mapped.get(i, RAW_ONLY)) for i, name in enumerate(header)),
        fallbacks=fallbacks,
    )


def _repeat_keys(header: list[str]) -> list[str]:
    """Each header normalised, a repeat ("email (2)" beside "email") as the header it repeats."""
    plain = [normalise_header(name) for name in header]
    keys = []
    for name, key in zip(header, plain, strict=True):
        repeat = _REPEAT.fullmatch(name)
        base = normalise_header(repeat[1]) if repeat else key
        keys.append(base if repeat and base in plain else key)
    return keys


def _guess(name: str) -> tuple[str, int] | None:
    key = normalise_header(name)
    if key in _TABLE:
        return _TABLE[key]
    numbered = _NUMBERED_PHONE.fullmatch(key)
    if numbered:
        # "Phone 1", "Phone 2" rank after a plain "Phone" column, in their own order.
        return "phone", 1 + int(numbered.group(1))
    for fragment, guessed in _CONTAINS:
        if fragment in key:
            return guessed, 1
    return None


def _apply_overrides(header: list[str], overrides: Mapping[str, str]) -> dict[int, str]:
    """Column index -> field the user named, checked against the file and the field list."""
    by_key: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        by_key.setdefault(normalise_header(name), []).append(index)
    chosen: dict[int, str] = {}
    for vendor_header, wanted in overrides.items():
        field = re.sub(r"[\s-]+", "_", wanted.strip().lower())
        if field not in LEAD_FIELDS and field != IGNORE:
            raise LeadchaseError(
                f"--map {vendor_header}={wanted}: unknown field {wanted!r}; use one of "
                f"{', '.join(LEAD_FIELDS)}, or {IGNORE}"
            )
        indexes = by_key.get(normalise_header(vendor_header))
        if not indexes:
            raise LeadchaseError(
                f"--map {vendor_header}={wanted}: the file has no column {vendor_header!r}; "
                f"its headers are {', '.join(repr(name) for name in header)}"
            )
        for index in indexes:
            chosen[index] = field
    return chosen
