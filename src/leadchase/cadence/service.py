"""Putting cadences to work on leads: start, complete a touch, switch on a stage change, replan.

The database holds at most one open touch per lead and channel: the next one. When it is done
(or sent), the next one is planned. That keeps the agenda one indexed query, keeps missed touches
from piling up, and lets an edited cadence file reach every lead for touches not yet made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from sqlalchemy import Connection

from leadchase.cadence.load import load_cadences
from leadchase.cadence.model import CAMPAIGNS, Cadence, CadenceSet, PlannedTouch
from leadchase.cadence.schedule import (
    LeadClock,
    NextTouch,
    ScheduledTouch,
    SkippedTouch,
    first_touches,
    next_touch,
)
from leadchase.compliance.optouts import closed_to_lead
from leadchase.compliance.windows import ContactPolicy
from leadchase.config import Settings, check_cadence_names
from leadchase.contact.channels import CHANNELS, Channel
from leadchase.contact.places import candidate_states
from leadchase.errors import CadenceError
from leadchase.store import leads as lead_store
from leadchase.store import suppressions
from leadchase.store import touches as touch_store
from leadchase.store.records import Lead, Touch

CONTACT_OUTCOMES = frozenset({"talked", "appointment", "replied"})
# Leads in these stages are done with: nothing more is planned for them, on purpose.
FINISHED_STAGES = frozenset({"closed", "dead"})
KEEP_IN_TOUCH_STAGE = "nurture"


@dataclass(frozen=True)
class FollowUp:
    """The cadences and settings every follow-up decision needs."""

    settings: Settings
    cadences: CadenceSet

    @classmethod
    def load(cls, settings: Settings, *, check_settings: bool = True) -> FollowUp:
        """The workspace's cadences; with check_settings, a ConfigError when leadchase.toml
        names a cadence that is not there (doctor lists it among its checks instead)."""
        templates = settings.workspace.templates_dir
        names = _template_names(templates) if templates.is_dir() else None
        loaded = cls(settings, load_cadences(settings.workspace.cadences_dir, template_names=names))
        if check_settings:
            loaded.check_settings()
        return loaded

    def check_settings(self) -> None:
        """[cadence] in leadchase.toml names only cadences that are there (ConfigError)."""
        broken = {PurePath(problem.file).stem for problem in self.cadences.problems}
        check_cadence_names(self.settings, self.cadences.cadences, broken)

    @property
    def policy(self) -> ContactPolicy:
        contact = self.settings.contact
        return ContactPolicy(
            start=contact.window_start,
            end=contact.window_end,
            skip_weekends=contact.skip_weekends,
            skip_holidays=contact.skip_holidays,
        )

    def cadence(self, name: str | None) -> Cadence | None:
        if name is None:
            return None
        return self.cadences.cadences.get(name)

    def require(self, name: str) -> Cadence:
        cadence = self.cadence(name)
        if cadence is None:
            known = ", ".join(sorted(self.cadences.cadences)) or "none loaded"
            raise CadenceError(
                f"no cadence named '{name}' (known: {known}); check cadences/ with "
                "`leadchase cadence check`"
            )
        return cadence

    def clock(self, lead: Lead, start: datetime) -> LeadClock:
        """The lead's clock for a cadence that starts at `start`. A lead imported after it
        arrived begins its cadence when it reached you: its days count from the import."""
        begins = max(start, lead.imported_at) if lead.imported_at else start
        clock = self.place_clock(begins, lead.timezone, lead.time_zones, lead.state, lead.phone)
        return replace(clock, seed=lead.id)

    def place_clock(
        self,
        start: datetime,
        timezone: str | None,
        time_zones: str | None,
        state: str | None,
        phone: str | None,
    ) -> LeadClock:
        """A clock from where a lead is: for the import's new leads, not stored yet."""
        return LeadClock(
            start=start,
            zone=timezone or self.settings.contact.default_timezone,
            zones=tuple(z for z in (time_zones or "").split(";") if z),
            states=candidate_states(state, phone),
        )

    def cadence_for_new_lead(
        self, lead: Mapping[str, Any], now: datetime, override: str | None
    ) -> tuple[str, datetime]:
        """Which cadence a new lead starts on, and when: --cadence, the source map, else by age."""
        aged_after = timedelta(days=self.settings.cadence.aged_after_days)
        arrived = lead.get("lead_date")
        fresh = arrived is not None and now - aged_after <= arrived <= now
        start = arrived if fresh and arrived is not None else now
        if override:
            return override, start
        mapped = self.settings.cadence.for_source(lead.get("source") or "")
        if mapped is not None:
            return mapped, start
        if arrived is not None and not fresh and arrived < now - aged_after:
            return self.settings.cadence.aged_cadence, start
        return self.settings.cadence.default, start


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


def _usable(connection: Connection, lead: Lead) -> frozenset[str]:
    """The lead's usable channels, its opt-outs and DNC entries read from the database."""
    values = [v for v in (lead.phone, lead.email) if v]
    reach = {"phone": lead.phone, "email": lead.email}
    closed = closed_to_lead(reach, suppressions.live_scopes(connection, values))
    return usable_channels(lead.phone, lead.email, lead.text_ok, closed)


