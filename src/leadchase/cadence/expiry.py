"""When an automated touch is no longer worth sending: a step is never sent late.

Planning already keeps each touch inside its day (schedule.py). A planned touch can still wait:
the send run was not running, the window or a state's attempt cap held it. When its moment
comes too late it is skipped, with the reason, rather than sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from leadchase.messaging.library import first_touch_template
from leadchase.store.records import Lead, Touch
from leadchase.times import when

FIRST_CONTACT_WITHIN = timedelta(days=1)


def too_late(
    template: str | None,
    expires_at: datetime | None,
    begun: datetime | None,
    moment: datetime,
    zone: str,
) -> str | None:
    """Why an automated touch may no longer go at `moment`, or None: first-contact wording ("I
    got your home loan request") more than a day after the lead reached you (`begun`), or any
    step past its expires_at."""
    first = template is not None and first_touch_template(template)
    if first and begun is not None and moment > begun + FIRST_CONTACT_WITHIN:
        return (
            f"first-contact wording ({template}) is never sent more than a day after the lead "
            "arrived"
        )
    if expires_at is not None and moment > expires_at:
        return f"expired at {when(expires_at, zone, moment)}: a step is never sent late"
    return None


def expiry_reason(touch: Touch, lead: Lead, moment: datetime) -> str | None:
    """too_late() for a stored automated touch of a stored lead (the send run asks)."""
    begun = [t for t in (lead.cadence_started_at, lead.imported_at) if t is not None]
    zone = lead.timezone or "UTC"
    return too_late(touch.template, touch.expires_at, max(begun, default=None), moment, zone)
