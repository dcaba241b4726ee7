"""The import's row cleaner remembers what it cleaned (issue #17): names, states and ZIPs
repeat down a file, and a number is checked once for its three questions. A row cleaned by a
cleaner that has seen many rows must come out exactly as a fresh cleaner makes it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadchase.contact.phones import normalise_phone, phone_area_zones, phone_time_zones
from leadchase.importing import records
from leadchase.importing.dates import parse_lead_date
from leadchase.importing.headers import map_headers
from leadchase.importing.records import RowNormaliser

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
HEADER = ["First Name", "Last Name", "Full Name", "Phone", "Email", "State", "Zip", "Notes"]

# Few cells each, so rows repeat them: well-formed, oddly cased, not names, empty.
_firsts = st.sampled_from(["Ann", "ANN", "mary ann", "=cmd", "123", "", " Bob ", "o'brien"])
_lasts = st.sampled_from(["Lee", "LEE", "de la cruz", "@@", "", "McDonald", "smith jr"])
_fulls = st.sampled_from(["", "Smith, John", "Dr. Mary Ann O'Brien Jr.", "!!!", "cher"])
_phones = st.sampled_from(
    ["(415) 555-2671", "4155552671", "+1 800 555 0199", "2125550100", "555-1234", "", "x"]
)
_states = st.sampled_from(["CA", "ca", "Florida", "Fla.", "Nowhere", "", "TX"])
_zips = st.sampled_from(["94103", "2134", "2134.0", "02134-1234", "00000", "abc", ""])
_rows = st.lists(
    st.tuples(
        _firsts, _lasts, _fulls, _phones, st.sampled_from(["a@b.com", "", "bad@"]), _states,
        _zips, st.sampled_from(["", "call after 5"]),
    ),
    min_size=1,
    max_size=30,
)  # fmt: skip


def _cleaner() -> RowNormaliser:
    return RowNormaliser(HEADER, map_headers(HEADER), "", "America/New_York", NOW)


@settings(max_examples=150, deadline=None)
@given(rows=_rows)
def test_a_remembering_cleaner_cleans_each_row_as_a_fresh_one_does(
    rows: list[tuple[str, ...]],
) -> None:
    seasoned = _cleaner()
    for row in rows:
        fields = list(row)
        assert seasoned(fields) == _cleaner()(fields)


def test_what_it_remembers_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records._Remembered, "LIMIT", 3)
    states = records._Remembered(lambda cell: cell.upper())
    answers = [states[cell] for cell in ("ca", "tx", "fl", "ny", "ca", "wa", "or")]
    assert answers == ["CA", "TX", "FL", "NY", "CA", "WA", "OR"]
    assert len(states) <= 3


def test_a_number_asked_about_in_turn_gets_its_own_answers() -> None:
    # A San Francisco number, then one of its area code that no exchange has, then it again:
    # each is answered for itself, not with the number asked about just before.
    local, unreal = "+14155552671", "+14150000000"
    assert normalise_phone(local) is not None and normalise_phone(unreal) is None
    asked = [phone_area_zones(number) for number in (local, unreal, local, unreal)]
    assert asked == [("America/Los_Angeles",), (), ("America/Los_Angeles",), ()]
    assert [phone_time_zones(number) for number in (unreal, local)] == [
        (),
        ("America/Los_Angeles",),
    ]


DATED = ["Phone", "State", "Zip", "Lead Date", "Consent Date"]
_stamps = st.sampled_from(
    ["11/27/2026 8:58 AM", "3/8/2026 2:30 AM", "11/1/2026 1:30 AM", "2026-11-27", "junk", ""]
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["(415) 555-2671", "(305) 555-1234", ""]),
            st.sampled_from(["CA", "FL", "AZ", ""]),
            st.sampled_from(["94103", "33101", "85001", ""]),
            _stamps,
            _stamps,
        ),
        min_size=1,
        max_size=30,
    )
)
def test_remembered_dates_are_read_in_each_rows_own_zone(rows: list[tuple[str, ...]]) -> None:
    # The same stamp in leads of different zones is a different moment, DST edges included.
    def cleaner() -> RowNormaliser:
        return RowNormaliser(DATED, map_headers(DATED), "", "America/New_York", NOW)

    seasoned = cleaner()
    for row in rows:
        fields = list(row)
        cleaned, fresh = seasoned(fields), cleaner()(fields)
        assert cleaned == fresh
        if isinstance(cleaned, records.Record) and row[3].strip():
            zone = ZoneInfo(cleaned.values["timezone"] or "America/New_York")
            assert cleaned.values["lead_date"] == parse_lead_date(row[3], zone)
