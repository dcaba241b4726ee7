"""`leadchase today`: who to call, text and email right now, most urgent first (the order is
agenda_order.py's)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from leadchase.agenda_order import (
    FIRST_HOUR,
    asked_at,
    duration,
    first_call,
    is_aged,
    is_new,
    place,
)
from leadchase.cadence.followup import FollowUp, cadences_changed, cadences_edited, quiet_leads
from leadchase.cadence.model import day_label
from leadchase.channels.config import configured_channels
from leadchase.compliance.optouts import STOPS
from leadchase.compliance.policy import Verdict
from leadchase.contact.channels import CHANNELS, MESSAGE_CHANNELS
from leadchase.context import Context
from leadchase.gate import Gate
from leadchase.messaging import Rendered, TemplateError, TemplateLibrary, render_touch
from leadchase.messaging.segments import too_long
from leadchase.rates.market import rate_details_of
from leadchase.store.records import NOTHING_SENT, DueTouch, OfficerScope
from leadchase.team import Team
from leadchase.times import when

SPEED_TO_LEAD_MINUTES = 5
# How many due touches per channel the agenda weighs against the policy: the first `limit`
# allowed ones are shown. A due touch outside its lead's hours sorts among the others, so a
# page of them can hide allowed ones further down; this bounds the work at night.
_SCAN_FACTOR = 4
_SCAN_MINIMUM = 100
FIRST_DAYS = 10


@dataclass(frozen=True)
class AgendaItem:
    """One task on the agenda: a call, text or email due for a lead, and what to say."""

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
    automated: bool
    # What to send for a text or email task: the rendered template (and the email's subject).
    message: str | None = None
    subject: str | None = None
    phone_ext: str | None = None  # dialled after the number; texts go to the number alone
    # The contact policy's answer at the agenda's moment (compliance/policy.py).
    allowed_now: bool = True
    blocked_reason: str | None = None
    next_allowed_at: datetime | None = None
    warning: str | None = None  # allowed, but check first (the lead's time zone is unknown)
    # Its place in its channel's list of tasks due now (1 first; None while it waits) and the
    # rule that put it there (agenda_order.py).
    priority: int | None = None
    why: str | None = None
    # How many of this channel its cadence day asks for, this one included: 2 on the first of
    # day 1's two calls (a missed one is still owed while the day's window allows).
    owed_today: int | None = None

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["due"] = self.due.isoformat()
        if self.next_allowed_at is not None:
            document["next_allowed_at"] = self.next_allowed_at.isoformat()
        return document


@dataclass(frozen=True)
class ReplyItem:
    """A lead's reply waiting for an answer (or a possible opt-out to read)."""

    lead_id: int
    name: str
    phone: str | None
    replied_at: datetime
    text: str  # what they wrote last
    local_time: str | None
    phone_email: str | None = None
    kind: str = "reply"  # or "possible-opt-out": read it and decide before texting again

    @property
    def possible_opt_out(self) -> bool:
        return self.kind == "possible-opt-out"

    def to_json(self) -> dict[str, Any]:
        """The same keys as an agenda item, so `today --json` stays one list: replies first."""
        said = "possible opt-out, read and decide" if self.possible_opt_out else "replied"
        return {
            "lead_id": self.lead_id,
            "name": self.name,
            "channel": "reply",
            "kind": self.kind,
            "due": self.replied_at.isoformat(),
            "phone": self.phone,
            "email": self.phone_email,
            "attempt": None,
            "source": None,
            "reason": f"{said}: {self.text}",
            "allowed_now": True,
            "blocked_reason": None,
            "next_allowed_at": None,
            "priority": 0,
            "why": "a reply waits: answer it before any task"
            if not self.possible_opt_out
            else "a possible opt-out: read it before anything else goes out",
        }


@dataclass(frozen=True)
class Agenda:
    """What `today` shows at `now`: the replies, the tasks per channel, what waits."""

    now: datetime
    items: list[AgendaItem]
    totals: dict[str, int]
    replies: list[ReplyItem] = field(default_factory=list)
    next_due: datetime | None = None
    problems: list[str] = field(default_factory=list)
    manual_automated: frozenset[str] = frozenset()
    # Due, but not allowed now (outside the lead's hours, over a state's attempt cap): each
    # with when it opens. Never offered as work to do now.
    waiting: list[AgendaItem] = field(default_factory=list)


