"""The pure parts of `stats`: reading --since, when a lead arrived, medians, percentiles, shares."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadchase.errors import LeadchaseError
from leadchase.reporting import parse_since
from leadchase.reporting.compute import EventFacts, LeadFacts, arrival, compute
from leadchase.reporting.figures import median, percentile, share
from tests.conftest import SF_MORNING as T0


def test_parse_since() -> None:
    zone = "America/Chicago"
    assert parse_since("30d", T0, zone) == T0 - timedelta(days=30)
    assert parse_since(" 2W ", T0, zone) == T0 - timedelta(days=14)
    assert parse_since("all", T0, zone) is None
    assert parse_since("2026-02-01", T0, zone) == datetime(2026, 2, 1, 6, 0, tzinfo=UTC)
    assert parse_since("2026-02-01T08:00", T0, zone) == datetime(2026, 2, 1, 14, 0, tzinfo=UTC)
    with pytest.raises(LeadchaseError, match="in the future"):
        parse_since("2026-04-01", T0, zone)


def test_arrival_is_the_lead_date_only_when_fresh() -> None:
    imported = T0
    month = timedelta(days=30)
    fresh = T0 - timedelta(hours=3)
    assert arrival(fresh, imported, month) == fresh
    assert arrival(T0 - timedelta(days=31), imported, month) == imported  # aged
    assert arrival(T0 + timedelta(hours=1), imported, month) == imported  # a date in the future
    assert arrival(None, imported, month) == imported


def test_figures() -> None:
    assert median([]) is None and percentile([], 0.9) is None
    assert median([5.0]) == 5.0 and percentile([5.0], 0.9) == 5.0
    assert median([4.0, 1.0, 3.0]) == 3.0
    assert median([1.0, 2.0, 3.0, 10.0]) == 2.5
    assert percentile([10.0, 20.0, 30.0, 40.0, 50.0], 0.9) == 46.0
    assert share(1, 3) == 0.3333 and share(0, 0) is None


def _at(**delta: float) -> datetime:
    return T0 + timedelta(**delta)


def _lead(id_: int, stage: str, contacted_at: datetime | None = None) -> LeadFacts:
    return LeadFacts(id_, "Zillow", stage, T0, contacted_at)


def test_one_rule_for_contacted_whatever_the_stage() -> None:
    leads = [
        _lead(1, "new", contacted_at=_at(hours=1)),  # talked to; nobody moved its stage
        _lead(2, "application"),  # moved along by hand; no call logged
        _lead(3, "dead"),  # written off without a word
        _lead(4, "dead", contacted_at=_at(days=2)),  # talked to, then written off
        _lead(5, "new"),
    ]
    events = [
        EventFacts(2, "stage", _at(days=3), "new -> application"),
        EventFacts(3, "stage", _at(days=1), "new -> dead"),
        EventFacts(4, "stage", _at(days=4), "new -> dead"),
    ]
    stats = compute(
        now=T0 + timedelta(days=150), since=None, source=None, leads=leads, touches=[], messages=[], replies=[],
        events=events, costs={},
    )  # fmt: skip
    reached = {row.stage: row.reached for row in stats.funnel}
    assert stats.replies.contacted.hits == reached["contacted"] == 3  # leads 1, 2 and 4
    assert (reached["new"], reached["engaged"], reached["application"], reached["dead"]) == (
        5,
        1,
        1,
        2,
    )
    (zillow,) = stats.conversion
    assert zillow.contacted == 3
