"""Phone numbers as lead vendors export them, turned into E.164 plus what the area code tells us.

Every answer agrees with phonenumbers (`parse(text, region)`, `is_valid_number`,
`format_number(E164)`), which costs 15-20 us a call. The NANP shapes vendors actually send
("(305) 555-1234", "+1 305.555.1234", "p:+13055551234", "305-555-1234 x12") take a fast path
that replays phonenumbers' own validity rules with its own metadata regexes; anything else is
handed to phonenumbers itself. Excel damage ("3055551234.0", "3.055551234E+09") is undone
first, and only when no digit was lost.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from enum import Enum
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from phonenumbers.phonemetadata import PhoneMetadata, PhoneNumberDesc

AREA_CODES_CSV = Path(__file__).resolve().parent.parent / "data" / "area_codes.csv"

_NANP_SHAPE = re.compile(
    r"(?:p:)?"  # Facebook lead forms prefix phone answers with "p:"
    r"(?:\+?1[-. ]?)?"
    r"(?:\(([2-9][0-9]{2})\)|([2-9][0-9]{2}))[-. ]?"
    r"([0-9]{3})[-. ]?([0-9]{4})"
    # Extension labels phonenumbers also reads; at most 6 digits, well inside its own limits.
    r"(?:[ \t]*(?:(?i:x|ext\.?|\#)[ \t]*|,[ \t]*)([0-9]{1,6}))?"
)
_EXCEL_FLOAT = re.compile(r"([0-9]{7,15})\.0+")
_EXCEL_SCIENTIFIC = re.compile(r"([1-9])\.([0-9]+)[eE]\+?([0-9]{1,2})")
_NANP_E164 = re.compile(r"\+1[0-9]{10}")
_UNKNOWN_ZONE = "Etc/Unknown"


@dataclass(frozen=True, slots=True)
class Phone:
    """A valid phone number: E.164, and the extension dialled after it."""

    e164: str
    ext: str | None = None


def normalise_phone(raw: str, region: str = "US") -> Phone | None:
    """The valid number in `raw` as E.164 (extension kept apart), or None if there is none."""
    text = _undo_excel_damage(raw.strip())
    if not text:
        return None
    if region == "US":
        shape = _NANP_SHAPE.fullmatch(text)
        if shape:
            area_in_parens, area, exchange, line, ext = shape.groups()
            national = (area_in_parens or area) + exchange + line
            if _nanp_kind(national) is None:
                return None
            return Phone("+1" + national, ext)
    return _parse_with_phonenumbers(text, region)


def phone_area_state(e164: str) -> str | None:
    """USPS code of the state or territory of a NANP number's area code; None outside the US."""
    if not e164.startswith("+1") or len(e164) != 12:
        return None
    return _area_code_states().get(e164[2:5])


def phone_time_zones(e164: str) -> tuple[str, ...]:
    """IANA zones phonenumbers gives for the number (time_zones_for_number); () when unknown."""
    if not _NANP_E164.fullmatch(e164):
        return _zones_from_phonenumbers(e164)
    kind = _nanp_kind(e164[2:])
    if kind is None:
        return ()
    if kind is _Kind.NON_GEOGRAPHIC:
        return _nanp_country_zones()
    return _geographic_zones(e164[1 : 1 + _nanp_zone_prefix_length()])


def phone_area_zones(e164: str) -> tuple[str, ...]:
    """Every zone any exchange of the number's area code lies in; () outside NANP or unknown.

    A cell phone goes wherever its owner goes within (and beyond) its area code, so contact
    windows are checked in every zone of the area code: 850 spans Pensacola (Central) and
    Tallahassee (Eastern), whatever exchange the number has."""
    if not _NANP_E164.fullmatch(e164) or _nanp_kind(e164[2:]) is not _Kind.GEOGRAPHIC:
        return ()
    return _zones_by_area_code().get(e164[2:5], ())


