"""After a cadence file is edited: re-plan the open touches of the leads on it.

Each cadence's fingerprint (its steps and spacing, cadence/model.py) is kept in the
database; one that differs from the file means the file changed since the touches were planned.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection

from leadchase.cadence.model import CAMPAIGNS
from leadchase.cadence.service import FollowUp, plan_next
from leadchase.contact.channels import CHANNELS
from leadchase.store import leads as lead_store
from leadchase.store import touches as touch_store


def replan_if_cadences_changed(connection: Connection, followup: FollowUp, now: datetime) -> int:
    """After a cadence file is edited, re-plan the open touches of the leads on that cadence.

    Touches already made stay as they were; each open touch is re-derived from the edited file
    at the same point of the cadence, so an overdue task stays overdue rather than vanishing.
    Returns how many leads were re-planned.
    """
    stored = touch_store.get_states(connection, "cadence:")
    changed = []
    for name, fingerprint in followup.cadences.fingerprints.items():
        if stored.get(f"cadence:{name}") != fingerprint:
            # A campaign's planned touches keep their words; the lead's own cadence re-plans.
            if f"cadence:{name}" in stored and name not in CAMPAIGNS:
                changed.append(name)
            touch_store.set_state(connection, f"cadence:{name}", fingerprint)
    replanned = 0
    for lead_id in touch_store.leads_with_open_touches(connection, changed):
        lead = lead_store.get(connection, lead_id)
        if lead is None:
            continue
        previous = touch_store.open_touches(connection, lead_id)
        touch_store.cancel_open(connection, lead_id, now, "cadence edited")
        for channel in CHANNELS:
            dues = [row.due_at for row in previous if row.channel == channel]
            after = min(dues) - timedelta(seconds=1) if dues else now
            plan_next(connection, followup, lead, channel, after)
        replanned += 1
    return replanned
