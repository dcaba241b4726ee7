"""US states, ZIP codes and the time zones a lead may be in.

States, their spellings and their zones come from data/us_states.csv. A state lists every zone
its law puts some of it in (FL: Eastern and Central; AZ: Phoenix, which keeps no DST), following
the official boundaries; informal local practice (Phenix City AL, West Wendover NV, the Navajo
Nation's DST) is left to the ZIP's own zone. ZIP -> (state, zone) comes from data/zip_zones.csv,
a copy of the zipcodes package's table that tests/test_normalise_places.py pins to the installed
zipcodes: building the same dict from zipcodes.list_all() costs about 0.6 s per process.
"""

from __future__ import annotations

import csv
import re
from functools import cache, lru_cache
from pathlib import Path

from leadchase.contact.phones import phone_area_state, phone_area_zones, phone_time_zones

DATA = Path(__file__).resolve().parent.parent / "data"
STATES_CSV = DATA / "us_states.csv"
ZIP_ZONES_CSV = DATA / "zip_zones.csv"

_NOT_A_LETTER = re.compile(r"[^a-z]+")
_ZIP_PLUS_4 = re.compile(r"([0-9]{5})(?:[- ]?[0-9]{4})?")
# Excel read the ZIP as a number: leading zeros gone, maybe a ".0" added.
_ZIP_AS_NUMBER = re.compile(r"([0-9]{3,5})(?:\.0+)?")


def normalise_state(raw: str) -> str | None:
    """USPS code for "FL", "fl", "Florida", "Fla.", "FLA", "District of Columbia"...; else None."""
    text = raw.strip()
    code = text.upper()
    if code in _zones_by_state():
        return code
    return _states_by_spelling().get(_spelling(text))


def normalise_zip(raw: str) -> str | None:
    """The 5-digit ZIP in "02134", "02134-1234", "021341234", or Excel's "2134" / "2134.0"."""
    text = raw.strip()
    full = _ZIP_PLUS_4.fullmatch(text)
    if full:
        zip5 = full.group(1)
        return None if zip5 == "00000" else zip5
    number = _ZIP_AS_NUMBER.fullmatch(text)
    if not number:
        return None
    zip5 = number.group(1).zfill(5)
    # Restoring zeros is a guess, so keep it only when it names a real ZIP.
    return zip5 if zip5 in _zip_places() else None


def zip_state(zip5: str) -> str | None:
    place = _zip_places().get(zip5)
    return place[0] if place else None


def zip_zone(zip5: str) -> str | None:
    place = _zip_places().get(zip5)
    return place[1] if place else None


def state_zones(state: str) -> tuple[str, ...]:
    """Every IANA zone some part of the state is in; () for an unknown state."""
    code = normalise_state(state)
    return _zones_by_state()[code] if code else ()


def lead_time_zones(
    state: str | None, zip5: str | None, phone_e164: str | None
) -> tuple[str | None, tuple[str, ...]]:
    """(the lead's own zone or None when unknown, every candidate zone sorted).

    The own zone is the ZIP's; else the state's when it has only one; else the phone's when
    phonenumbers gives exactly one and it is not contradicted by a multi-zone address state.
    Candidates are the address zone (the ZIP's, else every zone of the state) and the phone's
    zones (every zone of its area code, else every zone of the area code's state), so
    compliance can apply the most restrictive window over every place the lead may be.
    """
    zip_place_zone = zip_zone(zip5) if zip5 else None
    if zip_place_zone and phone_e164:
        area_zones = phone_area_zones(phone_e164)
        if area_zones:
            # Nearly every lead: the ZIP's zone is its own and the area code's zones (one
            # answer per area code) join it, whatever the state; the rest is not consulted.
            return _zip_and_area_zones(zip_place_zone, phone_e164[2:5], area_zones)
    return _in_full(state, zip_place_zone, phone_e164)


def _in_full(
    state: str | None, zip_place_zone: str | None, phone_e164: str | None
) -> tuple[str | None, tuple[str, ...]]:
    address_zones = state_zones(state) if state else ()
    phone_state = phone_area_state(phone_e164) if phone_e164 else None
    return _lead_zones(
        zip_place_zone,
        address_zones,
        phone_time_zones(phone_e164) if phone_e164 else (),
        phone_area_zones(phone_e164) if phone_e164 else (),
        _zones_by_state().get(phone_state, ()) if phone_state else (),
    )


@lru_cache(maxsize=4096)
def _zip_and_area_zones(
    zip_place_zone: str, area_code: str, area_zones: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    """_lead_zones' answer with a ZIP zone and area-code zones: those decide alone. Cached by
    the ZIP zone and the area code; its zones come along, the same for every number of it."""
    return zip_place_zone, tuple(sorted({zip_place_zone, *area_zones}))


@lru_cache(maxsize=4096)
def _lead_zones(
    zip_place_zone: str | None,
    address_zones: tuple[str, ...],
    phone_zones: tuple[str, ...],
    area_zones: tuple[str, ...],
    phone_state_zones: tuple[str, ...],
) -> tuple[str | None, tuple[str, ...]]:
    """lead_time_zones' decision; few distinct inputs, so cached."""
    own: str | None = None
    if zip_place_zone:
        own = zip_place_zone
    elif len(address_zones) == 1:
        own = address_zones[0]
    elif len(phone_zones) == 1 and (not address_zones or phone_zones[0] in address_zones):
        own = phone_zones[0]
    # Where we know more, we use it: a ZIP pins the address zone and the area code's zones pin
    # the phone's (every zone the area code spans, since a cell goes with its owner); only
    # without them does every zone of the state count.
    candidates = {zip_place_zone} if zip_place_zone else set(address_zones)
    candidates.update(area_zones or phone_zones or phone_state_zones)
    return own, tuple(sorted(candidates))


def candidate_states(state: str | None, phone_e164: str | None) -> tuple[str, ...]:
    """The address state and the phone's area-code state, deduplicated and sorted."""
    found = {
        normalise_state(state) if state else None,
        phone_area_state(phone_e164) if phone_e164 else None,
    }
    return tuple(sorted(code for code in found if code))


def _spelling(text: str) -> str:
    return _NOT_A_LETTER.sub("", text.lower())


@cache
def _state_rows() -> tuple[dict[str, str], ...]:
    with STATES_CSV.open(newline="", encoding="utf-8") as rows:
        return tuple(csv.DictReader(rows))


@cache
def _zones_by_state() -> dict[str, tuple[str, ...]]:
    return {row["code"]: tuple(row["time_zones"].split(";")) for row in _state_rows()}


@cache
def _states_by_spelling() -> dict[str, str]:
    spellings: dict[str, str] = {}
    for row in _state_rows():
        for spelling in (row["code"], row["name"], *row["also"].split(";")):
            if spelling:
                spellings[_spelling(spelling)] = row["code"]
    return spellings


@cache
def _zip_places() -> dict[str, tuple[str, str | None]]:
    places: dict[str, tuple[str, str | None]] = {}
    with ZIP_ZONES_CSV.open(newline="", encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            place = (row["state"], row["time_zone"] or None)
            places.update(dict.fromkeys(row["zips"].split(), place))
    return places
