"""Putting cadences to work on leads: start, complete a touch, switch on a stage change.

moves.py moves leads on by themselves (keep in touch, quiet leads); replan.py follows an edited
cadence file.

The database holds at most one open touch per lead and channel: the next one. When it is done
(or sent), the next one is planned. That keeps the agenda one indexed query, keeps missed touches
from piling up, and lets an edited cadence file reach every lead for touches not yet made.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import Connection

# FollowUp lives in cadence/followup.py (no database there); it is imported from here too.
from leadchase.cadence.followup import FollowUp as FollowUp
from leadchase.cadence.model import CAMPAIGNS, Cadence, PlannedTouch
from leadchase.cadence.schedule import (
    NextTouch,
    ScheduledTouch,
    SkippedTouch,
    first_touches,
    next_touch,
)
from leadchase.compliance.optouts import closed_to_lead
from leadchase.contact.channels import Channel
from leadchase.store import leads as lead_store
from leadchase.store import suppressions
from leadchase.store import touches as touch_store
from leadchase.store.records import Lead, Touch

CONTACT_OUTCOMES = frozenset({"talked", "appointment", "replied"})


def usable_channels(
    phone: str | None, email: str | None, text_ok: bool, closed: frozenset[str] = frozenset()
) -> frozenset[str]:
    """The channels a lead can be reached on: no phone, no calls or texts; no email, no emails;
    nothing on a channel an opt-out or the DNC list has closed."""
    channels = set()
    if phone:
        channels.add("call")
        if text_ok:
            channels.add("text")
    if email:
        channels.add("email")
    return frozenset(channels - closed)


def usable_now(
    connection: Connection, lead: Lead, scopes: Mapping[str, frozenset[str]] | None = None
) -> frozenset[str]:
    """The lead's usable channels, its opt-outs and DNC entries read from the database (or
    from `scopes`, suppressions.live_scopes already read for its phone and email)."""
    values = [v for v in (lead.phone, lead.email) if v]
    reach = {"phone": lead.phone, "email": lead.email}
    if scopes is None:
        scopes = suppressions.live_scopes(connection, values)
    closed = closed_to_lead(reach, scopes)
    return usable_channels(lead.phone, lead.email, lead.text_ok, closed)


def _step_columns(lead_id: int, cadence: str, touch: PlannedTouch) -> dict[str, Any]:
    """The columns a touch row takes from its cadence step, planned or skipped."""
    return {
        "lead_id": lead_id,
        "cadence": cadence,
        "step_key": touch.step_key,
        "channel": touch.channel,
        "automated": touch.automated,
        "template": touch.template,
        "say": touch.say,
        "day": touch.day,
    }


def _touch_row(lead: Lead, cadence: Cadence, scheduled: ScheduledTouch) -> dict[str, Any]:
    touch = scheduled.touch
    snoozed = lead.snoozed_until
    due = max(scheduled.due_at, snoozed) if snoozed else scheduled.due_at
    return {
        **_step_columns(lead.id, cadence.name, touch),
        "due_at": due,
        "status": "planned",
        "rank": 0 if lead.first_touch_at is None else 1,
        "expires_at": scheduled.expires_at,
        "owed": scheduled.owed,
    }


def skipped_row(lead_id: int, cadence: str, skip: SkippedTouch, at: datetime) -> dict[str, Any]:
    """A touch the cadence asked for that could not be made: on the record, with why."""
    touch = skip.touch
    return {
        **_step_columns(lead_id, cadence, touch),
        "due_at": skip.due_at,
        "status": "skipped",
        "done_at": at,
        "outcome": skip.reason,
        "rank": 1,
    }


def _insert_next(
    connection: Connection,
    lead: Lead,
    cadence: Cadence,
    found: Iterable[NextTouch],
    at: datetime,
) -> list[ScheduledTouch]:
    """Write what next_touch found: the skipped touches, then the planned ones."""
    rows, planned = next_rows(lead, cadence, found, at)
    insert_rows(connection, rows)
    return planned


def next_rows(
    lead: Lead, cadence: Cadence, found: Iterable[NextTouch], at: datetime
) -> tuple[list[dict[str, Any]], list[ScheduledTouch]]:
    """The rows for what next_touch found, the skipped touches before the planned ones."""
    planned: list[ScheduledTouch] = []
    skipped: list[dict[str, Any]] = []
    for upcoming in found:
        skipped += [skipped_row(lead.id, cadence.name, skip, at) for skip in upcoming.skipped]
        if upcoming.scheduled is not None:
            planned.append(upcoming.scheduled)
    return skipped + [_touch_row(lead, cadence, s) for s in planned], planned


def insert_rows(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert touch rows in their order, a statement for each run of rows with the same keys
    (a skipped touch's differ from a planned one's)."""
    for _keys, same in groupby(rows, key=tuple):
        touch_store.insert_touches(connection, list(same))