@cache
def _zones_by_area_code() -> dict[str, tuple[str, ...]]:
    from phonenumbers.tzdata import TIMEZONE_DATA

    found: dict[str, set[str]] = {}
    for prefix, zones in TIMEZONE_DATA.items():
        if prefix.startswith("1") and len(prefix) >= 4:
            found.setdefault(prefix[1:4], set()).update(_known(zones))
    return {code: tuple(sorted(zones)) for code, zones in found.items() if zones}


def _undo_excel_damage(text: str) -> str | None:
    """Digits Excel turned into a float; None when its scientific notation dropped digits."""
    if "." not in text:  # both of Excel's shapes have one; most numbers do not
        return text
    as_float = _EXCEL_FLOAT.fullmatch(text)
    if as_float:
        return as_float.group(1)
    scientific = _EXCEL_SCIENTIFIC.fullmatch(text)
    if scientific:
        first, rest, exponent = scientific.groups()
        # "3.05556E+09" is a rounded display value: the real digits are gone.
        return first + rest if len(rest) == int(exponent) else None
    return text


@lru_cache(maxsize=4096)
def _parse_with_phonenumbers(text: str, region: str) -> Phone | None:
    """phonenumbers' answer (15-20 us): the cells that come here, "n/a", "555-1234", "0",
    repeat down a file, so each is asked once."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164, number.extension or None)


class _Kind(Enum):
    """What phonenumbers' number type means for time zones."""

    GEOGRAPHIC = "geographic"
    NON_GEOGRAPHIC = "non-geographic"


_KIND_OF_TYPE = {"N": _Kind.NON_GEOGRAPHIC, "G": _Kind.GEOGRAPHIC}


# The last number _nanp_kind answered for: a lead's number is asked about three times in a row
# (is it valid, its zones, its area's zones). One tuple, replaced whole, so threads stay safe.
_last_kind: tuple[str, _Kind | None] = ("", None)


def _nanp_kind(national: str) -> _Kind | None:
    """phonenumbers' is_valid_number (None when invalid) for a 10-digit NANP number."""
    global _last_kind
    last = _last_kind
    if last[0] == national:
        return last[1]
    plan, mobile_kind = _region_plan(national[:4])
    match = plan.fullmatch(national)
    kind = (
        None
        if match is None or match.lastgroup is None
        else _KIND_OF_TYPE.get(match.lastgroup[0], mobile_kind)
    )
    _last_kind = (national, kind)
    return kind


@cache
def _region_plan(prefix: str) -> tuple[re.Pattern[str], _Kind]:
    """phonenumbers' region_code_for_number + number type, for numbers starting with `prefix`,
    as one regex: the plan of the regions tried for it (see _regions_tried).

    Keying by 4 digits is exact because no NANP leading-digits pattern reads further
    (tests/test_normalise_phones.py checks that against the installed metadata)."""
    return _plan_of(_regions_tried(prefix))


def _regions_tried(prefix: str) -> tuple[str, ...]:
    """The regions phonenumbers tries, in order, for numbers starting with `prefix`: those
    without leading digits (US, CA), then the first region whose leading digits match, which
    decides alone. Thousands of prefixes share a few such lists."""
    tried: list[str] = []
    for region, leading_digits in _nanp_regions():
        if leading_digits is None:
            tried.append(region)
        elif leading_digits.match(prefix):
            tried.append(region)
            break  # this region decides alone
    return tuple(tried)


@cache
def _nanp_regions() -> tuple[tuple[str, re.Pattern[str] | None], ...]:
    """The NANP regions with metadata, in phonenumbers' order, and their leading digits."""
    import phonenumbers
    from phonenumbers.phonemetadata import PhoneMetadata

    regions = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]:
        metadata = PhoneMetadata.metadata_for_region(region, None)
        if metadata is not None:
            leading = metadata.leading_digits
            regions.append((region, None if leading is None else re.compile(leading)))
    return tuple(regions)


