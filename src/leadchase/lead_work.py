"""Working a lead by hand: log a touch, set its stage or details, snooze it, read its timeline."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser
from sqlalchemy import Connection

from leadchase.cadence.model import ANCHORS, day_label
from leadchase.cadence.schedule import plan
from leadchase.cadence.service import FollowUp, StageMove, change_stage, plan_next, record_touch
from leadchase.compliance.optouts import closed_by
from leadchase.compliance.policy import Verdict
from leadchase.contact.channels import CHANNELS, Channel
from leadchase.context import Context
from leadchase.errors import LeadchaseError, PolicyRefusal
from leadchase.gate import Gate
from leadchase.lead_reference import find_lead
from leadchase.messaging import Rendered, TemplateLibrary, render_touch
from leadchase.rates.alerts import rate_details
from leadchase.store import alerts as alert_store
from leadchase.store import leads as lead_store
from leadchase.store import officers, suppressions
from leadchase.store import sending as send_store
from leadchase.store import touches as touch_store
from leadchase.store.records import Lead
from leadchase.team import Team
from leadchase.times import when

OUTCOMES: dict[str, tuple[str, ...]] = {
    "call": (
        "no-answer", "left-voicemail", "busy", "talked", "appointment", "wrong-number",
        "bad-number",
    ),
    "text": ("sent", "replied", "wrong-number"),
    "email": ("sent", "replied", "bounced"),
}  # fmt: skip
OUTCOME_ALIASES = {"voicemail": "left-voicemail"}
DEFAULT_OUTCOME = {"call": "no-answer", "text": "sent", "email": "sent"}
# What an outcome does to a new lead besides counting as an attempt (docs/cadences.md): a
# conversation moves it on, and its cadence with it.
STAGE_AFTER = {"talked": "contacted", "appointment": "contacted", "replied": "engaged"}
CLOSED = "closed"  # the stage whose move sets an empty closing date
# The number is not the lead's, or reaches nobody: calls and texts to it stop, email goes on.
PHONE_GONE = frozenset({"wrong-number", "bad-number"})


def log_touch(
    context: Context,
    reference: str,
    channel: Channel,
    outcome: str | None,
    note: str,
    now: datetime,
    *,
    force: bool = False,
) -> tuple[Lead, str]:
    """Record a call, text or email the officer made at `now`.

    The contact policy decides what `log` accepts, as it decides what `today` offers: a call at
    05:00 the lead's time, a fourth attempt in 24 h to a Florida lead, a text to a number that
    opted out are refused with the reason. `force` records it anyway, marked as forced, for a
    touch that really happened (the officer's record must stay true)."""
    chosen = outcome or DEFAULT_OUTCOME[channel]
    chosen = OUTCOME_ALIASES.get(chosen, chosen)
    if chosen not in OUTCOMES[channel]:
        raise LeadchaseError(
            f"outcome {chosen!r} does not fit a {channel}; use one of {', '.join(OUTCOMES[channel])}"
        )
    followup = FollowUp.load(context.settings)
    with context.database.writing() as connection:
        lead = find_lead(connection, reference)
        gate = Gate(context.settings, followup, officers.all_officers(connection))
        verdict = gate.check(connection, lead, channel, automated=False, moment=now, made=True)
        if not verdict.allowed:
            if not force:
                raise PolicyRefusal(_refusal(lead, channel, verdict, now))
            forced = f"forced past the contact policy: {verdict.reason}"
            note = f"{note} ({forced})" if note else forced
            lead_store.add_event(connection, lead.id, now, "forced", f"{channel}: {verdict.reason}")
        suggested = (
            _suggested_message(context, connection, lead, channel, now)
            if chosen == "sent"
            else None
        )
        touch_id = record_touch(
            connection,
            followup,
            lead,
            channel,
            now,
            outcome=chosen,
            note=note,
            extra={"variant": suggested.variant} if suggested else None,
        )
        if suggested is not None:
            # What the agenda suggested, so reply rates by template and variant include texts
            # sent by hand (the officer may have changed the words: status says so).
            send_store.add_message(
                connection,
                {
                    "lead_id": lead.id,
                    "touch_id": touch_id,
                    "direction": "out",
                    "channel": channel,
                    "to_address": (lead.phone if channel == "text" else lead.email) or "",
                    "subject": suggested.subject,
                    "body": suggested.body,
                    "template": suggested.template,
                    "variant": suggested.variant,
                    "status": "sent by hand",
                    "created_at": now,
                    "sent_at": now,
                },
            )
        if note:
            lead_store.add_event(connection, lead.id, now, "note", note)
        # As it is now the touch is recorded: a lead read before would start its next cadence
        # as if never touched.
        lead = lead_store.get(connection, lead.id) or lead
        if chosen in PHONE_GONE:
            _close_phone(connection, lead, chosen, now, note)
        elif chosen in STAGE_AFTER and lead.stage == "new":
            move = StageMove(by="you")  # the outcome the officer logged moved it
            change_stage(connection, followup, lead, STAGE_AFTER[chosen], now, move=move)
    return lead, chosen


def _close_phone(
    connection: Connection, lead: Lead, outcome: str, now: datetime, note: str
) -> None:
    """A wrong or dead number, as the officer found it: recorded in the opt-out table like a
    texted "wrong number", so calls and texts to it stop for every lead that has it."""
    if not lead.phone:
        return
    evidence = f"logged by hand: {outcome}" + (f" ({note})" if note else "")
    suppressions.add(
        connection, lead.phone, channel="all", reason=outcome, now=now, evidence=evidence
    )
    closes = closed_by(["all"], "phone")
    touch_store.cancel_open(connection, lead.id, now, outcome, channels=closes)
    lead_store.add_event(
        connection, lead.id, now, outcome, f"{lead.phone}: calls and texts stopped; email goes on"
    )


def _refusal(lead: Lead, channel: str, verdict: Verdict, now: datetime) -> str:
    opens = ""
    if verdict.next_allowed_at is not None:
        zone = lead.timezone or "UTC"
        opens = f"; it may go from {when(verdict.next_allowed_at, zone, now)}"
    return (
        f"not logged: a {channel} to lead #{lead.id} is not allowed now: {verdict.reason}{opens}. "
        "If it really happened, log it with --force (recorded as forced)"
    )


def _suggested_message(
    context: Context, connection: Connection, lead: Lead, channel: str, now: datetime
) -> Rendered | None:
    """The rendered text the agenda showed for the lead's open text or email task, if any."""
    task = next(
        (t for t in touch_store.open_touches(connection, lead.id) if t.channel == channel), None
    )
    if task is None:
        return None
    attempt = send_store.channel_attempts(connection, lead.id, channel) + 1
    sent = send_store.sent_to(connection, lead.id)
    library = TemplateLibrary(context.settings.workspace.templates_dir)
    officer = Team.read(connection, context.settings.officer).officer_for(lead)
    rate = rate_details(connection, task)
    return render_touch(
        library, officer, task, lead, attempt=attempt, now=now, sent=sent, rate=rate
    )


@dataclass(frozen=True)
class StageSet:
    """A lead moved to a stage by hand: the lead as it now is, the cadence it started."""

    lead: Lead
    stage: str
    cadence: str | None
    reason: str = ""


def set_stage(
    context: Context,
    reference: str,
    stage_text: str,
    now: datetime,
    *,
    reason: str | None = None,
    note: str = "",
    on: str | None = None,
) -> StageSet:
    """Move a lead to the stage typed (checked against stages.yaml, with its reason when the
    stage asks for one), at `on` when it happened earlier (its cadence counts from then).

    A move to closed with no closing date on the lead records that day as its closing date,
    so the anniversary touches have their anchor."""
    followup = FollowUp.load(context.settings)
    stages = followup.cadences.stage_map
    stage = stages.parse(stage_text)
    why = stages.reason(stage, reason)
    with context.database.writing() as connection:
        lead = find_lead(connection, reference)
        zone = lead.timezone or context.settings.contact.default_timezone
        at = parse_on(on, now, zone, context.settings.contact.window_start) if on else now
        if stage == CLOSED and lead.closing_date is None:
            closing = at.astimezone(ZoneInfo(zone)).date()
            lead_store.update_lead(connection, lead.id, {"closing_date": closing})
            lead = replace(lead, closing_date=closing)
        move = StageMove(reason=why, note=note, by="you", at=at)
        cadence = change_stage(connection, followup, lead, stage, now, move=move)
        lead = lead_store.get(connection, lead.id) or lead
    return StageSet(lead, stage, cadence, why)


def parse_on(text: str, now: datetime, zone: str, opens: time) -> datetime:
    """When a stage change happened: a date (the opening of that day's hours in the lead's
    zone; today means now) or a date and time; never in the future."""
    from leadchase.lead_fields import FieldValueError, calendar_day

    local = ZoneInfo(zone)
    try:
        day = calendar_day(text)
    except FieldValueError:
        try:
            parsed = date_parser.parse(text)
        except (ValueError, OverflowError):
            raise LeadchaseError(
                f"--on {text!r} is not a date; use e.g. 2026-03-05 or '2026-03-05 14:00'"
            ) from None
        moment = parsed if parsed.tzinfo else parsed.replace(tzinfo=local)
    else:
        today = now.astimezone(local).date()
        moment = now if day == today else datetime.combine(day, opens, local)
    if moment > now:
        raise LeadchaseError(f"--on {text!r} is in the future; give the day it happened")
    return moment


def set_fields(
    context: Context, reference: str, pairs: list[str], now: datetime
) -> tuple[Lead, dict[str, tuple[Any, Any]]]:
    """Write what the officer learned ("note_rate=6.125", "birthday=3/5/1985"), each value read
    by the import's cleaner for its field; a line on the timeline says what changed.

    Returns the lead as it now is and field -> (before, after) for the fields that changed."""
    from leadchase.lead_fields import LABELS, parse_assignments, shown

    values = parse_assignments(pairs, now.date())
    with context.database.writing() as connection:
        lead = find_lead(connection, reference)
        changed = {
            name: (getattr(lead, name), value)
            for name, value in values.items()
            if getattr(lead, name) != value
        }
        if changed:
            lead_store.update_lead(connection, lead.id, {k: v for k, (_, v) in changed.items()})
            detail = "; ".join(
                f"{LABELS[name]} {shown(after)} (was {shown(before)})"
                for name, (before, after) in changed.items()
            )
            lead_store.add_event(connection, lead.id, now, "details", detail)
            lead = lead_store.get(connection, lead.id) or lead
            if changed.keys() & ANCHORS:
                _replan_open(connection, context, lead, now)
    return lead, changed


def _replan_open(connection: Connection, context: Context, lead: Lead, now: datetime) -> None:
    """A closing date or birthday changed: the lead's next touches are planned again, so its
    anniversary steps fall on the new date (touches already made stay made)."""
    followup = FollowUp.load(context.settings)
    touch_store.cancel_open(connection, lead.id, now, "closing date or birthday changed")
    for channel in CHANNELS:
        plan_next(connection, followup, lead, channel, now)


_RELATIVE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)