def build_agenda(
    context: Context,
    now: datetime,
    channels: Sequence[str] = CHANNELS,
    limit: int = 25,
    scope: OfficerScope | None = None,
) -> Agenda:
    """The agenda at `now`: of `scope`'s leads (one officer's), else of every lead."""
    followup = FollowUp.load(context.settings)
    problems = [str(problem) for problem in followup.cadences.problems]
    sending = configured_channels(context.settings)
    # Everything here is read through store/fast.py (no SQLAlchemy); the write lock is taken
    # only when a cadence file changed or a conversation went quiet: `today` must work while
    # an import (one long transaction) is writing.
    reader = context.reader
    stored = reader.states("cadence:")
    changed = cadences_changed(stored, followup)
    quiet = quiet_leads(followup, now, reader.quiet_since)
    # Opening the database for writing loads SQLAlchemy: only when there is something to write.
    writable = (changed or bool(quiet)) and not context.database.read_only
    if changed and not writable:
        if cadences_edited(stored, followup):
            problems.append(
                "a cadence file changed since this database was planned, and the database "
                "is read-only: the touches shown are as planned before the change"
            )
    elif changed:
        from leadchase.cadence.replan import replan_if_cadences_changed

        with context.database.writing() as connection:
            replan_if_cadences_changed(connection, followup, now)
    if quiet and writable:
        # Conversations that went quiet rest in nurture before the day's work is listed.
        from leadchase.cadence.moves import rest_quiet_leads

        with context.database.writing() as connection:
            rest_quiet_leads(connection, followup, now)
    items: list[AgendaItem] = []
    totals: dict[str, int] = {}
    manual_automated = frozenset(c for c in MESSAGE_CHANNELS if c not in sending)
    # What to send for each text and email task shown. A template that cannot be rendered is
    # reported once, and its tasks show the template name instead.
    library = TemplateLibrary(context.settings.workspace.templates_dir)
    max_segments = context.settings.twilio.max_segments
    broken: dict[str, TemplateError] = {}
    default_zone = context.settings.contact.default_timezone
    waiting: list[AgendaItem] = []
    team = Team(context.settings.officer, tuple(reader.officers()))
    gate = Gate(context.settings, followup, team.officers)
    planned: dict[tuple[str, str], int] = {}
    replies = []
    for lead in reader.replies_waiting(limit, scope):
        last = reader.last_inbound(lead.id)
        if last is not None and last.status in STOPS:
            continue  # read (or confirmed by the officer) as an opt-out: nothing to answer
        replies.append(
            ReplyItem(
                lead.id,
                lead.name or "(no name)",
                lead.phone,
                lead.replied_at or now,  # always set: the query asks for it
                last.body if last else "",
                _local(now, lead.timezone),
                lead.email,
                last.status if last and last.status == "possible-opt-out" else "reply",
            )
        )
    # Possible opt-outs first: the officer reads them before anything else goes out.
    replies.sort(key=lambda reply: not reply.possible_opt_out)
    scan = max(limit * _SCAN_FACTOR, _SCAN_MINIMUM)
    due_by_channel: dict[str, list[DueTouch]] = {}
    for channel in channels:
        as_manual = channel in manual_automated
        # The first hour is read on its own (a few rows from the index), so a long list
        # of older tasks can never push a lead that just asked off the page.
        first_hour = reader.first_hour_rows(
            now,
            channel,
            now - FIRST_HOUR,
            automated_as_manual=as_manual,
            limit=scan,
            scope=scope,
        )
        due, total = reader.agenda_rows(
            now, channel, automated_as_manual=as_manual, limit=scan, scope=scope
        )
        totals[channel] = total
        seen = {task.touch.id for task in first_hour}
        due_by_channel[channel] = first_hour + [task for task in due if task.touch.id not in seen]
    # Everything on the agenda is done by hand: the policy for a person applies. One check for
    # every channel's tasks: opt-outs and attempts read once, each lead's facts gathered once.
    checked = gate.check_many(
        reader,
        [(task.lead, channel) for channel, due in due_by_channel.items() for task in due],
        automated=False,
        moment=now,
    )
    start = 0
    for channel, due in due_by_channel.items():
        verdicts = checked[start : start + len(due)]
        start += len(due)
        shown = [
            (task, verdict)
            for task, verdict in zip(due, verdicts, strict=True)
            if verdict.allowed or verdict.next_allowed_at is not None
        ]
        places = {
            task.touch.id: place(task.touch, task.lead, now, task.lead.timezone or default_zone)
            for task, _ in shown
        }
        now_due = sorted(
            (pair for pair in shown if pair[1].allowed),
            key=lambda pair: places[pair[0].touch.id].key,
        )[:limit]
        later = [pair for pair in shown if not pair[1].allowed][:limit]
        leads = [task.lead.id for task, _ in now_due + later]
        made = reader.made_counts(leads, channel)
        calls = made if channel == "call" else reader.made_counts(leads, "call")
        # What each lead already got, read at once: a text or email is never worded twice.
        got = reader.sent_to_of(leads) if channel in MESSAGE_CHANNELS else {}
        for number, (task, verdict) in enumerate(now_due + later, start=1):
            attempt = made.get(task.lead.id, 0) + 1
            sent = got.get(task.lead.id, NOTHING_SENT)
            rendered = render_touch(
                library,
                team.officer_for(task.lead),
                task.touch,
                task.lead,
                attempt=attempt,
                now=now,
                sent=sent,
                problems=broken,
                rate=rate_details_of(task.touch, reader.rate_alert_for),
            )
            called = calls.get(task.lead.id, 0) > 0
            # Per cadence, not per task: a cadence's touches are listed afresh on each call.
            key = (task.touch.cadence, task.touch.channel)
            if key not in planned:
                planned[key] = _planned_attempts(followup, *key)
            item = _item(
                task, now, followup, attempt, rendered, verdict, max_segments, called, planned[key]
            )
            if verdict.allowed:
                item = replace(item, priority=number, why=places[task.touch.id].why)
                items.append(item)
            else:
                waiting.append(replace(item, why=f"not allowed now: {verdict.reason}"))
    next_due = None if any(totals.values()) else reader.next_due(now, scope)
    problems += [
        f"{error} (the agenda shows the template name instead)" for error in broken.values()
    ]
    return Agenda(now, items, totals, replies, next_due, problems, manual_automated, waiting)


