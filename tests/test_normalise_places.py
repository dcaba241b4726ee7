"""States, ZIPs and the zones a lead may be in; the shipped tables match their sources.

Run this file as a script (`.venv/bin/python tests/test_normalise_places.py`) to regenerate
src/leadchase/data/zip_zones.csv after a zipcodes upgrade.
"""

from __future__ import annotations

import collections
import csv
import sys
from datetime import datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
import zipcodes
from hypothesis import given, settings
from hypothesis import strategies as st

from leadchase.contact import places
from leadchase.contact.places import (
    STATES_CSV,
    ZIP_ZONES_CSV,
    candidate_states,
    lead_time_zones,
    normalise_state,
    normalise_zip,
    state_zones,
    zip_state,
    zip_zone,
)

EASTERN, CENTRAL, MOUNTAIN = "America/New_York", "America/Chicago", "America/Denver"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("FL", "FL"),
        ("fl", "FL"),
        (" Fl ", "FL"),
        ("Florida", "FL"),
        ("FLORIDA", "FL"),
        ("FLA", "FL"),
        ("Fla.", "FL"),
        ("District of Columbia", "DC"),
        ("Washington, D.C.", "DC"),
        ("D.C.", "DC"),
        ("Washington", "WA"),
        ("N. Dak.", "ND"),
        ("new york", "NY"),
        ("N.Y.", "NY"),
        ("PR", "PR"),
        ("Puerto Rico", "PR"),
        ("Hawaiʻi", "HI"),
        ("Ontario", None),
        ("ON", None),
        ("XX", None),
        ("n/a", None),
        ("", None),
    ],
)
def test_normalise_state(raw: str, code: str | None) -> None:
    assert normalise_state(raw) == code


@pytest.mark.parametrize(
    ("raw", "zip5"),
    [
        ("02134", "02134"),
        (" 02134 ", "02134"),
        ("02134-1234", "02134"),
        ("02134 1234", "02134"),
        ("021341234", "02134"),
        ("2134", "02134"),  # Excel dropped the zero
        ("2134.0", "02134"),
        ("501", "00501"),  # Holtsville NY: two zeros dropped
        ("33101.0", "33101"),
        ("123", None),  # "00123" is no ZIP: restoring zeros is only kept when it names one
        ("00000", None),
        ("0213", None),
        ("021345", None),
        ("M5V 2T6", None),
        ("n/a", None),
        ("", None),
    ],
)
def test_normalise_zip(raw: str, zip5: str | None) -> None:
    assert normalise_zip(raw) == zip5


def test_zip_state_and_zone() -> None:
    assert (zip_state("02134"), zip_zone("02134")) == ("MA", EASTERN)
    assert (zip_state("79901"), zip_zone("79901")) == ("TX", MOUNTAIN)  # El Paso
    assert (zip_state("32501"), zip_zone("32501")) == ("FL", CENTRAL)  # Pensacola
    assert (zip_state("00000"), zip_zone("00000")) == (None, None)
    assert zip_zone("09002") is None  # military mail: no zone


@pytest.mark.parametrize(
    ("state", "zones"),
    [
        ("FL", (EASTERN, CENTRAL)),
        ("Texas", (CENTRAL, MOUNTAIN)),
        ("AZ", ("America/Phoenix",)),
        ("AK", ("America/Anchorage", "America/Adak")),
        ("HI", ("Pacific/Honolulu",)),
        ("ID", ("America/Boise", "America/Los_Angeles")),
        ("XX", ()),
    ],
)
def test_state_zones(state: str, zones: tuple[str, ...]) -> None:
    assert state_zones(state) == zones


def test_lead_zone_comes_from_the_zip_first() -> None:
    own, candidates = lead_time_zones("FL", "32501", "+13055551234")
    assert own == CENTRAL
    assert candidates == (CENTRAL, EASTERN)


def test_lead_zone_from_a_single_zone_state() -> None:
    assert lead_time_zones("GA", None, "+12125551234") == (EASTERN, (EASTERN,))
    assert lead_time_zones("Arizona", None, None) == ("America/Phoenix", ("America/Phoenix",))


def test_lead_zone_from_the_phone_when_it_fits_the_address() -> None:
    # Texas has two zones; El Paso's area code says Mountain.
    assert lead_time_zones("TX", None, "+19155551234") == (MOUNTAIN, (CENTRAL, MOUNTAIN))
    # No address at all: the phone's single zone.
    assert lead_time_zones(None, None, "+13055551234") == (EASTERN, (EASTERN,))