def parse_until(text: str, now: datetime, zone: str) -> datetime:
    """ "3d", "12h", "2w", a date (the morning of that day in the lead's zone) or a date and time."""
    match = _RELATIVE.match(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        return now + {"h": timedelta(hours=amount), "d": timedelta(days=amount)}.get(
            unit, timedelta(weeks=amount)
        )
    try:
        parsed = date_parser.parse(text, dayfirst=False)
    except (ValueError, OverflowError):
        raise LeadchaseError(
            f"cannot read {text!r} as a time; use e.g. 3d, 12h, 2w, 2026-03-10 or '2026-03-10 14:00'"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(zone))
    if parsed <= now:
        raise LeadchaseError(f"{text!r} is in the past; snooze until a later time")
    return parsed


def snooze(
    context: Context, reference: str, until_text: str, now: datetime
) -> tuple[Lead, datetime]:
    with context.database.writing() as connection:
        lead = find_lead(connection, reference)
        zone = lead.timezone or context.settings.contact.default_timezone
        asked = parse_until(until_text, now, zone)
        # The snooze ends when a call is next allowed: a date alone means that day's opening
        # of the lead's hours, never midnight.
        team = officers.all_officers(connection)
        gate = Gate(context.settings, FollowUp.load(context.settings), team)
        until = gate.first_allowed(connection, replace(lead, snoozed_until=None), "call", asked)
        lead_store.update_lead(connection, lead.id, {"snoozed_until": until})
        touch_store.postpone_open(connection, lead.id, until)
        lead_store.add_event(connection, lead.id, now, "snooze", f"until {when(until, zone, now)}")
    return lead, until


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # touch | planned | message | event | alert (to the officer)
    channel: str | None
    text: str


@dataclass(frozen=True)
class Timeline:
    lead: dict[str, Any]  # every column, the vendor's raw row included, as `show` prints them
    entries: list[TimelineEntry]


def timeline(context: Context, reference: str, now: datetime, upcoming: int = 12) -> Timeline:
    followup = FollowUp.load(context.settings)
    with context.database.reading() as connection:
        lead = find_lead(connection, reference)
        details = asdict(lead) | {"raw": lead_store.raw_columns(connection, lead.id)}
        entries: list[TimelineEntry] = []
        for event in lead_store.events(connection, lead.id):
            entries.append(TimelineEntry(event.at, "event", None, f"{event.kind}: {event.detail}"))
        made_keys: set[str] = set()
        for touch in touch_store.lead_touches(connection, lead.id):
            made_keys.add(touch.step_key)
            if touch.status in ("planned", "held"):
                entries.append(_ahead(touch.due_at, "due", touch))
                continue
            label = touch.outcome or touch.status
            entries.append(
                TimelineEntry(
                    touch.done_at or touch.due_at,
                    "touch",
                    touch.channel,
                    f"{touch.status}: {label}",
                )
            )
        for message in lead_store.messages(connection, lead.id):
            arrow = "<-" if message.direction == "in" else "->"
            entries.append(
                TimelineEntry(
                    message.created_at, "message", message.channel, f"{arrow} {message.body}"
                )
            )
        for alert in alert_store.for_lead(connection, lead.id):
            to = "you" if not alert.to_address else f"you ({alert.to_address})"
            entries.append(
                TimelineEntry(
                    alert.created_at,
                    "alert",
                    alert.channel,
                    f"-> {to}, {alert.status}: {alert.body}"
                    + (f" ({alert.error})" if alert.error else ""),
                )
            )
    cadence = followup.cadence(lead.cadence)
    if cadence is not None and lead.cadence_started_at is not None:
        clock = followup.clock(lead, lead.cadence_started_at)
        future = [
            s
            for s in plan(cadence, clock, followup.policy)
            if s.step_key not in made_keys and s.due_at >= now
        ]
        for scheduled in future[:upcoming]:
            entries.append(_ahead(scheduled.due_at, "planned", scheduled.touch))
    entries.sort(key=lambda e: e.at)
    return Timeline(details, entries)


class _Step(Protocol):
    @property
    def channel(self) -> str: ...
    @property
    def day(self) -> int: ...
    @property
    def step_key(self) -> str: ...
    @property
    def automated(self) -> bool: ...
    @property
    def template(self) -> str | None: ...
    @property
    def say(self) -> str | None: ...


def _ahead(at: datetime, kind: str, step: _Step) -> TimelineEntry:
    """A touch still to come: an open one ("due") or one the cadence will plan ("planned")."""
    what = "auto" if step.automated else "task"
    detail = step.template or step.say or ""
    label = day_label(step.day, step.step_key)
    return TimelineEntry(at, kind, step.channel, f"{label} {what} {detail}".strip())
