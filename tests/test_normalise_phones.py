"""Phone normalising agrees exactly with phonenumbers, on vendor shapes and on generated text.

Run this file as a script (`.venv/bin/python tests/test_normalise_phones.py`) to regenerate
src/leadchase/data/area_codes.csv after a phonenumbers upgrade.
"""

from __future__ import annotations

import collections
import re
import sys
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from phonenumbers import timezone
from phonenumbers.geodata import GEOCODE_DATA
from phonenumbers.phonemetadata import PhoneMetadata

from leadchase.contact import phones
from leadchase.contact.phones import (
    AREA_CODES_CSV,
    Phone,
    normalise_phone,
    phone_area_state,
    phone_time_zones,
)
from leadchase.contact.places import normalise_state


def phonenumbers_says(text: str) -> Phone | None:
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164, number.extension or None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("p:+13055551234", Phone("+13055551234")),
        ("305.555.1234", Phone("+13055551234")),
        ("(305) 555-1234", Phone("+13055551234")),
        ("(305)555-1234", Phone("+13055551234")),
        ("1-305-555-1234", Phone("+13055551234")),
        ("+1 305 555 1234", Phone("+13055551234")),
        ("+1 (305) 555-1234", Phone("+13055551234")),
        ("3055551234", Phone("+13055551234")),
        ("13055551234", Phone("+13055551234")),
        ("  305-555-1234  ", Phone("+13055551234")),
        ("305-555-1234 x12", Phone("+13055551234", "12")),
        ("305-555-1234 ext. 12", Phone("+13055551234", "12")),
        ("305-555-1234 EXT 12", Phone("+13055551234", "12")),
        ("305-555-1234 #12", Phone("+13055551234", "12")),
        ("305-555-1234,12", Phone("+13055551234", "12")),
        ("(305) 155-1234", None),  # exchanges never start with 1
        ("(555) 555-1234", None),  # not an area code
        ("+1 416 979 2000", Phone("+14169792000")),  # Toronto: valid, not US
        ("+44 20 7946 0958", Phone("+442079460958")),  # slow path
        ("Tel: 305 555 1234", Phone("+13055551234")),  # slow path
        ("305-555-12", None),
        ("123-456-7890", None),
        ("", None),
        ("   ", None),
        ("n/a", None),
    ],
)
def test_vendor_shapes(raw: str, expected: Phone | None) -> None:
    assert normalise_phone(raw) == expected
    assert normalise_phone(raw) == phonenumbers_says(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3055551234.0", Phone("+13055551234")),
        ("13055551234.0", Phone("+13055551234")),
        ("3.055551234E+09", Phone("+13055551234")),
        ("1.3055551234E+10", Phone("+13055551234")),
        ("3.05556E+09", None),  # Excel rounded the display value: digits are lost
        ("3.0555512345E+09", None),  # not a whole number
    ],
)
def test_excel_damage_is_undone_only_when_no_digit_was_lost(
    raw: str, expected: Phone | None
) -> None:
    assert normalise_phone(raw) == expected


def test_other_regions_go_to_phonenumbers() -> None:
    assert normalise_phone("020 7946 0958", region="GB") == Phone("+442079460958")
    assert normalise_phone("(416) 979-2000", region="CA") == Phone("+14169792000")


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
@example("p:")
@example("+1")
@example("1.0E+09")
def test_never_raises_on_arbitrary_text(raw: str) -> None:
    result = normalise_phone(raw)
    assert result is None or result.e164.startswith("+")


REAL_AREA_CODES = ["305", "212", "416", "787", "800", "900", "500", "242", "876", "809", "671"]
area_codes = st.one_of(
    st.sampled_from(REAL_AREA_CODES), st.integers(0, 999).map(lambda n: f"{n:03d}")
)


def digits(count: int) -> st.SearchStrategy[str]:
    return st.integers(0, 10**count - 1).map(lambda n: str(n).zfill(count))


@st.composite
def vendor_phone(draw: st.DrawFn) -> str:
    """The shapes vendors send, with any digits: valid and invalid area codes and exchanges."""
    area = draw(st.sampled_from(["{}", "({})"])).format(draw(area_codes))
    prefix = draw(st.sampled_from(["", "+1", "+1 ", "1", "1-", "1 ", "1.", "p:", "p:+1"]))
    separator = st.sampled_from(["", "-", ".", " "])
    number = prefix + area + draw(separator) + draw(digits(3)) + draw(separator) + draw(digits(4))
    label = st.sampled_from([" x", "x", " X ", " ext. ", " ext", "ext.", " #", "#", ",", ", "])
    extension = draw(st.one_of(st.just(""), st.tuples(label, digits(3)).map("".join)))
    return number + extension


