"""The basis on which a lead may get automated texts: recorded consent, or a fresh inquiry.

Federal law and Florida, Oklahoma, Maryland and Connecticut want prior express written consent
for automated marketing texts. A lead file that carries the consent (a time stamp, the consent
language, a TrustedForm or Jornaya certificate) gives it. A web-form lead that reached us fresh
(its lead date within `[cadence] aged_after_days` of the import) asked us to contact them, so by
default its inquiry is the basis; `[compliance] require_consent_for_auto_text = true` drops that
and asks for recorded consent. Aged and purchased-list leads without recorded consent get their
texts as manual tasks. The basis is shown on `compliance report`, per automated text.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

# A consent column that says no: "No", "false", "0", "declined" is not consent.
_NO = frozenset({"no", "n", "false", "f", "0", "declined", "denied", "opted out", "none", "null"})


class ConsentFacts(Protocol):
    """What this module reads of a lead."""

    @property
    def consent_at(self) -> datetime | None: ...
    @property
    def consent_url(self) -> str: ...
    @property
    def consent_text(self) -> str: ...
    @property
    def lead_date(self) -> datetime | None: ...
    @property
    def imported_at(self) -> datetime | None: ...


def consent_basis(lead: ConsentFacts, *, aged_after_days: int, recorded_only: bool) -> str | None:
    """Why automated texts may go to this lead, in a few words; None when nothing allows it."""
    if lead.consent_url:
        return "consent certificate on record"
    said_no = lead.consent_text.strip().casefold() in _NO
    if lead.consent_text and said_no:
        return None  # the lead file says they did not agree: no inquiry basis either
    if lead.consent_at is not None or lead.consent_text:
        return "consent recorded in the lead file"
    if recorded_only:
        return None
    arrived, received = lead.lead_date, lead.imported_at
    if arrived is None or received is None:
        return None
    if received - timedelta(days=aged_after_days) <= arrived <= received + timedelta(days=1):
        return "fresh inquiry: the lead asked through a form"
    return None
