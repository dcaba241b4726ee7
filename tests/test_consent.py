"""The basis for automated texts: recorded consent, or a lead that reached us fresh."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from leadchase.compliance.consent import consent_basis

IMPORTED = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


@dataclass
class Facts:
    consent_at: datetime | None = None
    consent_url: str = ""
    consent_text: str = ""
    lead_date: datetime | None = None
    imported_at: datetime | None = IMPORTED


def test_recorded_consent_is_a_basis_whatever_the_lead_age() -> None:
    old = IMPORTED - timedelta(days=400)
    for facts in (
        Facts(consent_url="https://cert.trustedform.com/abc", lead_date=old),
        Facts(consent_at=old, lead_date=old),
        Facts(consent_text="I agree to be contacted by text", lead_date=old),
    ):
        for recorded_only in (False, True):
            assert consent_basis(facts, aged_after_days=30, recorded_only=recorded_only)


def test_a_fresh_form_lead_is_a_basis_unless_recorded_consent_is_required() -> None:
    fresh = Facts(lead_date=IMPORTED - timedelta(minutes=3))
    assert consent_basis(fresh, aged_after_days=30, recorded_only=False) == (
        "fresh inquiry: the lead asked through a form"
    )
    assert consent_basis(fresh, aged_after_days=30, recorded_only=True) is None


def test_aged_and_undated_list_leads_have_no_basis() -> None:
    aged = Facts(lead_date=IMPORTED - timedelta(days=31))
    undated = Facts(lead_date=None)
    for facts in (aged, undated):
        assert consent_basis(facts, aged_after_days=30, recorded_only=False) is None


def test_a_consent_column_that_says_no_is_no_basis_even_for_a_fresh_lead() -> None:
    for answer in ("No", "false", "0", "Declined"):
        facts = Facts(consent_text=answer, lead_date=IMPORTED - timedelta(minutes=3))
        assert consent_basis(facts, aged_after_days=30, recorded_only=False) is None
    yes = Facts(consent_text="Yes", lead_date=IMPORTED - timedelta(days=90))
    assert consent_basis(yes, aged_after_days=30, recorded_only=True)
