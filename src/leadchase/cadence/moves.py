"""Moving leads between stages on their own: nobody falls off, quiet conversations rest.

A lead still in play whose cadence has nothing left moves on to nurture; a lead in a stage with
`quiet_after_days` (engaged, as shipped) that has not replied for that long moves to nurture
too. Closed and dead leads stay where they are: a past client keeps the closed campaign.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from leadchase.cadence.followup import KEEP_IN_TOUCH_STAGE, quiet_leads
from leadchase.cadence.service import FollowUp, StageMove, change_stage, usable_now
from leadchase.store import leads as lead_store
from leadchase.store import touches as touch_store

# Leads in these stages are done with: nothing more is planned for them than their own
# stage's campaign, on purpose.
FINISHED_STAGES = frozenset({"closed", "dead"})


def in_play(followup: FollowUp, stage: str) -> bool:
    """Whether a lead in this stage should always have a next touch: not closed or dead, and
    the stage map gives the stage a cadence (`application: none` hands the lead to the loan
    process on purpose)."""
    return (
        stage not in FINISHED_STAGES and followup.cadences.stage_map.cadence_for(stage) is not None
    )


def keep_in_touch(
    connection: Connection, followup: FollowUp, lead_id: int, now: datetime
) -> str | None:
    """Nobody falls off: a lead still in play whose cadence has nothing left moves on to nurture
    (a nurture lead starts nurture again). Returns the cadence started, None when nothing changed.

    A lead that cannot be reached on any channel (opted out, or a bad number and no email) is
    left as it is: there is nothing to plan for it."""
    if touch_store.has_touch_to_come(connection, lead_id):
        return None
    lead = lead_store.get(connection, lead_id)
    if lead is None or not in_play(followup, lead.stage):
        return None
    if not in_play(followup, KEEP_IN_TOUCH_STAGE) or not usable_now(connection, lead):
        return None
    why = f"cadence {lead.cadence} ended" if lead.cadence else "nothing planned"
    move = StageMove(note=why, by="keep in touch")
    return change_stage(connection, followup, lead, KEEP_IN_TOUCH_STAGE, now, move=move)


def rest_quiet_leads(connection: Connection, followup: FollowUp, now: datetime) -> int:
    """Move each quiet lead (quiet_leads) to nurture, saying how long it has been quiet.
    Nobody is dropped: nurture keeps in touch for two years. Returns how many moved."""
    if not in_play(followup, KEEP_IN_TOUCH_STAGE):
        return 0
    moved = 0
    for lead_id in quiet_leads(
        followup, now, lambda stage, since: lead_store.quiet_since(connection, stage, since)
    ):
        lead = lead_store.get(connection, lead_id)
        if lead is None:
            continue
        days = followup.cadences.stage_map.get(lead.stage).quiet_after_days
        move = StageMove(note=f"no reply for {days} days", by="quiet")
        change_stage(connection, followup, lead, KEEP_IN_TOUCH_STAGE, now, move=move)
        moved += 1
    return moved
