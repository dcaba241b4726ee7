"""Attempt caps: at most 3 calls + texts per rolling 24 h for Florida, Oklahoma and Maryland."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadchase.compliance.caps import attempt_cap, cap_allows, next_allowed_by_cap

NOW = datetime(2026, 3, 3, 18, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("states", "cap"),
    [
        (["FL"], 3),
        (["OK"], 3),
        (["MD"], 3),
        (["fl "], 3),
        (["CA", "FL"], 3),
        (["CA"], None),
        (["TX", "WA"], None),
        ([], None),
    ],
)
def test_attempt_cap_is_the_strictest_of_the_candidate_states(states, cap):
    assert attempt_cap(states) == cap


def test_two_attempts_leave_room_for_a_third():
    decision = cap_allows([NOW - 5 * HOUR, NOW - HOUR], NOW, ["FL"])
    assert (decision.allowed, decision.rule) == (True, "FL-cap")
    assert decision.reason == "2 of 3 attempts used in 24 h (Florida law)"
    assert next_allowed_by_cap([NOW - 5 * HOUR, NOW - HOUR], NOW, ["FL"]) == NOW


def test_a_fourth_attempt_waits_until_the_oldest_ages_out():
    attempts = [NOW - 20 * HOUR, NOW - 3 * HOUR, NOW - HOUR]
    decision = cap_allows(attempts, NOW, ["CA", "OK"], "America/Chicago")
    assert (decision.allowed, decision.rule) == (False, "OK-cap")
    assert decision.reason == (
        "3 attempts in the last 24 h; Oklahoma law allows 3 per rolling 24 h, "
        "so the next one may go at Tue Mar 3 4:00 PM CST"  # in the lead's zone
    )
    reopens = next_allowed_by_cap(attempts, NOW, ["OK"])
    assert reopens == NOW + 4 * HOUR
    assert cap_allows(attempts, reopens, ["OK"]).allowed
    assert not cap_allows(attempts, reopens - timedelta(seconds=1), ["OK"]).allowed


def test_more_attempts_than_the_cap_wait_for_enough_of_them_to_age_out():
    attempts = [NOW - hours * HOUR for hours in (23, 22, 10, 2, 1)]
    assert next_allowed_by_cap(attempts, NOW, ["MD"]) == NOW - 10 * HOUR + 24 * HOUR


def test_an_attempt_stops_counting_exactly_24_hours_later():
    attempts = [NOW - 24 * HOUR, NOW - 2 * HOUR, NOW - HOUR]
    assert cap_allows(attempts, NOW, ["FL"]).allowed
    assert not cap_allows(attempts, NOW - timedelta(seconds=1), ["FL"]).allowed


def test_attempts_after_the_moment_have_not_happened_yet():
    attempts = [NOW - HOUR, NOW + HOUR, NOW + 2 * HOUR]
    assert cap_allows(attempts, NOW, ["FL"]).allowed


def test_attempt_times_in_any_offset_count_the_same():
    eastern = timezone(timedelta(hours=-5))
    attempts = [(NOW - hours * HOUR).astimezone(eastern) for hours in (6, 4, 2)]
    assert not cap_allows(attempts, NOW, ["FL"]).allowed
    assert next_allowed_by_cap(attempts, NOW, ["FL"]) == NOW + 18 * HOUR
    assert next_allowed_by_cap(attempts, NOW, ["FL"]).tzinfo is UTC


def test_uncapped_states_allow_any_number_of_attempts():
    attempts = [NOW - minutes * timedelta(minutes=1) for minutes in range(1, 11)]
    decision = cap_allows(attempts, NOW, ["ca", "TX"])
    assert (decision.allowed, decision.rule) == (True, "no-cap")
    assert decision.reason == "no per-24 h attempt cap applies (CA, TX)"
    assert next_allowed_by_cap(attempts, NOW, ["CA"]) == NOW


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="no UTC offset"):
        cap_allows([datetime(2026, 3, 3, 12, 0)], NOW, ["FL"])
    with pytest.raises(ValueError, match="no UTC offset"):
        next_allowed_by_cap([], datetime(2026, 3, 3, 12, 0), ["FL"])


@settings(max_examples=150, deadline=None)
@given(
    offsets=st.lists(st.integers(min_value=0, max_value=48 * 60), max_size=8),
    states=st.lists(st.sampled_from(["FL", "OK", "MD", "CA", "TX"]), max_size=2),
)
def test_next_allowed_by_cap_is_the_first_moment_the_cap_allows(offsets, states):
    attempts = [NOW - timedelta(minutes=minutes) for minutes in offsets]
    reopens = next_allowed_by_cap(attempts, NOW, states)
    assert reopens >= NOW
    assert cap_allows(attempts, reopens, states).allowed
    if reopens > NOW:
        assert not cap_allows(attempts, NOW, states).allowed
        assert not cap_allows(attempts, reopens - timedelta(seconds=1), states).allowed