def _template_names(folder: Any) -> set[str]:
    names = set()
    for path in folder.rglob("*.j2"):
        relative = path.relative_to(folder).as_posix()
        names.add(relative.split(".", 1)[0])
    return names


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
    planned: list[ScheduledTouch] = []
    skipped: list[dict[str, Any]] = []
    for upcoming in found:
        skipped += [skipped_row(lead.id, cadence.name, skip, at) for skip in upcoming.skipped]
        if upcoming.scheduled is not None:
            planned.append(upcoming.scheduled)
    touch_store.insert_touches(connection, skipped)
    touch_store.insert_touches(connection, [_touch_row(lead, cadence, s) for s in planned])
    return planned


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
    usable = _usable(connection, lead)
    found = [
        upcoming
        for upcoming in first_touches(cadence, followup.clock(lead, now), followup.policy)
        if (upcoming.scheduled or upcoming.skipped[0]).touch.channel in usable
    ]
    return _insert_next(connection, lead, cadence, found, now)


def change_stage(
    connection: Connection,
    followup: FollowUp,
    lead: Lead,
    stage: str,
    now: datetime,
    why: str = "",
) -> str | None:
    """Move a lead to a stage and start the cadence the stage map names (or none)."""
    cadence = followup.cadences.stage_map.cadence_for(stage)
    if cadence is not None:
        followup.require(cadence)
    lead_store.update_lead(connection, lead.id, {"stage": stage})
    detail = f"{lead.stage} -> {stage}" + (f" ({why})" if why else "")
    lead_store.add_event(connection, lead.id, now, "stage", detail)
    start_cadence(connection, followup, replace(lead, stage=stage), cadence, now)
    return cadence


def plan_next(
    connection: Connection,
    followup: FollowUp,
    lead: Lead,
    channel: Channel,
    after: datetime,
) -> ScheduledTouch | None:
    """Plan the channel's next touch of the lead's cadence, no earlier than `after` and spaced
    from the channel's last attempt; nothing if the cadence ended. Touches that can no longer be
    made on their day are recorded as skipped, with the reason."""
    cadence = followup.cadence(lead.cadence)
    started = lead.cadence_started_at
    if cadence is None or started is None:
        return None
    if channel not in _usable(connection, lead):
        return None
    if any(
        touch.channel == channel and touch.cadence == cadence.name
        for touch in touch_store.open_touches(connection, lead.id)
    ):
        return None  # already planned: the touch just made was a campaign's
    last = touch_store.last_made_at(connection, lead.id, channel)
    done = touch_store.made_keys(connection, lead.id, cadence.name)
    upcoming = next_touch(
        cadence,
        followup.clock(lead, started),
        followup.policy,
        channel,
        after=after,
        done=done,
        last=last,
    )
    _insert_next(connection, lead, cadence, [upcoming], after)
    return upcoming.scheduled


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
) -> int:
    """A call, text or email was made: complete the open touch of that channel, plan the next.

    Returns the touch id. The send run names its claimed touch; otherwise the channel's open
    touch is completed, and with none (an extra call) the touch is recorded on its own.
    """
    open_touches = [
        t for t in touch_store.open_touches(connection, lead.id) if t.channel == channel
    ]
    values = {
        "status": status,
        "done_at": at,
        "outcome": outcome,
        "note": note or None,
        **(extra or {}),
    }
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
    lead_store.update_lead(connection, lead.id, summary)
    touch_store.mark_lead_touched(connection, lead.id)
    plan_next(connection, followup, replace(lead, **summary), channel, at)
    keep_in_touch(connection, followup, lead.id, at)
    return touch_id


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
    if not in_play(followup, KEEP_IN_TOUCH_STAGE) or not _usable(connection, lead):
        return None
    why = f"cadence {lead.cadence} ended" if lead.cadence else "nothing planned"
    return change_stage(connection, followup, lead, KEEP_IN_TOUCH_STAGE, now, why)


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
    plan_next(connection, followup, lead, touch.channel, moment)
    keep_in_touch(connection, followup, lead.id, moment)


def _fingerprint(cadence: Cadence) -> str:
    # Everything that places a touch: its steps and the spacing between them.
    return hashlib.sha256(repr((cadence.min_gap, cadence.touches())).encode()).hexdigest()


def cadences_changed(connection: Connection, followup: FollowUp) -> bool:
    """Whether any cadence differs from what the database last planned with (a read only)."""
    stored = touch_store.get_states(connection, "cadence:")
    return any(
        stored.get(f"cadence:{name}") != _fingerprint(cadence)
        for name, cadence in followup.cadences.cadences.items()
    )


def cadences_edited(connection: Connection, followup: FollowUp) -> bool:
    """Whether a cadence the database planned with has been edited since (a read only)."""
    stored = touch_store.get_states(connection, "cadence:")
    return any(
        f"cadence:{name}" in stored and stored[f"cadence:{name}"] != _fingerprint(cadence)
        for name, cadence in followup.cadences.cadences.items()
    )


def replan_if_cadences_changed(connection: Connection, followup: FollowUp, now: datetime) -> int:
    """After a cadence file is edited, re-plan the open touches of the leads on that cadence.

    Touches already made stay as they were; each open touch is re-derived from the edited file
    at the same point of the cadence, so an overdue task stays overdue rather than vanishing.
    Returns how many leads were re-planned.
    """
    stored = touch_store.get_states(connection, "cadence:")
    changed = []
    for name, cadence in followup.cadences.cadences.items():
        fingerprint = _fingerprint(cadence)
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
