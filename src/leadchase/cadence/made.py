"""Recording a batch of made touches at once: the send run's sent texts.

record_made does what cadence/service.py's record_touch does for each touch named, with a
statement or two for the whole batch where record_touch makes several for each touch: at a
thousand texts a run, those statements were most of what a send run adds to Twilio's calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from leadchase.cadence.moves import keep_in_touch
from leadchase.cadence.service import (
    FollowUp,
    insert_rows,
    next_for,
    next_rows,
    touch_summary,
    usable_now,
)
from leadchase.contact.channels import Channel
from leadchase.store import leads as lead_store
from leadchase.store import touches as touch_store
from leadchase.store.records import Lead


@dataclass(frozen=True)
class MadeTouch:
    """A claimed touch that was made (sent): what record_made records of it."""

    lead: Lead
    touch_id: int
    channel: Channel
    at: datetime
    extra: Mapping[str, Any]


def record_made(
    connection: Connection,
    followup: FollowUp,
    made: Sequence[MadeTouch],
    *,
    outcome: str,
    status: str,
    scopes: Mapping[str, frozenset[str]],
) -> None:
    """record_touch(..., touch_id=...) for each of `made`, touches of different leads (a send
    run's batch): the same rows, planned in the same order, with a statement or two for them
    all where record_touch makes several for each."""
    if not made:
        return
    done = {"status": status, "outcome": outcome, "note": None}
    touch_store.finish_touches(
        connection, [(m.touch_id, {**done, "done_at": m.at, **m.extra}) for m in made]
    )
    summaries = [touch_summary(m.lead, m.channel, m.at, outcome) for m in made]
    lead_store.update_leads(
        connection, [(m.lead.id, summary) for m, summary in zip(made, summaries, strict=True)]
    )
    lead_ids = [m.lead.id for m in made]
    touch_store.mark_leads_touched(connection, lead_ids)
    marks = touch_store.touch_marks_of(connection, lead_ids)
    rows: list[dict[str, Any]] = []
    for m, summary in zip(made, summaries, strict=True):
        lead = replace(m.lead, **summary)
        cadence = followup.cadence(lead.cadence)
        upcoming = None
        if (
            cadence is not None
            and lead.cadence_started_at is not None
            and m.channel in usable_now(connection, lead, scopes)
        ):
            upcoming = next_for(followup, cadence, lead, m.channel, m.at, marks[lead.id])
        if cadence is not None and upcoming is not None:
            rows += next_rows(lead, cadence, [upcoming], m.at)[0]
        if upcoming is None or upcoming.scheduled is None:
            # As record_touch does, in the same order: what is planned so far goes in first.
            insert_rows(connection, rows)
            rows = []
            keep_in_touch(connection, followup, lead.id, m.at)
    insert_rows(connection, rows)