def start_cadence(
    connection: Connection,
    followup: FollowUp,
    lead: Lead,
    name: str | None,
    now: datetime,
) -> list[ScheduledTouch]:
    """Cancel whatever is open and start `name` (or nothing) now."""
    touch_store.cancel_open(connection, lead.id, now, "cadence changed")
    lead_store.update_lead(connection, lead.id, {"cadence": name, "cadence_started_at": now})
    if name is None:
        return []
    cadence = followup.require(name)
    usable = usable_now(connection, lead)
    found = [
        upcoming
        for upcoming in first_touches(cadence, followup.clock(lead, now), followup.policy)
        if (upcoming.scheduled or upcoming.skipped[0]).touch.channel in usable
    ]
    return _insert_next(connection, lead, cadence, found, now)


@dataclass(frozen=True)
class StageMove:
    """Why and by whom a lead changes stage, and when it happened (`at`, default now)."""

    reason: str = ""
    note: str = ""
    by: str = ""  # "you", or what moved it: "reply", "keep in touch", "quiet"
    at: datetime | None = None


def change_stage(
    connection: Connection,
    followup: FollowUp,
    lead: Lead,
    stage: str,
    now: datetime,
    why: str = "",
    move: StageMove | None = None,
) -> str | None:
    """Move a lead to a stage, keep the move in its stage history and start the cadence the
    stage map names (or none), its days counted from when the move happened."""
    move = move or StageMove(note=why)
    at = move.at or now
    cadence = followup.cadences.stage_map.cadence_for(stage)
    if cadence is not None:
        followup.require(cadence)
    lead_store.update_lead(connection, lead.id, {"stage": stage})
    lead_store.add_stage_change(
        connection,
        {
            "lead_id": lead.id,
            "at": at,
            "recorded_at": now,
            "from_stage": lead.stage,
            "to_stage": stage,
            "reason": move.reason,
            "note": move.note,
            "moved_by": move.by,
        },
    )
    said = "; ".join(part for part in (move.reason, move.note) if part)
    detail = f"{lead.stage} -> {stage}" + (f" ({said})" if said else "")
    lead_store.add_event(connection, lead.id, at, "stage", detail)
    start_cadence(connection, followup, replace(lead, stage=stage), cadence, at)
    return cadence


def plan_next(
    connection: Connection,
    followup: FollowUp,
    lead: Lead,
    channel: Channel,
    after: datetime,
    scopes: Mapping[str, frozenset[str]] | None = None,
) -> ScheduledTouch | None:
    """Plan the channel's next touch of the lead's cadence, no earlier than `after` and spaced
    from the channel's last attempt; nothing if the cadence ended. Touches that can no longer be
    made on their day are recorded as skipped, with the reason. `scopes`: as for usable_now."""
    cadence = followup.cadence(lead.cadence)
    if cadence is None or lead.cadence_started_at is None:
        return None
    if channel not in usable_now(connection, lead, scopes):
        return None
    marks = touch_store.touch_marks_of(connection, [lead.id])[lead.id]
    upcoming = next_for(followup, cadence, lead, channel, after, marks)
    if upcoming is None:
        return None
    _insert_next(connection, lead, cadence, [upcoming], after)
    return upcoming.scheduled