def _local(moment: datetime, zone: str | None) -> str | None:
    return when(moment, zone, moment) if zone else None


def _item(
    task: DueTouch,
    now: datetime,
    followup: FollowUp,
    attempt: int,
    rendered: Rendered | None,
    verdict: Verdict,
    max_segments: int,
    called: bool,
    planned: int,
) -> AgendaItem:
    """One task. NEW marks a new lead nobody has called yet; its timer runs from when it asked
    (an aged lead's wait is not ours, so it has none). `planned`: _planned_attempts()."""
    touch, lead = task.touch, task.lead
    new_lead = is_new(lead) and not called
    asked = asked_at(lead)
    aged = is_aged(lead, followup.settings.cadence.aged_after_days)
    waited = max(0, int((now - asked).total_seconds() // 60)) if asked else None
    waiting = waited if new_lead and not aged else None
    late = int((now - touch.due_at).total_seconds() // 60)
    suggestion = touch.say or touch.template
    if new_lead and aged and waited is not None:
        reason = f"aged lead, asked {duration(waited)} ago"
    elif waiting is not None:
        reason = f"new lead, waiting {duration(waiting)}"
        if touch.channel == "call":
            suggestion = first_call(waiting, touch.say)
    else:
        step = day_label(touch.day, touch.step_key)
        reason = f"{step} {touch.channel}" if step else f"{touch.channel} due"
        if late >= 60:
            reason += f", {duration(late)} late"
    last = None
    if lead.last_touch_at is not None:
        last = f"{lead.last_touch_channel} {duration(int((now - lead.last_touch_at).total_seconds() // 60))} ago"
        if lead.last_outcome:
            last += f" ({lead.last_outcome})"
    return AgendaItem(
        lead_id=lead.id,
        name=lead.name or "(no name)",
        channel=touch.channel,
        due=touch.due_at,
        phone=lead.phone,
        email=lead.email,
        attempt=attempt,
        attempts_planned=planned,
        source=lead.source or "",
        offer=lead.offer or "",
        reason=reason,
        local_time=_local(now, lead.timezone),
        timezone=lead.timezone,
        new_lead=new_lead,
        minutes_waiting=waiting,
        last_touch=last,
        suggestion=suggestion,
        template=touch.template,
        automated=touch.automated,
        message=rendered.body if rendered else None,
        subject=rendered.subject if rendered else None,
        phone_ext=lead.phone_ext,
        allowed_now=verdict.allowed,
        blocked_reason=None if verdict.allowed else verdict.reason,
        next_allowed_at=None if verdict.allowed else verdict.next_allowed_at,
        warning=_warning(verdict, rendered, max_segments),
        owed_today=touch.owed,
    )


def _planned_attempts(followup: FollowUp, cadence_name: str, channel: str) -> int:
    """How many touches of `channel` the cadence plans in its first days (the "of 12" of
    "attempt 1 of 12"); 0 for a cadence that is not loaded."""
    cadence = followup.cadence(cadence_name)
    if cadence is None:
        return 0
    return sum(1 for t in cadence.touches() if t.channel == channel and t.day <= FIRST_DAYS)


def _warning(verdict: Verdict, rendered: Rendered | None, max_segments: int) -> str | None:
    """What to check before doing the task: the policy's warning, a text a send would hold."""
    long = too_long(rendered.segments, max_segments) if rendered else None
    warnings = [verdict.warning, f"too long to send: {long}" if long else None]
    return "; ".join(warning for warning in warnings if warning) or None
