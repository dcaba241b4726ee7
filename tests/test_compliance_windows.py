"""Contact windows: federal and state hours, day bans, the user's window, zones and DST."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadchase.compliance.windows import (
    ContactPolicy,
    check_moment,
    next_opening,
    parse_rule_table,
    rule_table,
    window_for_day,
)
from leadchase.errors import ConfigError

NY, CHI, DEN, LA = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"
PHX, HNL = "America/Phoenix", "Pacific/Honolulu"
# The law alone: a user window wider than any law, so only federal and state rules bind.
LAW_ONLY = ContactPolicy(start=time(0), end=time(23, 59))
DEFAULT = ContactPolicy()
DOCS = Path(__file__).resolve().parent.parent / "docs" / "compliance.md"


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(zone: str, year: int, month: int, day: int, hour: int, minute: int, s: int = 0):
    return datetime(year, month, day, hour, minute, s, tzinfo=ZoneInfo(zone))


# ---- federal and state hours (2026-03-03 is a Tuesday, 2026-03-07 a Saturday) -----------------


def test_federal_window_is_8_to_9_for_a_state_without_its_own_rule():
    assert check_moment(local(LA, 2026, 3, 3, 7, 59), [LA], ["CA"], LAW_ONLY).rule == "federal"
    assert check_moment(local(LA, 2026, 3, 3, 8, 0), [LA], ["CA"], LAW_ONLY).allowed
    assert check_moment(local(LA, 2026, 3, 3, 20, 59), [LA], ["CA"], LAW_ONLY).allowed
    cutoff = check_moment(local(LA, 2026, 3, 3, 21, 0), [LA], ["CA"], LAW_ONLY)
    assert not cutoff.allowed
    assert cutoff.reason == "21:00 in America/Los_Angeles is at the cutoff of 21:00 (federal TCPA)"


def test_florida_stops_at_8_pm_where_california_goes_on():
    florida = check_moment(local(NY, 2026, 3, 3, 20, 30), [NY], ["FL"], LAW_ONLY)
    assert (florida.allowed, florida.rule) == (False, "FL")
    assert florida.reason == "20:30 in America/New_York is after 20:00 (Florida law)"
    assert check_moment(local(LA, 2026, 3, 3, 20, 30), [LA], ["CA"], LAW_ONLY).allowed


def test_reason_names_the_tightest_rule_and_prefers_the_law_on_a_tie_with_the_user():
    decision = check_moment(local(CHI, 2026, 3, 3, 21, 10), [CHI], ["FL"], DEFAULT)
    assert decision.rule == "FL"
    assert decision.reason == "21:10 in America/Chicago is after 20:00 (Florida law)"


@pytest.mark.parametrize(("state", "zone"), [("FL", NY), ("OK", CHI), ("MD", NY), ("WA", LA)])
def test_eight_to_eight_states(state, zone):
    assert check_moment(local(zone, 2026, 3, 3, 7, 59), [zone], [state], LAW_ONLY).rule == "federal"
    assert check_moment(local(zone, 2026, 3, 3, 8, 0), [zone], [state], LAW_ONLY).allowed
    assert check_moment(local(zone, 2026, 3, 3, 19, 59), [zone], [state], LAW_ONLY).allowed
    late = check_moment(local(zone, 2026, 3, 3, 20, 0), [zone], [state], LAW_ONLY)
    assert (late.allowed, late.rule) == (False, state)


def test_texas_weekday_and_saturday_start_at_nine():
    for day in (3, 7):  # Tuesday, Saturday
        early = check_moment(local(CHI, 2026, 3, day, 8, 30), [CHI], ["TX"], LAW_ONLY)
        assert (early.allowed, early.rule) == (False, "TX")
        assert check_moment(local(CHI, 2026, 3, day, 9, 0), [CHI], ["TX"], LAW_ONLY).allowed
        assert check_moment(local(CHI, 2026, 3, day, 20, 59), [CHI], ["TX"], LAW_ONLY).allowed


def test_texas_sunday_starts_at_noon():
    morning = check_moment(local(CHI, 2026, 3, 1, 11, 59), [CHI], ["TX"], LAW_ONLY)
    assert (morning.allowed, morning.rule) == (False, "TX-sunday")
    assert morning.reason == "11:59 in America/Chicago is before 12:00 (Texas law)"
    assert check_moment(local(CHI, 2026, 3, 1, 12, 0), [CHI], ["TX"], LAW_ONLY).allowed
    assert next_opening(local(CHI, 2026, 3, 1, 9, 0), [CHI], ["TX"], LAW_ONLY) == utc(
        2026, 3, 1, 18, 0
    )


def test_connecticut_starts_at_nine():
    early = check_moment(local(NY, 2026, 3, 3, 8, 30), [NY], ["CT"], LAW_ONLY)
    assert (early.allowed, early.rule) == (False, "CT")


@pytest.mark.parametrize(("state", "zone"), [("AL", CHI), ("LA", CHI), ("MS", CHI), ("UT", DEN)])
def test_sunday_bans(state, zone):
    sunday = check_moment(local(zone, 2026, 3, 8, 14, 0), [zone], [state], LAW_ONLY)
    assert (sunday.allowed, sunday.rule) == (False, f"{state}-sunday")
    assert "bans solicitation on Sundays" in sunday.reason
    assert check_moment(local(zone, 2026, 3, 9, 14, 0), [zone], [state], LAW_ONLY).allowed


def test_rhode_island_weekday_saturday_and_sunday_hours():
    assert check_moment(local(NY, 2026, 3, 3, 17, 59), [NY], ["RI"], LAW_ONLY).allowed
    assert check_moment(local(NY, 2026, 3, 3, 18, 0), [NY], ["RI"], LAW_ONLY).rule == "RI"
    saturday = check_moment(local(NY, 2026, 3, 7, 9, 30), [NY], ["RI"], LAW_ONLY)
    assert (saturday.allowed, saturday.rule) == (False, "RI-saturday")
    assert check_moment(local(NY, 2026, 3, 7, 16, 59), [NY], ["RI"], LAW_ONLY).allowed
    assert check_moment(local(NY, 2026, 3, 8, 12, 0), [NY], ["RI"], LAW_ONLY).rule == "RI-sunday"


def test_state_holiday_bans_use_the_state_calendar():
    pioneer_day = check_moment(local(DEN, 2026, 7, 24, 12, 0), [DEN], ["UT"], LAW_ONLY)
    assert (pioneer_day.allowed, pioneer_day.rule) == (False, "UT-holiday")
    assert "Pioneer Day" in pioneer_day.reason
    # Pioneer Day is Utah's: a Colorado lead in the same zone is open.
    assert check_moment(local(DEN, 2026, 7, 24, 12, 0), [DEN], ["CO"], LAW_ONLY).allowed
    thanksgiving = check_moment(local(NY, 2026, 11, 26, 12, 0), [NY], ["PA"], LAW_ONLY)
    assert thanksgiving.rule == "PA-holiday"


# ---- several zones and several states ---------------------------------------------------------


def test_florida_panhandle_lead_gets_the_window_common_to_eastern_and_central():
    zones = [NY, CHI]
    # Opens at 08:00 Central (09:00 Eastern) and closes at 20:00 Eastern (19:00 Central).
    assert next_opening(utc(2026, 3, 3, 12, 0), zones, ["FL"], LAW_ONLY) == utc(2026, 3, 3, 14, 0)
    assert check_moment(utc(2026, 3, 4, 0, 59), zones, ["FL"], LAW_ONLY).allowed
    late = check_moment(utc(2026, 3, 4, 1, 0), zones, ["FL"], LAW_ONLY)
    assert late.reason == "20:00 in America/New_York is at the cutoff of 20:00 (Florida law)"
    assert window_for_day(date(2026, 3, 3), CHI, ["FL"], LAW_ONLY) == (
        utc(2026, 3, 3, 14, 0),
        utc(2026, 3, 4, 2, 0),
    )


def test_california_address_with_a_florida_cell_gets_florida_hours_in_both_zones():
    zones, states = [LA, NY, CHI], ["CA", "FL"]
    # 09:00 Pacific (the user's window) is the latest start; 20:00 Eastern (Florida) the first end.
    assert next_opening(utc(2026, 3, 3, 6, 0), zones, states, DEFAULT) == utc(2026, 3, 3, 17, 0)
    early = check_moment(utc(2026, 3, 3, 16, 30), zones, states, DEFAULT)
    assert early.reason == "08:30 in America/Los_Angeles is before 09:00 (your contact window)"
    assert check_moment(utc(2026, 3, 4, 0, 59), zones, states, DEFAULT).allowed
    late = check_moment(utc(2026, 3, 4, 1, 5), zones, states, DEFAULT)
    assert (late.allowed, late.rule) == (False, "FL")
    # The same lead without the Florida phone may be texted until 20:00 Pacific.
    assert check_moment(utc(2026, 3, 4, 1, 5), [LA], ["CA"], DEFAULT).allowed


def test_states_are_matched_case_and_space_insensitively_and_unknown_ones_add_nothing():
    moment = local(NY, 2026, 3, 3, 20, 30)
    assert check_moment(moment, [NY], [" fl ", ""], LAW_ONLY).rule == "FL"
    assert check_moment(moment, [NY], ["ZZ"], LAW_ONLY).allowed


# ---- the user's own settings --------------------------------------------------------------------


def test_user_window_narrower_than_the_law():
    policy = ContactPolicy(start=time(10), end=time(17))
    early = check_moment(local(NY, 2026, 3, 3, 9, 30), [NY], ["FL"], policy)
    assert (early.allowed, early.rule) == (False, "user-window")
    assert check_moment(local(NY, 2026, 3, 3, 17, 0), [NY], ["FL"], policy).rule == "user-window"
    assert next_opening(local(NY, 2026, 3, 3, 9, 30), [NY], ["FL"], policy) == utc(
        2026, 3, 3, 15, 0
    )


def test_thanksgiving_is_skipped_only_when_the_user_skips_holidays():
    moment = local(NY, 2026, 11, 26, 12, 0)
    skip = ContactPolicy(skip_holidays=True)
    holiday = check_moment(moment, [NY], [], skip)
    assert (holiday.allowed, holiday.rule) == (False, "holiday")
    assert "Thanksgiving" in holiday.reason
    assert check_moment(moment, [NY], [], DEFAULT).allowed
    assert next_opening(moment, [NY], [], skip) == utc(2026, 11, 27, 14, 0)


def test_weekends_are_skipped_when_the_user_says_so():
    skip = ContactPolicy(skip_weekends=True)
    saturday = check_moment(local(NY, 2026, 3, 7, 12, 0), [NY], [], skip)
    assert (saturday.allowed, saturday.rule) == (False, "weekend")
    friday_night = local(NY, 2026, 3, 6, 20, 30)
    assert next_opening(friday_night, [NY], [], skip) == utc(2026, 3, 9, 13, 0)  # Monday 09:00 EDT


# ---- daylight saving time -----------------------------------------------------------------------


def test_spring_forward_opens_at_nine_local_on_the_day_of_and_after_the_change():
    # Saturday 22:00 EST; Sunday 2026-03-08 is the change, so 09:00 is EDT (13:00 UTC).
    assert next_opening(utc(2026, 3, 8, 3, 0), [NY], [], DEFAULT) == utc(2026, 3, 8, 13, 0)
    assert next_opening(utc(2026, 3, 9, 1, 0), [NY], [], DEFAULT) == utc(2026, 3, 9, 13, 0)
    assert window_for_day(date(2026, 3, 7), NY, [], DEFAULT) == (
        utc(2026, 3, 7, 14, 0),
        utc(2026, 3, 8, 1, 0),
    )
    assert window_for_day(date(2026, 3, 8), NY, [], DEFAULT) == (
        utc(2026, 3, 8, 13, 0),
        utc(2026, 3, 9, 0, 0),
    )


def test_fall_back_touch_at_1_30_is_held_either_time_round_until_9_est():
    for moment in (utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)):  # 01:30 EDT, then EST
        decision = check_moment(moment, [NY], [], DEFAULT)
        assert decision.reason == "01:30 in America/New_York is before 09:00 (your contact window)"
        assert next_opening(moment, [NY], [], DEFAULT) == utc(2026, 11, 1, 14, 0)
    assert next_opening(utc(2026, 11, 2, 2, 0), [NY], [], DEFAULT) == utc(2026, 11, 2, 14, 0)


def test_zones_without_daylight_saving_keep_their_utc_opening_all_year():
    for month in (1, 7):
        assert next_opening(utc(2026, month, 6, 10, 0), [PHX], [], DEFAULT) == utc(
            2026, month, 6, 16, 0
        )
        assert next_opening(utc(2026, month, 6, 10, 0), [HNL], [], DEFAULT) == utc(
            2026, month, 6, 19, 0
        )
    # In summer Denver is an hour ahead of Phoenix: the common window closes at 19:00 Phoenix.
    late = check_moment(local(PHX, 2026, 7, 6, 19, 30), [PHX, DEN], [], DEFAULT)
    assert late.reason == "20:30 in America/Denver is after 20:00 (your contact window)"


# ---- unknown zones, bad input, horizon ----------------------------------------------------------


@pytest.mark.parametrize("zones", [[], ["Mars/Olympus_Mons"], [NY, "not a zone"]])
def test_unknown_time_zone_holds_the_step(zones):
    decision = check_moment(utc(2026, 3, 3, 15, 0), zones, ["FL"], DEFAULT)
    assert (decision.allowed, decision.rule) == (False, "unknown-timezone")
    assert next_opening(utc(2026, 3, 3, 15, 0), zones, ["FL"], DEFAULT) is None


def test_naive_moments_are_refused():
    with pytest.raises(ValueError, match="no UTC offset"):
        check_moment(datetime(2026, 3, 3, 15, 0), [NY], [], DEFAULT)
    with pytest.raises(ValueError, match="no UTC offset"):
        next_opening(datetime(2026, 3, 3, 15, 0), [NY], [], DEFAULT)


def test_next_opening_is_none_when_nothing_opens_within_the_horizon():
    # Kentucky opens at 10:00 and this user stops at 09:30: no instant ever works.
    never = ContactPolicy(start=time(8), end=time(9, 30))
    assert next_opening(utc(2026, 3, 3, 12, 0), [NY], ["KY"], never) is None
    assert window_for_day(date(2026, 3, 3), NY, ["KY"], never) is None
    friday_night = local(NY, 2026, 3, 6, 20, 30)
    assert next_opening(friday_night, [NY], [], DEFAULT, horizon_days=0) is None
    assert next_opening(friday_night, [NY], [], DEFAULT, horizon_days=1) == utc(2026, 3, 7, 14, 0)


def test_next_opening_returns_the_moment_itself_in_utc_when_open():
    moment = local(NY, 2026, 3, 3, 10, 15, 30)
    assert next_opening(moment, [NY], [], DEFAULT) == moment
    assert next_opening(moment, [NY], [], DEFAULT).tzinfo is UTC  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("start", "zones", "states", "policy"),
    [
        (utc(2026, 3, 7, 2, 17), [LA, NY, CHI], ["CA", "FL"], DEFAULT),
        (utc(2026, 3, 7, 3, 3), [CHI, DEN], ["TX", "AL"], ContactPolicy(time(8), time(21))),
        (utc(2026, 10, 31, 20, 0), [NY], ["RI"], ContactPolicy(skip_weekends=True)),
    ],
)
def test_next_opening_matches_a_minute_by_minute_scan(start, zones, states, policy):
    expected = next(
        (
            start + timedelta(minutes=step)
            for step in range(3 * 24 * 60)
            if check_moment(start + timedelta(minutes=step), zones, states, policy).allowed
        ),
        None,
    )
    assert expected is not None
    assert next_opening(start, zones, states, policy) == expected


# ---- property: next_opening is the first allowed instant, never outside 08:00-21:00 -------------

US_ZONES = [NY, CHI, DEN, LA, PHX, HNL, "America/Anchorage", "America/Detroit", "America/Boise"]
TABLE_STATES = sorted(rule_table().states)
minutes_of_day = st.integers(min_value=0, max_value=24 * 60 - 1).map(
    lambda m: time(m // 60, m % 60)
)
policies = st.builds(
    lambda a, b, weekends, holidays: ContactPolicy(min(a, b), max(a, b), weekends, holidays),
    minutes_of_day,
    minutes_of_day,
    st.booleans(),
    st.booleans(),
).filter(lambda policy: policy.start < policy.end)


@settings(max_examples=120, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2025, 12, 20), max_value=datetime(2027, 1, 10), timezones=st.just(UTC)
    ),
    zones=st.lists(st.sampled_from(US_ZONES), min_size=1, max_size=3),
    states=st.lists(st.sampled_from([*TABLE_STATES, "CA", "NY", "GA"]), max_size=3),
    policy=policies,
)
def test_next_opening_is_the_first_allowed_instant(moment, zones, states, policy):
    opening = next_opening(moment, zones, states, policy)
    end = opening if opening is not None else moment + timedelta(days=14)
    if opening is not None:
        assert moment <= opening <= moment + timedelta(days=14)
        assert check_moment(opening, zones, states, policy).allowed
    span = end - moment
    samples = [moment + span * i / 97 for i in range(97)]
    if opening is not None and opening > moment:
        samples += [opening - timedelta(minutes=1), opening - timedelta(seconds=1)]
    for sample in samples:
        if sample >= moment and (opening is None or sample < opening):
            assert not check_moment(sample, zones, states, policy).allowed, sample


@settings(max_examples=150, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    zones=st.lists(st.sampled_from(US_ZONES), min_size=1, max_size=3),
    states=st.lists(st.sampled_from([*TABLE_STATES, "CA"]), max_size=3),
)
def test_nothing_is_ever_allowed_outside_8_to_9_local(moment, zones, states):
    widest = ContactPolicy(start=time(0), end=time(23, 59, 59))
    if check_moment(moment, zones, states, widest).allowed:
        for zone in zones:
            assert time(8) <= moment.astimezone(ZoneInfo(zone)).time() < time(21)


# ---- the rule table and its documentation -------------------------------------------------------


def test_every_rule_cites_a_source_and_stays_inside_the_federal_window():
    table = rule_table()
    assert table.federal == (time(8), time(21))
    assert table.federal_source
    assert {"FL", "OK", "MD", "WA", "TX", "AL", "LA", "MS", "RI", "UT", "CT"} <= set(table.states)
    for rule in table.states.values():
        assert len(rule.source) > 20, rule.code
        for hours in rule.week:
            assert hours is None or (time(8) <= hours[0] < hours[1] <= time(21)), rule.code


def test_docs_list_every_state_rule():
    text = DOCS.read_text(encoding="utf-8")
    assert "not legal advice" in text
    for rule in rule_table().states.values():
        assert f"| {rule.code} |" in text, rule.code
        assert rule.name in text


EIGHT_TO_EIGHT = {"hours": "08:00-20:00", "source": "s"}


@pytest.mark.parametrize(
    ("states", "message"),
    [
        ({"XX": {"hours": "08:00-20:00"}}, "states.XX has no source note"),
        ({"XX": {"hours": "8am-8pm", "source": "s"}}, "states.XX.hours is '8am-8pm'"),
        ({"XX": {"hours": "20:00-08:00", "source": "s"}}, "the start must come before the end"),
        ({"XX": {"source": "s"}}, "states.XX has no hours"),
        ({"XX": {**EIGHT_TO_EIGHT, "sunday": "never"}}, "states.XX.sunday is 'never'"),
        ({"XX": {**EIGHT_TO_EIGHT, "holidays": "open"}}, "only value it takes is 'closed'"),
        ({"XX": {**EIGHT_TO_EIGHT, "attempt_cap": 0}}, "attempt_cap is 0"),
    ],
)
def test_a_broken_rule_table_names_the_row_and_the_fix(states, message):
    raw = {"federal": {"hours": "08:00-21:00", "source": "s"}, "states": states}
    with pytest.raises(ConfigError, match=message):
        parse_rule_table(raw, "rules.yaml")


def test_importing_the_module_loads_neither_yaml_nor_holidays():
    code = (
        "import sys, leadchase.compliance.windows, leadchase.compliance.caps;"
        "print(sorted(m for m in ('yaml', 'holidays') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