@cache
def _plan_of(regions: tuple[str, ...]) -> tuple[re.Pattern[str], _Kind]:
    """One regex over these regions' alternatives, in order. Each requires its general
    pattern, then names the first type that matches in _number_type_helper's order: N
    (premium, toll free, VoIP, personal...), G (fixed line), M (mobile, when tested apart from
    fixed line)."""
    import phonenumbers
    from phonenumbers.phonemetadata import PhoneMetadata

    alternatives = []
    for index, region in enumerate(regions):
        metadata = PhoneMetadata.metadata_for_region(region, None)
        assert metadata is not None  # _regions_tried kept only regions that have it
        alternatives.append(_region_alternative(metadata, index))
    mobile_is_geographic = phonenumbers.is_number_type_geographical(
        phonenumbers.PhoneNumberType.MOBILE, 1
    )
    mobile_kind = _Kind.GEOGRAPHIC if mobile_is_geographic else _Kind.NON_GEOGRAPHIC
    return re.compile("|".join(alternatives) or r"(?!)"), mobile_kind


def _region_alternative(metadata: PhoneMetadata, index: int) -> str:
    general = _ten_digit(metadata.general_desc)
    types = {
        "N": _ten_digit(
            metadata.premium_rate,
            metadata.toll_free,
            metadata.shared_cost,
            metadata.voip,
            metadata.personal_number,
            metadata.pager,
            metadata.uan,
            metadata.voicemail,
        ),
        "G": _ten_digit(metadata.fixed_line),
        # Like _number_type_helper, never test mobile apart when it equals fixed line.
        "M": None if metadata.same_mobile_and_fixed_line_pattern else _ten_digit(metadata.mobile),
    }
    named = [f"(?P<{name}{index}>{pattern})" for name, pattern in types.items() if pattern]
    if general is None or not named:
        return r"(?!)"
    return rf"(?=(?:{general})\Z)(?:{'|'.join(named)})"


def _ten_digit(*descs: PhoneNumberDesc | None) -> str | None:
    """The union of these number descriptions' patterns that 10-digit numbers may match."""
    patterns = [
        f"(?:{desc.national_number_pattern})"
        for desc in descs
        if desc is not None
        and desc.national_number_pattern
        and (not desc.possible_length or 10 in desc.possible_length)
    ]
    return "|".join(patterns) or None


@cache
def _nanp_zone_prefix_length() -> int:
    from phonenumbers.tzdata import TIMEZONE_DATA

    return max(len(prefix) for prefix in TIMEZONE_DATA if prefix.startswith("1"))


@cache
def _geographic_zones(prefix: str) -> tuple[str, ...]:
    """time_zones_for_geographical_number: the longest matching prefix wins."""
    from phonenumbers.tzdata import TIMEZONE_DATA

    for length in range(len(prefix), 0, -1):
        zones = TIMEZONE_DATA.get(prefix[:length])
        if zones is not None:
            return _known(zones)
    return ()


@cache
def _nanp_country_zones() -> tuple[str, ...]:
    from phonenumbers.tzdata import TIMEZONE_DATA

    return _known(TIMEZONE_DATA.get("1", ()))


@lru_cache(maxsize=4096)
def _zones_from_phonenumbers(e164: str) -> tuple[str, ...]:
    import phonenumbers
    from phonenumbers import timezone

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return ()
    return _known(timezone.time_zones_for_number(number))


def _known(zones: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(zone for zone in zones if zone != _UNKNOWN_ZONE)


@cache
def _area_code_states() -> dict[str, str]:
    # csv.reader and the header's columns: DictReader builds a dict per row, 3x the cost.
    with AREA_CODES_CSV.open(newline="", encoding="utf-8") as rows:
        lines = csv.reader(rows)
        header = next(lines)
        npa, state = header.index("npa"), header.index("state")
        return {row[npa]: row[state] for row in lines if row}
