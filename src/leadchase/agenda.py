"""`leadchase today`: who to call, text and email right now, most urgent first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Row

from leadchase.cadence.service import FollowUp, cadences_changed, replan_if_cadences_changed
from leadchase.channels.config import configured_channels
from leadchase.config import Officer
from leadchase.context import Context
from leadchase.messaging import TemplateError, TemplateLibrary, render, touch_context, variant_key
from leadchase.store import sending as send_store
from leadchase.store import touches as touch_store
from leadchase.times import when

CHANNEL_ORDER = ("call", "text", "email")
SPEED_TO_LEAD_MINUTES = 5
FIRST_DAYS = 10


@dataclass(frozen=True)
class AgendaItem:
    lead_id: int
    name: str
    channel: str
    due: datetime
    phone: str | None
    email: str | None
    attempt: int
    attempts_planned: int
    source: str
    offer: str
    reason: str
    local_time: str | None
    timezone: str | None
    new_lead: bool
    minutes_waiting: int | None
    last_touch: str | None
    suggestion: str | None
    template: str | None
    dnc: bool
    automated: bool
    # What to send for a text or email task: the rendered template (and the email's subject).
    message: str | None = None
    subject: str | None = None
    phone_ext: str | None = None  # dialled after the number; texts go to the number alone

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["due"] = self.due.isoformat()
        return document


@dataclass(frozen=True)
class ReplyItem:
    lead_id: int
    name: str
    phone: str | None
    replied_at: datetime
    text: str  # what they wrote last
    local_time: str | None
    phone_email: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The same keys as an agenda item, so `today --json` stays one list: replies first."""
        return {
            "lead_id": self.lead_id,
            "name": self.name,
            "channel": "reply",
            "due": self.replied_at.isoformat(),
            "phone": self.phone,
            "email": self.phone_email,
            "attempt": None,
            "source": None,
            "reason": f"replied: {self.text}",
        }


@dataclass(frozen=True)
class Agenda:
    now: datetime
    items: list[AgendaItem]
    totals: dict[str, int]
    replies: list[ReplyItem] = field(default_factory=list)
    next_due: datetime | None = None
    problems: list[str] = field(default_factory=list)
    manual_automated: frozenset[str] = frozenset()


def build_agenda(
    context: Context, now: datetime, channels: Sequence[str] = CHANNEL_ORDER, limit: int = 25
) -> Agenda:
    followup = FollowUp.load(context.settings)
    problems = [str(problem) for problem in followup.cadences.problems]
    sending = configured_channels(context.settings)
    # Take the write lock only when a cadence file changed: `today` must work while an import
    # (one long transaction) is writing.
    with context.database.reading() as connection:
        changed = cadences_changed(connection, followup)
    if changed:
        with context.database.writing() as connection:
            replan_if_cadences_changed(connection, followup, now)
    items: list[AgendaItem] = []
    totals: dict[str, int] = {}
    manual_automated = frozenset(c for c in ("text", "email") if c not in sending)
    messages = _Messages(context.settings.workspace.templates_dir, context.settings.officer)
    with context.database.reading() as connection:
        replies = [
            ReplyItem(
                row.id,
                row.name or "(no name)",
                row.phone,
                row.replied_at,
                send_store.last_inbound_text(connection, row.id) or "",
                _local(now, row.timezone),
                row.email,
            )
            for row in touch_store.replies_waiting(connection, now, limit)
        ]
        for channel in channels:
            rows, total = touch_store.agenda_rows(
                connection,
                now,
                channel,
                automated_as_manual=channel in manual_automated,
                limit=limit,
            )
            totals[channel] = total
            made = touch_store.made_counts(connection, [row.lead_id for row in rows], channel)
            for row in rows:
                attempt = made.get(row.lead_id, 0) + 1
                previous = (
                    send_store.previous_texts(connection, row.lead_id) if channel == "text" else []
                )
                message, subject = messages.for_task(row, attempt, previous)
                items.append(_item(row, now, followup, attempt, message, subject))
        next_due = None if any(totals.values()) else touch_store.next_due(connection, now)
    problems += messages.problems.values()
    return Agenda(now, items, totals, replies, next_due, problems, manual_automated)


class _Messages:
    """Renders what to send for the text and email tasks shown (at most --limit per channel).

    The library is built on the first text or email, so an agenda of calls never loads jinja2.
    A template that fails is reported once and its tasks show the template name instead.
    """

    def __init__(self, folder: Path, officer: Officer) -> None:
        self.folder = folder
        self.officer = officer
        self.problems: dict[str, str] = {}
        self._library: TemplateLibrary | None = None

    def for_task(
        self, row: Row[Any], attempt: int, previous: Sequence[str] = ()
    ) -> tuple[str | None, str | None]:
        """(message, subject) for one task; (None, None) for calls and broken templates.

        `previous`: the lead's earlier texts, oldest first, so the wording never repeats."""
        name = row.template
        if row.channel not in ("text", "email") or not name or name in self.problems:
            return None, None
        if self._library is None:
            self._library = TemplateLibrary(self.folder)
        ctx = touch_context(
            row._mapping, self.officer, channel=row.channel, day=row.day, attempt=attempt
        )
        try:
            rendered = render(
                self._library,
                name,
                ctx,
                lead_id=row.lead_id,
                step_key=variant_key(row.cadence, row.step_key),
                previous_bodies=previous,
            )
        except TemplateError as error:
            self.problems[name] = f"{error} (the agenda shows the template name instead)"
            return None, None
        return rendered.body, rendered.subject


def _local(moment: datetime, zone: str | None) -> str | None:
    return when(moment, zone, moment) if zone else None


def _item(
    row: Row[Any],
    now: datetime,
    followup: FollowUp,
    attempt: int,
    message: str | None,
    subject: str | None,
) -> AgendaItem:
    cadence = followup.cadence(row.cadence)
    planned = (
        sum(1 for t in cadence.touches() if t.channel == row.channel and t.day <= FIRST_DAYS)
        if cadence
        else 0
    )
    new_lead = row.first_touch_at is None
    arrived = row.cadence_started_at or row.imported_at
    waiting = int((now - arrived).total_seconds() // 60) if new_lead and arrived else None
    late = int((now - row.due_at).total_seconds() // 60)
    if new_lead and waiting is not None:
        reason = f"new lead, waiting {_duration(waiting)}"
    elif late >= 60:
        reason = f"day {row.day} {row.channel}, {_duration(late)} late"
    else:
        reason = f"day {row.day} {row.channel}" if row.day else f"{row.channel} due"
    last = None
    if row.last_touch_at is not None:
        last = f"{row.last_touch_channel} {_duration(int((now - row.last_touch_at).total_seconds() // 60))} ago"
        if row.last_outcome:
            last += f" ({row.last_outcome})"
    return AgendaItem(
        lead_id=row.lead_id,
        name=row.name or "(no name)",
        channel=row.channel,
        due=row.due_at,
        phone=row.phone,
        email=row.email,
        attempt=attempt,
        attempts_planned=planned,
        source=row.source or "",
        offer=row.offer or "",
        reason=reason,
        local_time=_local(now, row.timezone),
        timezone=row.timezone,
        new_lead=new_lead,
        minutes_waiting=waiting,
        last_touch=last,
        suggestion=row.say or row.template,
        template=row.template,
        dnc=bool(row.dnc),
        automated=bool(row.automated),
        message=message,
        subject=subject,
        phone_ext=row.phone_ext,
    )


def _duration(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return (
            f"{minutes // 60} h {minutes % 60:02d} min" if minutes < 600 else f"{minutes // 60} h"
        )
    return f"{minutes // (24 * 60)} days"
