"""Campaigns: a cadence started by an event (rates dropped), planned beside the lead's own.

A lead keeps its stage's cadence and that cadence's open touches; a campaign adds one touch per
channel (a call task, then a text) that goes through the same agenda, policy and send run. The
lead's cadence never plans a campaign's next touch, so a campaign plans all of its touches at
once: one per channel.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from leadchase.cadence.schedule import first_touches
from leadchase.cadence.service import FollowUp, _touch_row, usable_now
from leadchase.contact.channels import Channel
from leadchase.errors import CadenceError
from leadchase.store import touches as touch_store
from leadchase.store.records import Lead


def start_campaign(
    connection: Connection,
    followup: FollowUp,
    lead: Lead,
    name: str,
    now: datetime,
    *,
    facts: str = "",
) -> dict[Channel, int]:
    """Plan campaign `name` beside the lead's cadence: its touch on each channel the lead can
    be reached on (the opt-out rule table decides), from `now`, in the lead's hours. `facts`
    (what started it) go before each task's talking point. Returns the touch id per channel."""
    cadence = followup.require(name)
    channels = [touch.channel for touch in cadence.touches()]
    if len(channels) != len(set(channels)):
        raise CadenceError(
            f"{cadence.source_file.name}: a campaign plans one touch per channel (it runs "
            "beside the lead's cadence, which plans the next ones); keep one call and one text"
        )
    usable = usable_now(connection, lead)
    planned: dict[Channel, int] = {}
    for upcoming in first_touches(cadence, followup.clock(lead, now), followup.policy):
        scheduled = upcoming.scheduled
        if scheduled is None or scheduled.touch.channel not in usable:
            continue
        row = _touch_row(lead, cadence, scheduled)
        if facts and not scheduled.touch.automated:
            row["say"] = f"{facts}. {row['say']}" if row["say"] else facts
        planned[scheduled.touch.channel] = touch_store.add_touch(connection, row)
    return planned