@st.composite
def odd_phone(draw: st.DrawFn) -> str:
    """Near misses around those shapes: odd prefixes, separators, lengths and extensions."""
    area = draw(st.sampled_from(["{}", "({})", "({}", "{})"])).format(draw(area_codes))
    prefix = draw(st.sampled_from(["", "+1", "p:1", "+", "+ 1", "011", "0", "+44", "11", "+1+1"]))
    separator = st.sampled_from(["", "-", ".", " ", "  ", "/", "--", " - ", "\t"])
    exchange = draw(st.integers(0, 999).map(str))
    line = draw(st.integers(0, 99999).map(str))
    label = st.sampled_from([" x", "ext", " #", "#", ",", ",,", ";ext=", " extension ", "-"])
    extension = st.tuples(label, st.integers(0, 10**12).map(str)).map("".join)
    parts = [prefix, area, draw(separator), exchange, draw(separator), line]
    return "".join(parts) + draw(st.one_of(st.just(""), extension))


phone_ish = st.one_of(vendor_phone(), odd_phone())


@given(phone_ish)
@settings(max_examples=2500, deadline=None)
@example("p:+13055551234")
@example("1 (800) 0012345")
def test_agrees_with_phonenumbers_on_phone_ish_text(raw: str) -> None:
    assert normalise_phone(raw) == phonenumbers_says(raw)


def test_fast_path_keying_by_four_digits_is_exact() -> None:
    """The fast path decides the NANP region from the first 4 digits: no leading-digits
    pattern in the installed metadata may read further."""
    width_of = re._parser.parse  # type: ignore[attr-defined]
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]:
        metadata = PhoneMetadata.metadata_for_region(region, None)
        assert metadata is not None
        if metadata.leading_digits is not None:
            assert width_of(metadata.leading_digits).getwidth()[1] <= 4, region


@given(st.integers(2_000_000_000, 9_999_999_999))
@settings(max_examples=1500, deadline=None)
@example(2_082_015_555)  # Idaho: the zone depends on the exchange
@example(8_005_551_234)  # toll free: phonenumbers gives every NANP zone
@example(8_765_551_234)  # Jamaica
def test_time_zones_agree_with_phonenumbers(national: int) -> None:
    number = phonenumbers.PhoneNumber(country_code=1, national_number=national)
    expected = tuple(z for z in timezone.time_zones_for_number(number) if z != "Etc/Unknown")
    assert phone_time_zones(f"+1{national}") == expected


def test_time_zones_examples() -> None:
    assert phone_time_zones("+13055551234") == ("America/New_York",)
    assert phone_time_zones("+12082015555") == ("America/Denver",)
    assert phone_time_zones("+442079460958") == ("Europe/London",)
    assert phone_time_zones("+11235551234") == ()  # invalid: no zone rather than Etc/Unknown
    assert phone_time_zones("not a phone") == ()


@pytest.mark.parametrize(
    ("e164", "state"),
    [
        ("+13055551234", "FL"),
        ("+12125551234", "NY"),
        ("+12025551234", "DC"),
        ("+19075551234", "AK"),
        ("+17875551234", "PR"),
        ("+13405551234", "VI"),
        ("+14169792000", None),  # Toronto
        ("+18765551234", None),  # Jamaica
        ("+18005551234", None),  # toll free
        ("+442079460958", None),
    ],
)
def test_area_code_state(e164: str, state: str | None) -> None:
    assert phone_area_state(e164) == state


# NANP regions that are US territories with a USPS code of the same name (unlike MS, Montserrat).
US_TERRITORY_REGIONS = ("AS", "GU", "MP", "PR", "VI")


def area_codes_csv() -> str:
    """area_codes.csv from phonenumbers: the state most of an area code's geocoder entries
    name, plus the US territories phonenumbers treats as their own NANP regions."""
    votes: dict[str, collections.Counter[str | None]] = collections.defaultdict(collections.Counter)
    for prefix, names in GEOCODE_DATA.items():
        if prefix.startswith("1") and len(prefix) >= 4:
            place = names.get("en", "")
            city_state = re.search(r", ([A-Z]{2})$", place)
            votes[prefix[1:4]][normalise_state(city_state[1] if city_state else place)] += 1
    states = {npa: vote.most_common(1)[0][0] for npa, vote in votes.items()}
    for region in US_TERRITORY_REGIONS:
        metadata = PhoneMetadata.metadata_for_region(region, None)
        if metadata and metadata.leading_digits:
            for npa in range(200, 1000):
                if re.fullmatch(metadata.leading_digits, str(npa)):
                    states[str(npa)] = region
    rows = sorted((npa, state) for npa, state in states.items() if state)
    return "npa,state\n" + "".join(f"{npa},{state}\n" for npa, state in rows)


def test_area_codes_csv_matches_installed_phonenumbers() -> None:
    assert AREA_CODES_CSV.read_text(encoding="utf-8") == area_codes_csv(), (
        "area_codes.csv is stale: run .venv/bin/python tests/test_normalise_phones.py"
    )


if __name__ == "__main__":
    Path(AREA_CODES_CSV).write_text(area_codes_csv(), encoding="utf-8")
    sys.stdout.write(f"wrote {AREA_CODES_CSV}\n")


def test_prefixes_tried_in_the_same_regions_share_one_plan() -> None:
    # New York and Miami are tried as US then Canada, alike; Jamaica's 876 decides alone.
    assert phones._region_plan("2125") is phones._region_plan("3055")
    assert phones._region_plan("8765") is not phones._region_plan("2125")
    assert phones._regions_tried("8765")[-1] == "JM"