def test_candidates_fall_back_to_every_zone_of_the_area_code_state() -> None:
    # phonenumbers has no zone for an invalid exchange; Florida's zones stand in for it.
    assert lead_time_zones(None, None, "+13051551234") == (None, (CENTRAL, EASTERN))


def test_lead_zone_is_unknown_rather_than_guessed() -> None:
    # A Miami cell for a Texas address: neither Texas zone can be picked.
    own, candidates = lead_time_zones("TX", None, "+13055551234")
    assert own is None
    assert candidates == (CENTRAL, MOUNTAIN, EASTERN)  # sorted by name
    assert lead_time_zones(None, None, None) == (None, ())
    assert lead_time_zones("XX", "99999", "+11235551234") == (None, ())


def test_candidate_states() -> None:
    assert candidate_states("Texas", "+13055551234") == ("FL", "TX")
    assert candidate_states("FL", "+13055551234") == ("FL",)
    assert candidate_states(None, "+14169792000") == ()  # Toronto
    assert candidate_states("fla.", None) == ("FL",)


def zone_rules(zone: str) -> tuple[timedelta | None, ...]:
    """A zone's UTC offsets in winter and summer: zones with equal rules are interchangeable."""
    return tuple(datetime(2025, month, 15, tzinfo=ZoneInfo(zone)).utcoffset() for month in (1, 7))


def test_state_zones_match_the_zones_of_their_zips() -> None:
    """Every state zone is some ZIP's, and every ZIP's zone is one of its state's, except the
    Navajo Nation's daylight time inside Arizona (tribal, not state, law)."""
    with STATES_CSV.open(encoding="utf-8") as rows:
        states = {row["code"]: row["time_zones"].split(";") for row in csv.DictReader(rows)}
    zip_zones: dict[str, set[str]] = collections.defaultdict(set)
    for place in zip_places():
        if known_zone(place["timezone"]):
            zip_zones[place["state"]].add(place["timezone"])
    for code, zones in states.items():
        expected = {zone_rules(zone) for zone in zones}
        found = {zone_rules(zone) for zone in zip_zones[code]}
        if code == "AZ":
            found.discard(zone_rules(MOUNTAIN))
        assert found == expected, code


def zip_places() -> list[dict[str, str]]:
    return cast("list[dict[str, str]]", zipcodes.list_all())  # type: ignore[no-untyped-call]


def known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    return name


def zip_zones_csv() -> str:
    """zip_zones.csv from zipcodes: one row per (state, zone) listing its ZIPs; a zone that is
    not an IANA name (military mail has none) is left empty."""
    groups: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    for place in zip_places():
        groups[(place["state"], known_zone(place["timezone"]))].append(place["zip_code"])
    rows = [
        f"{state},{zone},{' '.join(sorted(zips))}\n"
        for (state, zone), zips in sorted(groups.items())
    ]
    return "state,time_zone,zips\n" + "".join(rows)


def test_zip_zones_csv_matches_installed_zipcodes() -> None:
    assert ZIP_ZONES_CSV.read_text(encoding="utf-8") == zip_zones_csv(), (
        "zip_zones.csv is stale: run .venv/bin/python tests/test_normalise_places.py"
    )


if __name__ == "__main__":
    ZIP_ZONES_CSV.write_text(zip_zones_csv(), encoding="utf-8")
    sys.stdout.write(f"wrote {ZIP_ZONES_CSV}\n")


@settings(max_examples=400, deadline=None)
@given(
    state=st.sampled_from([None, "FL", "fl", "Texas", "AZ", "XX", "GA", "AK"]),
    zip5=st.sampled_from([None, "32501", "33101", "79901", "85001", "99501", "00601", "99999"]),
    phone=st.sampled_from(
        [
            None,
            "+13055551234",  # Miami
            "+18505551234",  # 850: Eastern and Central
            "+19155551234",  # El Paso
            "+18005550199",  # toll free: no area zones
            "+11235551234",  # no such area code
            "+16045551234",  # Vancouver
            "+447911123456",  # not NANP
        ]
    ),
)
def test_the_zip_and_area_code_shortcut_answers_as_the_whole_decision(
    state: str | None, zip5: str | None, phone: str | None
) -> None:
    in_full = places._in_full(state, zip_zone(zip5) if zip5 else None, phone)
    assert lead_time_zones(state, zip5, phone) == in_full
