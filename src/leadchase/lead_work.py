"""Working a lead by hand: find it, log a touch, change its stage, snooze it, read its timeline."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser
from sqlalchemy import Connection, Row

from leadchase.cadence.model import Channel, parse_stage
from leadchase.cadence.schedule import plan
from leadchase.cadence.service import FollowUp, record_touch, start_cadence
from leadchase.context import Context
from leadchase.errors import LeadchaseError, LeadNotFound
from leadchase.importing.emails import normalise_email
from leadchase.importing.phones import normalise_phone
from leadchase.lead_search import lead_number
from leadchase.store import leads as lead_store
from leadchase.store import sending as send_store
from leadchase.store import touches as touch_store
from leadchase.times import when

OUTCOMES: dict[str, tuple[str, ...]] = {
    "call": ("no-answer", "left-voicemail", "talked", "busy", "wrong-number", "bad-number"),
    "text": ("sent", "replied", "wrong-number"),
    "email": ("sent", "replied", "bounced"),
}
DEFAULT_OUTCOME = {"call": "no-answer", "text": "sent", "email": "sent"}


def find_lead(connection: Connection, reference: str) -> Row[Any]:
    """A lead by id ("7" or "#7"), by phone in any format, or by email."""
    text = reference.strip()
    lead_id = lead_number(text)
    if lead_id is not None:
        lead = lead_store.get(connection, lead_id)
        if lead is None:
            raise LeadNotFound(f"no lead #{lead_id}; find it with `leadchase leads --search NAME`")
        return lead
    phone = normalise_phone(text)
    email = normalise_email(text) if "@" in text else None
    if phone is None and email is None:
        raise LeadNotFound(
            f"{reference!r} is not a lead id, phone number or email; "
            "find the lead with `leadchase leads --search NAME`"
        )
    matches = lead_store.by_key(connection, phone.e164 if phone else None, email)
    if not matches:
        raise LeadNotFound(f"no lead with {reference!r}; check `leadchase leads --search ...`")
    if len(matches) > 1:
        ids = ", ".join(str(m.id) for m in matches)
        raise LeadchaseError(f"{reference!r} matches several leads ({ids}); use the lead id")
    return matches[0]


def log_touch(
    context: Context,
    reference: str,
    channel: Channel,
    outcome: str | None,
    note: str,
    now: datetime,
) -> tuple[Row[Any], str]:
    chosen = outcome or DEFAULT_OUTCOME[channel]
    if chosen not in OUTCOMES[channel]:
        raise LeadchaseError(
            f"outcome {chosen!r} does not fit a {channel}; use one of {', '.join(OUTCOMES[channel])}"
        )
    followup = FollowUp.load(context.settings)
    with context.database.writing() as connection:
        lead = find_lead(connection, reference)
        suggested = (
            _suggested_message(context, connection, lead, channel) if chosen == "sent" else None
        )
        touch_id = record_touch(
            connection,
            followup,
            dict(lead._mapping),
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
        if chosen == "replied" and lead.stage == "new":
            change_stage(connection, followup, dict(lead._mapping), "engaged", now)
    return lead, chosen


def _suggested_message(
    context: Context, connection: Connection, lead: Row[Any], channel: str
) -> Any:
    """The rendered text the agenda showed for the lead's open text or email task, if any."""
    from leadchase.messaging import (
        TemplateError,
        TemplateLibrary,
        render,
        touch_context,
        variant_key,
    )

    if channel not in ("text", "email"):
        return None
    task = next(
        (t for t in touch_store.open_touches(connection, lead.id) if t.channel == channel), None
    )
    if task is None or not task.template:
        return None
    attempt = send_store.channel_attempts(connection, lead.id, channel) + 1
    previous = send_store.previous_texts(connection, lead.id) if channel == "text" else []
    ctx = touch_context(
        lead._mapping, context.settings.officer, channel=channel, day=task.day, attempt=attempt
    )
    try:
        return render(
            TemplateLibrary(context.settings.workspace.templates_dir),
            task.template,
            ctx,
            lead_id=lead.id,
            step_key=variant_key(task.cadence, task.step_key),
            previous_bodies=previous,
        )
    except TemplateError:
        return None


def set_stage(
    context: Context, reference: str, stage: str, now: datetime
) -> tuple[Row[Any], str | None]:
    stage = parse_stage(stage)
    followup = FollowUp.load(context.settings)
    with context.database.writing() as connection:
        lead = find_lead(connection, reference)
        cadence = change_stage(connection, followup, dict(lead._mapping), stage, now)
    return lead, cadence


def change_stage(
    connection: Connection, followup: FollowUp, lead: Mapping[str, Any], stage: str, now: datetime
) -> str | None:
    """Move a lead to a stage and start the cadence the stage map names (or none)."""
    cadence = followup.cadences.stage_map.cadence_for(stage)
    if cadence is not None:
        followup.require(cadence)
    lead_store.update_lead(connection, lead["id"], {"stage": stage})
    lead_store.add_event(connection, lead["id"], now, "stage", f"{lead['stage']} -> {stage}")
    start_cadence(connection, followup, {**lead, "stage": stage}, cadence, now)
    return cadence


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
) -> tuple[Row[Any], datetime]:
    with context.database.writing() as connection:
        lead = find_lead(connection, reference)
        zone = lead.timezone or context.settings.contact.default_timezone
        until = parse_until(until_text, now, zone)
        lead_store.update_lead(connection, lead.id, {"snoozed_until": until})
        touch_store.postpone_open(connection, lead.id, until)
        lead_store.add_event(connection, lead.id, now, "snooze", f"until {when(until, zone, now)}")
    return lead, until


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # touch | planned | message | event
    channel: str | None
    text: str


@dataclass(frozen=True)
class Timeline:
    lead: dict[str, Any]
    entries: list[TimelineEntry]


def timeline(context: Context, reference: str, now: datetime, upcoming: int = 12) -> Timeline:
    followup = FollowUp.load(context.settings)
    with context.database.reading() as connection:
        lead = find_lead(connection, reference)
        entries: list[TimelineEntry] = []
        for event in lead_store.events(connection, lead.id):
            entries.append(TimelineEntry(event.at, "event", None, f"{event.kind}: {event.detail}"))
        made_keys: set[str] = set()
        for touch in touch_store.lead_touches(connection, lead.id):
            made_keys.add(touch.step_key)
            if touch.status in ("planned", "held"):
                what = "auto" if touch.automated else "task"
                detail = touch.template or touch.say or ""
                entries.append(
                    TimelineEntry(
                        touch.due_at,
                        "due",
                        touch.channel,
                        f"day {touch.day} {what} {detail}".strip(),
                    )
                )
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
    mapping = dict(lead._mapping)
    cadence = followup.cadence(lead.cadence)
    if cadence is not None and lead.cadence_started_at is not None:
        clock = followup.clock(mapping, lead.cadence_started_at)
        future = [
            s
            for s in plan(cadence, clock, followup.policy)
            if s.step_key not in made_keys and s.due_at >= now
        ]
        for scheduled in future[:upcoming]:
            step = scheduled.touch
            what = "auto" if step.automated else "task"
            detail = step.template or step.say or ""
            entries.append(
                TimelineEntry(
                    scheduled.due_at,
                    "planned",
                    step.channel,
                    f"day {step.day} {what} {detail}".strip(),
                )
            )
    entries.sort(key=lambda e: e.at)
    return Timeline(mapping, entries)
