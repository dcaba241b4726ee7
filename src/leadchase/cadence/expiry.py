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


def expiry_reason(touch: Touch, lead: Lead, moment: datetime) -> str | None:
    """Why an automated touch may no longer be sent at `moment` (it is skipped), or None.

    A step past its expires_at is never sent late; first-contact wording ("I got your home
    loan request") never goes out more than a day after the lead reached you."""
    begun = [t for t in (lead.cadence_started_at, lead.imported_at) if t is not None]
    first = touch.template is not None and first_touch_template(touch.template)
    if first and begun and moment > max(begun) + FIRST_CONTACT_WITHIN:
        return (
            f"first-contact wording ({touch.template}) is never sent more than a day after "
            "the lead arrived"
        )
    if touch.expires_at is not None and moment > touch.expires_at:
        zone = lead.timezone or "UTC"
        return f"expired at {when(touch.expires_at, zone, moment)}: a step is never sent late"
    return None
