"""Lead dates: every vendor shape, the lead's zone for naive values, DST edges, no guessing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadchase.importing.dates import parse_lead_date

NEW_YORK = ZoneInfo("America/New_York")
CHICAGO = ZoneInfo("America/Chicago")


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-05T14:22:10-05:00", utc(2024, 3, 5, 19, 22, 10)),
        ("2024-03-05T14:22:10-0500", utc(2024, 3, 5, 19, 22, 10)),
        ("2024-03-05T19:22:10Z", utc(2024, 3, 5, 19, 22, 10)),
        ("2024-03-05T19:22:10.250+00:00", datetime(2024, 3, 5, 19, 22, 10, 250000, tzinfo=UTC)),
        ("2024-03-05 14:22:10", utc(2024, 3, 5, 19, 22, 10)),  # naive: the lead's zone
        ("2024-03-05", utc(2024, 3, 5, 5)),
        ("20240305", utc(2024, 3, 5, 5)),
        ("2024-03-05 2:22 PM", utc(2024, 3, 5, 19, 22)),  # dateutil
        ("2024-03-05 14:22:10 UTC", utc(2024, 3, 5, 14, 22, 10)),  # dateutil
        ("3/5/2024 2:22 PM", utc(2024, 3, 5, 19, 22)),
        ("3/5/2024 2:22 pm", utc(2024, 3, 5, 19, 22)),
        ("3/5/2024, 2:22:10 PM", utc(2024, 3, 5, 19, 22, 10)),  # JavaScript toLocaleString
        ("3/5/2024 12:05 AM", utc(2024, 3, 5, 5, 5)),
        ("3/5/2024 12:05 PM", utc(2024, 3, 5, 17, 5)),
        ("03/05/24", utc(2024, 3, 5, 5)),
        ("3/5/2024 14:22", utc(2024, 3, 5, 19, 22)),
        ("03-05-2024", utc(2024, 3, 5, 5)),
        ("3 5 2024", utc(2024, 3, 5, 5)),
        ("March 5, 2024", utc(2024, 3, 5, 5)),
        ("Mar 5 2024 2:22 PM", utc(2024, 3, 5, 19, 22)),
        ("Sept. 5, 2024", utc(2024, 9, 5, 4)),
        ("5 March 2024", utc(2024, 3, 5, 5)),  # dateutil
        ("Tuesday, March 5, 2024 2:22 PM EST", utc(2024, 3, 5, 19, 22)),  # dateutil
        ("March 5, 2024 2:22 PM ET", utc(2024, 3, 5, 19, 22)),  # dateutil, a real zone
        ("Tue Mar 05 2024 14:22:10 GMT-0500 (Eastern Standard Time)", utc(2024, 3, 5, 19, 22, 10)),
        ("45356.6", utc(2024, 3, 5, 19, 24)),  # Excel: 2024-03-05 14:24 in New York
        ("45356", utc(2024, 3, 5, 5)),
    ],
)
def test_vendor_shapes(raw: str, expected: datetime) -> None:
    assert parse_lead_date(raw, NEW_YORK) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "n/a",
        "12",  # a day of no particular month
        "March 2024",  # no day
        "March 5",  # no year
        "13/5/2024",  # day first is never assumed
        "13 5 2024",
        "13.05.2024",
        "2/30/2024",
        "3/5/2024 13:22 PM",
        "3/5/2024 0:22 AM",
        "1999-12-31",  # before 2000: not a lead date
        "12/31/99",  # 1999, as strptime's %y reads it
        "2100-01-01",
        "25000",  # Excel serial out of range
        "99999.5",
        "3055551234",
        "2024-03-05 2:22 PM XYZ",  # unknown zone name: not guessed
    ],
)
def test_refuses(raw: str) -> None:
    assert parse_lead_date(raw, NEW_YORK) is None


def test_naive_values_use_the_zone_given() -> None:
    assert parse_lead_date("3/5/2024 2:22 PM", CHICAGO) == utc(2024, 3, 5, 20, 22)
    fixed = timezone(timedelta(hours=-7))
    assert parse_lead_date("2024-03-05 14:22", fixed) == utc(2024, 3, 5, 21, 22)


def test_offsets_in_the_text_win_over_the_zone() -> None:
    assert parse_lead_date("2024-03-05T14:22:10-08:00", NEW_YORK) == utc(2024, 3, 5, 22, 22, 10)


def test_spring_forward_gap_reads_the_time_with_the_offset_from_before() -> None:
    # 02:30 does not exist in New York on 2024-03-10; it is read as 02:30 EST = 03:30 EDT.
    assert parse_lead_date("3/10/2024 2:30 AM", NEW_YORK) == utc(2024, 3, 10, 7, 30)
    assert parse_lead_date("2024-03-10T02:30:00", NEW_YORK) == utc(2024, 3, 10, 7, 30)


def test_fall_back_fold_reads_the_first_occurrence() -> None:
    # 01:30 happens twice in New York on 2024-11-03; the first one is 01:30 EDT.
    assert parse_lead_date("11/3/2024 1:30 AM", NEW_YORK) == utc(2024, 11, 3, 5, 30)


# Written text cannot carry `fold`: parsing reads every time the fold=0 way (see dates.py).
@given(
    st.datetimes(
        min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 30), timezones=st.none()
    ).map(lambda moment: moment.replace(microsecond=0, fold=0)),
    st.sampled_from(
        [
            "{:%Y-%m-%dT%H:%M:%S}",
            "{:%Y-%m-%d %H:%M:%S}",
            "{0.month}/{0.day}/{0.year}",
            "{0:%m/%d/%Y %I:%M:%S %p}",
            "{0:%B} {0.day}, {0.year} {0:%H:%M:%S}",
        ]
    ),
)
@settings(max_examples=300, deadline=None)
def test_round_trips_the_shapes_it_reads(moment: datetime, shape: str) -> None:
    text = shape.format(moment)
    if "%H" not in shape and "%I" not in shape:
        moment = moment.replace(hour=0, minute=0, second=0)
    expected = moment.replace(tzinfo=NEW_YORK).astimezone(UTC)
    assert parse_lead_date(text, NEW_YORK) == expected


@given(st.text(max_size=40))
@settings(max_examples=400, deadline=None)
def test_never_raises_on_arbitrary_text(raw: str) -> None:
    result = parse_lead_date(raw, NEW_YORK)
    assert result is None or (result.tzinfo is UTC and 1999 <= result.year <= 2100)
