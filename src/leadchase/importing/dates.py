"""Lead dates in the shapes vendors export, as aware UTC datetimes.

US vendors write month first: "3/5/2024" is March 5 and day-first is never assumed, not even
when the first number is over 12 ("13/5/2024" is refused, not read as May 13). Two-digit years
follow strptime's %y: 00-68 are 2000-2068, 69-99 are 1969-1999. Values without an offset are wall-clock time in the lead's own zone; in a
daylight-saving change that time is read the way zoneinfo reads fold=0: a time skipped by the
spring-forward gap (02:30) takes the offset from before the change (02:30 EST = 03:30 EDT), and
a time repeated by the fall-back fold (01:30) is its first, daylight-time occurrence.
Dates outside 2000-2099 are mistakes, not leads: None, like anything unreadable.

ISO-8601, m/d/y, "March 5, 2024" and Excel serial days take fast paths; python-dateutil reads
the rest, and only when it finds a year, a month and a day in the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache

_YEARS = range(2000, 2100)
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_DAYS = (30000.0, 80000.0)  # 1982-2119: a bigger or smaller number is not a date

_TIME = (
    r"(?:,?[ T]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6})[0-9]*)?)?"
    r"(?:\s*([AaPp])\.?[Mm]\.?)?)?"
)
_ISO = re.compile(r"[0-9]{4}-|[0-9]{8}(?:T|$)")
_MONTH_DAY_YEAR = re.compile(r"([0-9]{1,2})([/. -])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})" + _TIME)
_NAMED_MONTH = re.compile(r"([A-Za-z]{3,9})\.? ([0-9]{1,2}),? ([0-9]{4})" + _TIME)
_EXCEL_SERIAL = re.compile(r"[0-9]{5}(?:\.[0-9]+)?")
_MONTHS = {
    name: number
    for number, full in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
    for name in (full, full[:3])
} | {"sept": 9}
# JavaScript's Date.toString() adds "(Eastern Standard Time)"; "GMT-0500" means UTC-5 there,
# while dateutil reads "GMT-5" POSIX-style as UTC+5, so the label is dropped.
_COMMENT = re.compile(r"\s*\([^)]*\)\s*$")
_OFFSET_LABEL = re.compile(r"\b(?:GMT|UTC)\s*(?=[+-][0-9])", re.IGNORECASE)


def parse_lead_date(raw: str, zone: tzinfo) -> datetime | None:
    """The moment `raw` names, in UTC; naive values are read in `zone` (a zoneinfo zone)."""
    text = raw.strip()
    if _ISO.match(text):
        try:
            moment: datetime | None = datetime.fromisoformat(text)
        except ValueError:
            moment = _with_dateutil(text)
    elif shape := _MONTH_DAY_YEAR.fullmatch(text):
        month, _, day, year, *time = shape.groups()
        moment = _build(year, month, day, time, zone)
    elif shape := _NAMED_MONTH.fullmatch(text):
        month_name, day, year, *time = shape.groups()
        month_number = _MONTHS.get(month_name.lower())
        moment = _build(year, str(month_number), day, time, zone) if month_number else None
    elif _EXCEL_SERIAL.fullmatch(text):
        moment = _from_excel(float(text))
    elif not text or text.isdigit():
        return None  # dateutil would read "12" as the 12th of some month
    else:
        moment = _with_dateutil(text)
    if moment is None or moment.year not in _YEARS:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _build(
    year: str, month: str, day: str, time: Sequence[str | None], zone: tzinfo
) -> datetime | None:
    hour, minute, second, fraction, meridiem = time
    hours = int(hour or 0)
    if meridiem:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if meridiem in "Pp" else 0)
    try:
        return datetime(
            _full_year(year),
            int(month),
            int(day),
            hours,
            int(minute or 0),
            int(second or 0),
            int(fraction.ljust(6, "0")) if fraction else 0,
            tzinfo=zone,  # here rather than by replace(), which costs as much as the rest
        )
    except ValueError:
        return None


def _full_year(year: str) -> int:
    if len(year) == 4:
        return int(year)
    return int(year) + (2000 if int(year) < 69 else 1900)


def _from_excel(days: float) -> datetime | None:
    if not _EXCEL_DAYS[0] <= days <= _EXCEL_DAYS[1]:
        return None
    # Excel keeps milliseconds at best; rounding to the second drops float noise.
    return _EXCEL_EPOCH + timedelta(seconds=round(days * 86400))


class _UnknownZoneName(ValueError):
    pass


def _with_dateutil(text: str) -> datetime | None:
    from dateutil import parser

    cleaned = _OFFSET_LABEL.sub("", _COMMENT.sub("", text))
    try:
        # Parts missing from the text come from `default`: two different defaults expose them.
        first = parser.parse(cleaned, default=datetime(2000, 1, 1), tzinfos=_zone_named)
        second = parser.parse(cleaned, default=datetime(2004, 2, 2), tzinfos=_zone_named)
    except (ValueError, OverflowError):
        return None
    return first if first == second else None


def _zone_named(name: str | None, offset: int | None) -> tzinfo | None:
    """dateutil's tzinfos hook: numeric offsets as written, US zone names, nothing else.

    Raising for an unknown name keeps dateutil from guessing (or warning) about it.
    """
    if offset is not None:
        return timezone(timedelta(seconds=offset))
    if name is None:
        return None
    zone = _us_zone_names().get(name.upper())
    if zone is None:
        raise _UnknownZoneName(name)
    return zone


@cache
def _us_zone_names() -> dict[str, tzinfo]:
    from zoneinfo import ZoneInfo

    fixed = {"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8}
    fixed |= {"PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "HDT": -9, "AST": -4}
    zones: dict[str, tzinfo] = {
        name: timezone(timedelta(hours=hours), name) for name, hours in fixed.items()
    }
    # "2 PM ET" is wall time in the East, whichever of EST or EDT is in force.
    for name, key in {
        "ET": "New_York",
        "CT": "Chicago",
        "MT": "Denver",
        "PT": "Los_Angeles",
    }.items():
        zones[name] = ZoneInfo(f"America/{key}")
    return zones
