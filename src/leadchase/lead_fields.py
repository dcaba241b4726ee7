"""The loan details an officer keeps on a lead, and the one cleaner for each.

An import reads them from a vendor's columns; `leadchase set LEAD field=value` writes what the
officer learned on a call. Both go through `clean()`, so "6.25%" from a file and "6.25" typed
at the prompt are the same note rate, and "3/5/1985" is the same birthday either way.

Rates are kept as a percent (6.125), dates as calendar dates (a closing or a birthday is a
day, not a moment), the loan term in whole years (30 when nobody said: the usual mortgage).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from leadchase.errors import LeadchaseError

DEFAULT_LOAN_TERM_YEARS = 30
_HIGHEST_RATE = 20.0  # percent: a higher "note rate" is a typo, not a mortgage
_LONGEST_TERM = 50  # years
_LONGEST_TEXT = 200  # characters kept of a name or an address typed by hand

_MONTH_DAY_YEAR = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?")
_EXCEL_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_EXCEL_EPOCH = date(1899, 12, 30)
_RATE = re.compile(r"(\d{1,2}(?:\.\d+)?|\.\d+)\s*%?")
_TERM = re.compile(r"(\d{1,3})\s*(?:-?\s*(years?|yrs?|yr|y|months?|mos?|m)\b)?.*", re.IGNORECASE)


class FieldValueError(LeadchaseError):
    """A value that is not what its field holds (`set` stops on it; an import counts it)."""


def note_rate(text: str) -> float:
    """ "6.25", "6.25%", "6.250 %" or a fraction ("0.0625") -> 6.25 (a percent)."""
    match = _RATE.fullmatch(text.strip())
    if match is None:
        raise FieldValueError(f"{text!r} is not a rate; write it as a percent, e.g. 6.125")
    rate = float(match[1])
    if 0 < rate < 1 and "%" not in text:
        rate *= 100  # a spreadsheet's 0.0625 is 6.25 %
    if not 0 < rate <= _HIGHEST_RATE:
        raise FieldValueError(
            f"{text!r} is not a mortgage rate; write a percent above 0 and at most {_HIGHEST_RATE:g}"
        )
    return round(rate, 4)


def loan_term_years(text: str) -> int:
    """ "30", "30 years", "15yr", "15 Year Fixed" or months ("360", "180 months") -> years."""
    match = _TERM.fullmatch(text.strip())
    if match is None:
        raise FieldValueError(f"{text!r} is not a loan term; write the years, e.g. 30 or 15")
    number, unit = int(match[1]), (match[2] or "").lower()
    months = unit.startswith("m") or (not unit and number > _LONGEST_TERM)
    if months:
        if number % 12:
            raise FieldValueError(f"{text!r} is not a whole number of years; write e.g. 30 or 15")
        number //= 12
    if not 1 <= number <= _LONGEST_TERM:
        raise FieldValueError(f"{text!r} is not a loan term; write 1 to {_LONGEST_TERM} years")
    return number


def calendar_day(text: str) -> date:
    """A day as vendors and people write it: 2026-03-05, 3/5/2026, 3/5/26, March 5, 2026,
    an Excel serial day. Month first, as in the US; never day first."""
    value = text.strip()
    day = _read_day(value)
    if day is None:
        raise FieldValueError(f"{text!r} is not a date; write it as 2026-03-05 or 3/5/2026")
    return day


def closing_date(text: str) -> date:
    day = calendar_day(text)
    if not 1950 <= day.year <= 2100:
        raise FieldValueError(f"{text!r} is not a closing date (the year is {day.year})")
    return day


def birthday(text: str, today: date | None = None) -> date:
    """A date of birth; a two-digit year is the latest one not after `today` ("3/5/45": 1945)."""
    day = calendar_day(text)
    shape = _MONTH_DAY_YEAR.fullmatch(text.strip())
    if today is not None and shape is not None and len(shape[4]) == 2 and day > today:
        day = _years_earlier(day, 100)
    if day.year < 1900 or (today is not None and day > today):
        raise FieldValueError(f"{text!r} is not a date of birth")
    return day


def _years_earlier(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def person_name(text: str) -> str:
    """A co-borrower's name: single-spaced, at most 200 characters."""
    return " ".join(text.split())[:_LONGEST_TEXT]