def next_for(
    followup: FollowUp,
    cadence: Cadence,
    lead: Lead,
    channel: Channel,
    after: datetime,
    marks: Sequence[touch_store.TouchMark],
) -> NextTouch | None:
    """What plan_next plans for a lead whose cadence has started, from its touches (`marks`):
    None when the channel's next touch is planned already (the touch just made was a
    campaign's)."""
    if touch_store.planned_already(marks, channel, cadence.name):
        return None
    last, done = touch_store.made_of(marks, channel, cadence.name)
    started = lead.cadence_started_at
    assert started is not None
    return next_touch(
        cadence,
        followup.clock(lead, started),
        followup.policy,
        channel,
        after=after,
        done=done,
        last=last,
    )


def touch_summary(lead: Lead, channel: Channel, at: datetime, outcome: str) -> dict[str, Any]:
    """What a touch made changes on its lead."""
    summary: dict[str, Any] = {
        "last_touch_at": at,
        "last_touch_channel": channel,
        "last_outcome": outcome,
        "attempts": lead.attempts + 1,
    }
    if lead.first_touch_at is None:
        summary["first_touch_at"] = at
    if outcome in CONTACT_OUTCOMES and lead.contacted_at is None:
        summary["contacted_at"] = at
    return summary


def record_touch(
    connection: Connection,
    followup: FollowUp,
    lead: Lead,
    channel: Channel,
    at: datetime,
    *,
    outcome: str,
    note: str = "",
    status: str = "done",
    touch_id: int | None = None,
    extra: Mapping[str, Any] | None = None,
    scopes: Mapping[str, frozenset[str]] | None = None,
) -> int:
    """A call, text or email was made: complete the open touch of that channel, plan the next.

    Returns the touch id. The send run names its claimed touch; otherwise the channel's open
    touch is completed, and with none (an extra call) the touch is recorded on its own. A caller
    recording many may pass `scopes` (see usable_now) read once for all.
    """
    values = {
        "status": status,
        "done_at": at,
        "outcome": outcome,
        "note": note or None,
        **(extra or {}),
    }
    # The send run names its touch: no need to read the open ones (one query less a text).
    open_touches = (
        []
        if touch_id is not None
        else [t for t in touch_store.open_touches(connection, lead.id) if t.channel == channel]
    )
    if touch_id is not None:
        touch_store.finish_touch(connection, touch_id, values)
    elif open_touches:
        touch_id = open_touches[0].id
        touch_store.finish_touch(connection, touch_id, values)
        campaign = open_touches[0].cadence
        if campaign in CAMPAIGNS and outcome in CONTACT_OUTCOMES:
            # The call reached them: the campaign's text would only repeat it.
            touch_store.cancel_open(
                connection, lead.id, at, "reached on the call", cadence=campaign
            )
        for other in open_touches[1:]:
            touch_store.finish_touch(
                connection,
                other.id,
                {"status": "cancelled", "done_at": at, "outcome": "replaced"},
            )
    else:
        touch_id = touch_store.add_touch(
            connection,
            {"lead_id": lead.id, "channel": channel, "due_at": at, "automated": False, **values},
        )
    summary = touch_summary(lead, channel, at, outcome)
    lead_store.update_lead(connection, lead.id, summary)
    touch_store.mark_lead_touched(connection, lead.id)
    if plan_next(connection, followup, replace(lead, **summary), channel, at, scopes) is None:
        _keep_in_touch(connection, followup, lead.id, at)  # a touch just planned keeps it
    return touch_id


def skip_touch(
    connection: Connection,
    followup: FollowUp,
    lead: Lead,
    touch: Touch,
    moment: datetime,
    reason: str,
) -> None:
    """An open touch that will not be made: recorded as skipped with the reason; the channel's
    next touch is planned."""
    touch_store.finish_touch(
        connection, touch.id, {"status": "skipped", "done_at": moment, "outcome": reason}
    )
    if plan_next(connection, followup, lead, touch.channel, moment) is None:
        _keep_in_touch(connection, followup, lead.id, moment)


def _keep_in_touch(connection: Connection, followup: FollowUp, lead_id: int, now: datetime) -> None:
    from leadchase.cadence.moves import keep_in_touch  # moves.py builds on this module

    keep_in_touch(connection, followup, lead_id, now)
