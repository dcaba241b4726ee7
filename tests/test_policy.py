"""The one contact policy, as a pure function of (lead, channel, by hand or automated, moment)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from leadchase.compliance.caps import cap_allows
from leadchase.compliance.policy import ContactFacts, Rules, Verdict, decide
from leadchase.compliance.windows import check_moment

PACIFIC = ContactFacts(zones=("America/Los_Angeles",), states=("CA",), consent="web form")
FLORIDA = ContactFacts(zones=("America/New_York",), states=("FL",), consent="web form")
# Monday 2026-11-30 08:00 Eastern = 05:00 Pacific.
EARLY = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)


def test_a_call_at_five_in_the_morning_their_time_waits_for_their_window() -> None:
    for automated in (False, True):
        verdict = decide(PACIFIC, "call", automated=automated, moment=EARLY)
        assert not verdict.allowed
        assert "05:00 in America/Los_Angeles" in verdict.reason
        # The officer's default window opens at 09:00 their time.
        assert verdict.next_allowed_at == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)


def test_texts_by_hand_obey_the_same_window_as_automated_ones() -> None:
    by_hand = decide(PACIFIC, "text", automated=False, moment=EARLY)
    automated = decide(PACIFIC, "text", automated=True, moment=EARLY)
    assert by_hand == automated


def test_a_fourth_attempt_in_24_hours_to_a_florida_lead_waits_until_the_first_ages_out() -> None:
    first = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 10:00 Eastern
    attempts = [first, first + timedelta(hours=2), first + timedelta(hours=4)]
    moment = first + timedelta(hours=5)
    for channel in ("call", "text"):
        verdict = decide(FLORIDA, channel, automated=False, moment=moment, attempts=attempts)
        assert not verdict.allowed and verdict.rule == "FL-cap"
        assert verdict.next_allowed_at == first + timedelta(hours=24)
    # Emails are not solicitation attempts.
    assert decide(FLORIDA, "email", automated=True, moment=moment, attempts=attempts).allowed


def test_a_cap_that_frees_up_at_night_waits_for_the_morning() -> None:
    # Three calls logged (by hand, forced) at 20:30 Eastern on Monday 30 November.
    first = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    attempts = [first, first + timedelta(minutes=5), first + timedelta(minutes=10)]
    verdict = decide(
        FLORIDA, "call", automated=False, moment=first + timedelta(hours=14), attempts=attempts
    )
    assert not verdict.allowed and verdict.rule == "FL-cap"
    # The cap frees up at 20:40 Tuesday, after the 20:00 close: Wednesday 09:00 Eastern.
    assert verdict.next_allowed_at == datetime(2026, 12, 2, 14, 0, tzinfo=UTC)


def test_closed_channels_never_open_by_themselves() -> None:
    stopped = ContactFacts(
        zones=PACIFIC.zones, states=PACIFIC.states, closed=frozenset({"call", "text", "email"}),
        closed_why="asked to stop all contact",
    )  # fmt: skip
    noon = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    for channel in ("call", "text", "email"):
        for automated in (False, True):
            verdict = decide(stopped, channel, automated=automated, moment=noon)
            assert verdict == Verdict(False, "opted-out", "asked to stop all contact", None)


def test_an_unknown_time_zone_holds_automation_and_warns_a_person() -> None:
    nowhere = ContactFacts(zones=(), states=(), consent="web form")
    noon = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    for channel in ("text", "email"):
        held = decide(nowhere, channel, automated=True, moment=noon)
        assert not held.allowed and held.rule == "unknown-timezone" and held.next_allowed_at is None
    by_hand = decide(nowhere, "call", automated=False, moment=noon)
    assert by_hand.allowed and by_hand.warning is not None and "check" in by_hand.warning


def test_an_email_by_hand_may_go_at_any_hour_an_automated_one_may_not() -> None:
    night = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 00:00 Pacific
    assert decide(PACIFIC, "email", automated=False, moment=night).allowed
    assert not decide(PACIFIC, "email", automated=True, moment=night).allowed


def test_automated_texts_need_a_consent_basis_texts_by_hand_do_not() -> None:
    aged = ContactFacts(zones=PACIFIC.zones, states=PACIFIC.states, consent=None)
    noon = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    held = decide(aged, "text", automated=True, moment=noon)
    assert not held.allowed and held.rule == "no-consent" and held.next_allowed_at is None
    assert decide(aged, "text", automated=False, moment=noon).allowed


def test_a_snoozed_lead_waits_for_its_snooze() -> None:
    until = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
    snoozed = ContactFacts(
        zones=PACIFIC.zones, states=PACIFIC.states, consent="x", snoozed_until=until
    )
    verdict = decide(
        snoozed, "call", automated=False, moment=datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
    )
    assert verdict == Verdict(False, "snoozed", "snoozed by you", until)


def test_the_json_fields_of_a_verdict() -> None:
    verdict = decide(PACIFIC, "call", automated=False, moment=EARLY)
    document = verdict.to_json()
    assert document["allowed_now"] is False
    assert document["next_allowed_at"] == "2026-11-30T17:00:00+00:00"
    assert "05:00" in str(document["blocked_reason"])


ZONES = st.sampled_from(
    [
        ("America/Los_Angeles",), ("America/New_York",), ("America/Chicago",),
        ("America/Chicago", "America/New_York"), ("America/Phoenix",), ("Pacific/Honolulu",),
        ("America/Denver", "America/Los_Angeles"), (),
    ]
)  # fmt: skip
STATES = st.lists(st.sampled_from(["CA", "FL", "TX", "OK", "MD", "RI", "NY", "UT"]), max_size=2)
MOMENTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(
    zones=ZONES,
    states=STATES,
    channel=st.sampled_from(["call", "text", "email"]),
    automated=st.booleans(),
    moment=MOMENTS,
    gaps=st.lists(st.integers(min_value=1, max_value=40 * 60), max_size=5),
)
def test_whatever_is_allowed_keeps_every_rule_and_a_promised_moment_is_allowed(
    zones: tuple[str, ...],
    states: list[str],
    channel: str,
    automated: bool,
    moment: datetime,
    gaps: list[int],
) -> None:
    lead = ContactFacts(zones=zones, states=tuple(states), consent="web form")
    attempts = [moment - timedelta(minutes=gap) for gap in gaps]
    verdict = decide(lead, channel, automated=automated, moment=moment, attempts=attempts)
    timed = channel != "email" or automated
    if verdict.allowed:
        if timed and zones:
            assert check_moment(moment, zones, states, Rules().window).allowed
        if channel != "email":
            assert cap_allows(attempts, moment, states).allowed
        return
    if verdict.next_allowed_at is not None:
        assert verdict.next_allowed_at > moment
        later = decide(
            lead, channel, automated=automated, moment=verdict.next_allowed_at, attempts=attempts
        )
        assert later.allowed, (verdict, later)


def test_a_pensacola_lead_is_checked_in_both_panhandle_zones() -> None:
    from leadchase.contact.places import lead_time_zones

    own, zones = lead_time_zones("FL", "32501", "+18504341234")
    assert own == "America/Chicago"
    assert zones == ("America/Chicago", "America/New_York")
    pensacola = ContactFacts(zones=zones, states=("FL",), consent="web form")
    # 08:30 in Pensacola is 09:30 in Tallahassee: the user window opens at 09:00 in both.
    half_past_eight = datetime(2026, 11, 30, 14, 30, tzinfo=UTC)
    assert not decide(pensacola, "call", automated=False, moment=half_past_eight).allowed
    # 19:30 Central is 20:30 Eastern: past Florida's 20:00 in Tallahassee's zone.
    evening = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    verdict = decide(pensacola, "text", automated=True, moment=evening)
    assert not verdict.allowed and "America/New_York" in verdict.reason


def test_an_officers_own_hours_hold_their_leads_touches_until_both_windows_are_open() -> None:
    from leadchase.compliance.officer_hours import OfficerHours

    # A Florida lead (09:00-20:00 Eastern) of an officer in Denver who works 10:00-18:00.
    hours = OfficerHours("Ana Ruiz", time(10), time(18), "America/Denver")
    lead = replace(FLORIDA, officer_hours=hours)
    nine_eastern = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # 07:00 in Denver
    for channel, automated in (("text", True), ("email", True), ("call", False)):
        verdict = decide(lead, channel, automated=automated, moment=nine_eastern)
        assert not verdict.allowed and verdict.rule == "officer-hours", verdict
        assert "07:00 is before Ana Ruiz's hours (10:00-18:00 America/Denver)" in verdict.reason
        assert verdict.next_allowed_at == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
        assert decide(FLORIDA, channel, automated=automated, moment=nine_eastern).allowed
    # 19:30 Eastern is 17:30 in Denver: both open. At 20:00 Eastern the law closes first, and
    # the next moment both allow is Ana's 10:00 the next day (12:00 Eastern).
    assert decide(lead, "text", automated=True, moment=nine_eastern + timedelta(hours=10.5)).allowed
    late = decide(lead, "text", automated=True, moment=nine_eastern + timedelta(hours=11))
    assert late.rule != "officer-hours" and not late.allowed
    assert late.next_allowed_at == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    # An email by hand is not a solicitation: nobody's hours hold it.
    assert decide(lead, "email", automated=False, moment=nine_eastern).allowed


def test_an_officer_whose_hours_never_meet_the_leads_leaves_no_opening() -> None:
    from leadchase.compliance.officer_hours import OfficerHours

    # 05:00-06:00 in Los Angeles is 03:00-04:00 in Honolulu: never inside a Hawaii lead's hours.
    hours = OfficerHours("Ana Ruiz", time(5), time(6), "America/Los_Angeles")
    hawaii = ContactFacts(
        zones=("Pacific/Honolulu",), states=("HI",), consent="web form", officer_hours=hours
    )
    verdict = decide(hawaii, "text", automated=True, moment=EARLY)
    assert not verdict.allowed and verdict.next_allowed_at is None