def plain_text(text: str) -> str:
    return " ".join(text.split())[:_LONGEST_TEXT]


def _read_day(value: str) -> date | None:
    try:
        if shape := _ISO_DAY.fullmatch(value):
            return date(int(shape[1]), int(shape[2]), int(shape[3]))
        if shape := _MONTH_DAY_YEAR.fullmatch(value):
            year = int(shape[4])
            if len(shape[4]) == 2:
                year += 2000 if year < 69 else 1900  # strptime's %y, like lead dates
            return date(year, int(shape[1]), int(shape[3]))
    except ValueError:
        return None
    if _EXCEL_SERIAL.fullmatch(value):
        days = float(value)
        return _EXCEL_EPOCH + timedelta(days=int(days)) if 1 <= days <= 80000 else None
    if not value or value.isdigit():
        return None
    return _with_dateutil(value)


def _with_dateutil(value: str) -> date | None:
    from dateutil import parser

    try:
        # A part missing from the text comes from `default`: two defaults expose it.
        first = parser.parse(value, default=datetime(2000, 1, 1))
        second = parser.parse(value, default=datetime(2004, 2, 2))
    except (ValueError, OverflowError):
        return None
    return first.date() if first.date() == second.date() else None


# field -> its cleaner. The text fields vendors send as they are keep their words (trimmed).
CLEANERS: dict[str, Callable[[str], Any]] = {
    "loan_purpose": plain_text,
    "loan_amount": plain_text,
    "property_value": plain_text,
    "address": plain_text,
    "city": plain_text,
    "credit_rating": plain_text,
    "offer": plain_text,
    "note_rate": note_rate,
    "closing_date": closing_date,
    "birthday": birthday,
    "co_borrower_name": person_name,
    "loan_term_years": loan_term_years,
}
# What an empty value sets a field back to.
EMPTY: dict[str, Any] = {
    "note_rate": None,
    "closing_date": None,
    "birthday": None,
    "loan_term_years": DEFAULT_LOAN_TERM_YEARS,
}
# The fields import reads with these cleaners (the others keep their own import rules).
DETAIL_FIELDS = ("note_rate", "closing_date", "birthday", "co_borrower_name", "loan_term_years")
# How `set` and the import summary name a field.
LABELS = {name: name.replace("_", " ") for name in CLEANERS}


def field_name(text: str) -> str:
    """A field as typed ("Note-Rate", "note rate") -> note_rate; unknown -> a did-you-mean."""
    name = re.sub(r"[\s-]+", "_", text.strip().lower())
    if name in CLEANERS:
        return name
    near = difflib.get_close_matches(name, list(CLEANERS), n=1)
    hint = f"did you mean {near[0]}? " if near else ""
    raise FieldValueError(
        f"unknown field {text.strip()!r}; {hint}the fields you can set are {', '.join(CLEANERS)}"
    )


def clean(name: str, text: str, today: date | None = None) -> Any:
    """The value field `name` stores for `text`; an empty text clears it."""
    if not text.strip():
        return EMPTY.get(name, "")
    if name == "birthday":
        return birthday(text, today)
    return CLEANERS[name](text)


def parse_assignments(pairs: list[str], today: date) -> dict[str, Any]:
    """ "field=value" pairs (as `set` takes them) -> {field: cleaned value}."""
    values: dict[str, Any] = {}
    for pair in pairs:
        name, equals, text = pair.partition("=")
        if not equals:
            raise FieldValueError(
                f"{pair!r} is not field=value; write e.g. note_rate=6.125 or birthday=1985-03-05"
            )
        field = field_name(name)
        try:
            values[field] = clean(field, text, today)
        except FieldValueError as problem:
            raise FieldValueError(f"{field}: {problem}") from None
    return values


def shown(value: Any) -> str:
    """A field's value as `set` and the timeline say it."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, float):
        return f"{value:g}%"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
