"""Stats from a cohort's facts: pure functions of (leads, touches, messages, replies, events, now).

Each input is read once, in the order `compute` lists them, so the service can stream them from
the database. docs/reporting.md states every definition used here.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple, TypeVar

from leadchase.cadence.stages import DEFAULT_STAGE_MAP, StageMap
from leadchase.contact.channels import CHANNELS
from leadchase.reporting.figures import Tally, median, percentile, share
from leadchase.reporting.model import (
    ATTEMPT_DAYS,
    ATTEMPT_TARGET,
    CONVERSION_DAYS,
    SPEED_MARKS,
    Attempts,
    OptOuts,
    Replies,
    SourceConversion,
    Speed,
    StageCount,
    Stats,
)

APPLICATION = "application"
# Inbound texts that are not a conversation (the kind replies.py classified them as).
NOT_REPLIES = frozenset({"opt-out", "wrong-number", "help", "auto-reply"})
NO_SOURCE = "(none)"
CLOSED = frozenset({"closed"})


@dataclass(frozen=True)
class Funnel:
    """The stages of stages.yaml as the figures use them: every stage in order, and the funnel's
    steps (the stages that are not side roads such as nurture, lost and dead)."""

    order: tuple[str, ...]
    progression: tuple[str, ...]

    @classmethod
    def of(cls, stages: StageMap) -> Funnel:
        return cls(stages.names, stages.progression())

    @property
    def contacted(self) -> frozenset[str]:
        """A lead is contacted once you talked to it, it replied, or it reached one of these
        stages: the one rule behind `contacted` in the replies, conversion and the funnel."""
        return frozenset(self.progression[1:])

    @property
    def applied(self) -> frozenset[str]:
        """Application and every later step (a closed loan went through an application)."""
        steps = self.progression
        return frozenset(steps[steps.index(APPLICATION) :] if APPLICATION in steps else CLOSED)


DEFAULT_FUNNEL = Funnel.of(DEFAULT_STAGE_MAP)
TOP_BUCKET = 9  # the distribution's last bar is "9+"
Key = TypeVar("Key")


class LeadFacts(NamedTuple):
    id: int
    source: str
    stage: str
    arrived: datetime
    contacted_at: datetime | None


class TouchFacts(NamedTuple):
    lead_id: int
    channel: str
    done_at: datetime
    outcome: str | None


class MessageFacts(NamedTuple):
    lead_id: int
    channel: str
    template: str
    variant: int | None
    sent_at: datetime


class ReplyFacts(NamedTuple):
    lead_id: int
    channel: str
    at: datetime


class EventFacts(NamedTuple):
    lead_id: int
    kind: str  # "stage" (detail "old -> new") or "opt-out"
    at: datetime
    detail: str


def arrival(lead_date: datetime | None, imported_at: datetime, aged_after: timedelta) -> datetime:
    """When a lead arrived: its own lead date when fresh, else the moment it was imported.

    The same rule starts its cadence (FollowUp.cadence_for_new_lead): a lead date no older than
    [cadence] aged_after_days at import, and not in the future, is when the person asked.
    """
    if lead_date is not None and imported_at - aged_after <= lead_date <= imported_at:
        return lead_date
    return imported_at


def inbound_reply(lead_id: int, at: datetime, kind: str) -> ReplyFacts | None:
    """An inbound text as a reply, unless it was an opt-out, HELP, wrong number or autoreply."""
    return None if kind in NOT_REPLIES else ReplyFacts(lead_id, "text", at)


@dataclass
class _TouchSummary:
    """One pass over the touches: first touch and call per lead, early attempts, logged replies."""

    first: dict[int, datetime] = field(default_factory=dict)
    first_call: dict[int, datetime] = field(default_factory=dict)
    early: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    replies: list[ReplyFacts] = field(default_factory=list)


def _summarise_touches(
    leads: Mapping[int, LeadFacts], touches: Iterable[TouchFacts]
) -> _TouchSummary:
    summary = _TouchSummary()
    window = timedelta(days=ATTEMPT_DAYS)
    for touch in touches:
        lead = leads.get(touch.lead_id)
        if lead is None:
            continue
        at = touch.done_at
        if touch.lead_id not in summary.first or at < summary.first[touch.lead_id]:
            summary.first[touch.lead_id] = at
        if touch.channel == "call" and (
            touch.lead_id not in summary.first_call or at < summary.first_call[touch.lead_id]
        ):
            summary.first_call[touch.lead_id] = at
        if at < lead.arrived + window:
            summary.early[touch.lead_id][touch.channel] += 1
        if touch.outcome == "replied":
            summary.replies.append(ReplyFacts(touch.lead_id, touch.channel, at))
    return summary


def _speed(leads: Mapping[int, LeadFacts], firsts: Mapping[int, datetime]) -> Speed:
    delays = [
        max(0.0, (firsts[lead_id] - lead.arrived).total_seconds())
        for lead_id, lead in leads.items()
        if lead_id in firsts
    ]
    within = tuple(
        share(sum(1 for d in delays if d <= mark), len(leads)) for _, mark in SPEED_MARKS
    )
    return Speed(len(leads), len(delays), median(delays), percentile(delays, 0.9), within)


def _attempts(
    leads: Mapping[int, LeadFacts], early: Mapping[int, Counter[str]], now: datetime
) -> Attempts:
    window = timedelta(days=ATTEMPT_DAYS)
    done = [lead for lead in leads.values() if lead.arrived + window <= now]
    counts = [sum(early[lead.id].values()) if lead.id in early else 0 for lead in done]
    buckets = Counter(min(count, TOP_BUCKET) for count in counts)
    distribution = tuple(
        (f"{n}+" if n == TOP_BUCKET else str(n), buckets[n]) for n in range(TOP_BUCKET + 1)
    )
    by_channel: Counter[str] = Counter()
    for lead in done:
        if lead.id in early:
            by_channel.update(early[lead.id])
    low, high = ATTEMPT_TARGET
    return Attempts(
        leads=len(done),
        still_in_first_days=len(leads) - len(done),
        median=percentile(counts, 0.5),
        under_2=share(sum(1 for c in counts if c < 2), len(done)),
        on_target=share(sum(1 for c in counts if low <= c <= high), len(done)),
        distribution=distribution,
        by_channel={channel: by_channel[channel] for channel in CHANNELS},
    )


class _Sent:
    """Each lead's sent messages in the order they went out, to find what a reply answered."""

    def __init__(self, messages: Iterable[MessageFacts], leads: Mapping[int, LeadFacts]) -> None:
        by_lead: dict[int, list[MessageFacts]] = defaultdict(list)
        for message in messages:
            if message.lead_id in leads:
                by_lead[message.lead_id].append(message)
        for listed in by_lead.values():
            listed.sort(key=lambda m: m.sent_at)
        self.by_lead = by_lead

    def last_before(self, lead_id: int, at: datetime, channel: str | None) -> MessageFacts | None:
        """The lead's last message sent at or before `at` (on `channel`, when given)."""
        listed = self.by_lead.get(lead_id, [])
        position = bisect.bisect_right(listed, at, key=lambda m: m.sent_at)
        for message in reversed(listed[:position]):
            if channel is None or message.channel == channel:
                return message
        return None

    def all(self) -> Iterable[MessageFacts]:
        for listed in self.by_lead.values():
            yield from listed


def _in_order(key: object) -> tuple[str, int]:
    """Sort by name, then variant number (a message without a variant first)."""
    if isinstance(key, tuple):
        name, variant = key
        return str(name), -1 if variant is None else int(variant)
    return str(key), 0


def _sorted_tallies(sent: Counter[Key], hits: Counter[Key]) -> dict[Key, Tally]:
    return {key: Tally(sent[key], hits[key]) for key in sorted(sent, key=_in_order)}


def _replies(
    leads: Mapping[int, LeadFacts],
    contacts: Mapping[int, datetime | None],
    sent: _Sent,
    replies: Iterable[ReplyFacts],
) -> Replies:
    credited: dict[int, float] = {}  # id(message) -> seconds until its reply
    answered: list[MessageFacts] = []
    for reply in sorted(replies, key=lambda r: r.at):
        message = sent.last_before(reply.lead_id, reply.at, reply.channel)
        if message is not None and id(message) not in credited:
            credited[id(message)] = (reply.at - message.sent_at).total_seconds()
            answered.append(message)
    by_channel: Counter[str] = Counter()
    by_template: Counter[str] = Counter()
    by_variant: Counter[tuple[str, int | None]] = Counter()
    for message in sent.all():
        by_channel[message.channel] += 1
        by_template[message.template] += 1
        by_variant[(message.template, message.variant)] += 1
    return Replies(
        contacted=Tally(len(leads), len(contacts)),
        median_seconds_to_reply=median(list(credited.values())),
        by_channel=_sorted_tallies(by_channel, Counter(m.channel for m in answered)),
        by_template=_sorted_tallies(by_template, Counter(m.template for m in answered)),
        by_variant=_sorted_tallies(by_variant, Counter((m.template, m.variant) for m in answered)),
    )


@dataclass
class _History:
    """Stage changes and opt-outs per lead, from the events (oldest first)."""

    stages: dict[int, list[tuple[datetime, str]]] = field(default_factory=lambda: defaultdict(list))
    seen: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    opted_out: dict[int, datetime] = field(default_factory=dict)

    def read(self, events: Iterable[EventFacts], leads: Mapping[int, LeadFacts]) -> _History:
        for event in events:
            if event.lead_id not in leads:
                continue
            if event.kind == "opt-out":
                self.opted_out.setdefault(event.lead_id, event.at)
            elif event.kind == "stage":
                # "engaged -> lost (rate; note)": the stage is the first word after the arrow.
                old, _, moved = (part.strip() for part in event.detail.partition("->"))
                new = moved.split(" (", 1)[0]
                self.stages[event.lead_id].append((event.at, new))
                self.seen[event.lead_id].update((old, new))
        return self

    def reached(self, lead_id: int, stages: frozenset[str], by: datetime) -> bool:
        return any(at <= by and stage in stages for at, stage in self.stages.get(lead_id, ()))

    def first_moved_to(self, lead_id: int, stages: frozenset[str]) -> datetime | None:
        return min(
            (at for at, stage in self.stages.get(lead_id, ()) if stage in stages), default=None
        )


def _contacts(
    leads: Mapping[int, LeadFacts], history: _History, funnel: Funnel
) -> dict[int, datetime | None]:
    """The contacted leads (Funnel.contacted) -> when first contacted: the earlier of the talk or
    reply and the move to such a stage; None only for a stage with no move on the timeline."""
    found: dict[int, datetime | None] = {}
    contacted = funnel.contacted
    for lead in leads.values():
        moved = history.first_moved_to(lead.id, contacted)
        moments = [moment for moment in (lead.contacted_at, moved) if moment is not None]
        stages = history.seen.get(lead.id, set()) | {lead.stage}
        if moments or stages & contacted:
            found[lead.id] = min(moments, default=None)
    return found


def _conversion(
    leads: Mapping[int, LeadFacts],
    contacts: Mapping[int, datetime | None],
    history: _History,
    costs: Mapping[str, float],
    now: datetime,
    funnel: Funnel,
) -> tuple[SourceConversion, ...]:
    window = timedelta(days=CONVERSION_DAYS)
    groups: dict[str, list[LeadFacts]] = defaultdict(list)
    for lead in leads.values():
        groups[lead.source or NO_SOURCE].append(lead)
    folded = {name.strip().casefold(): cost for name, cost in costs.items()}
    rows = []
    for source, members in groups.items():
        cost_per_lead = folded.get(source.strip().casefold())
        rows.append(
            SourceConversion(
                source=source,
                leads=len(members),
                contacted=sum(
                    1 for m in members if (at := contacts.get(m.id)) and at <= m.arrived + window
                ),
                application=sum(
                    1 for m in members if history.reached(m.id, funnel.applied, m.arrived + window)
                ),
                closed=sum(1 for m in members if history.reached(m.id, CLOSED, m.arrived + window)),
                still_in_window=sum(1 for m in members if m.arrived + window > now),
                cost_per_lead=cost_per_lead,
                cost=None if cost_per_lead is None else round(cost_per_lead * len(members), 2),
            )
        )
    return tuple(sorted(rows, key=lambda row: (-row.leads, row.source.casefold())))


def _funnel(
    leads: Mapping[int, LeadFacts],
    contacts: Mapping[int, datetime | None],
    history: _History,
    funnel: Funnel,
) -> tuple[StageCount, ...]:
    steps = funnel.progression
    now_in: Counter[str] = Counter(lead.stage for lead in leads.values())
    reached: Counter[str] = Counter()
    for lead in leads.values():
        seen = history.seen.get(lead.id, set()) | {lead.stage, "new"}
        if lead.id in contacts:
            seen.add("contacted")  # talked to or replied, whatever its stage says
        furthest = max((steps.index(stage) for stage in seen if stage in steps), default=0)
        reached.update(steps[: furthest + 1])
        reached.update(stage for stage in seen if stage not in steps)
    # Stages no longer in stages.yaml that leads are still in come last, so none is hidden.
    order = funnel.order + tuple(sorted(set(now_in) - set(funnel.order)))
    return tuple(StageCount(stage, now_in[stage], reached[stage]) for stage in order)


def _opt_outs(leads: Mapping[int, LeadFacts], sent: _Sent, history: _History) -> OptOuts:
    by_source: dict[str, Tally] = defaultdict(Tally)
    for lead in leads.values():
        source = lead.source or NO_SOURCE
        by_source[source] = by_source[source].add(1, int(lead.id in history.opted_out))
    drew: Counter[str] = Counter()
    for lead_id, at in history.opted_out.items():
        message = sent.last_before(lead_id, at, None)
        if message is not None:
            drew[message.template] += 1
    sent_by_template = Counter(message.template for message in sent.all())
    return OptOuts(
        leads=Tally(len(leads), len(history.opted_out)),
        by_source=dict(sorted(by_source.items(), key=lambda item: item[0].casefold())),
        by_template=_sorted_tallies(sent_by_template, drew),
    )


def compute(
    *,
    now: datetime,
    since: datetime | None,
    source: str | None,
    leads: Iterable[LeadFacts],
    touches: Iterable[TouchFacts],
    messages: Iterable[MessageFacts],
    replies: Iterable[ReplyFacts],
    events: Iterable[EventFacts],
    costs: Mapping[str, float],
    funnel: Funnel = DEFAULT_FUNNEL,
) -> Stats:
    """Every figure for the leads that arrived in [since, now]; the rest of each input is ignored."""
    cohort = {
        lead.id: lead
        for lead in leads
        if (since is None or lead.arrived >= since) and lead.arrived <= now
    }
    touched = _summarise_touches(cohort, touches)
    sent = _Sent(messages, cohort)
    history = _History().read(events, cohort)
    contacts = _contacts(cohort, history, funnel)
    replied = _replies(cohort, contacts, sent, [*replies, *touched.replies])
    return Stats(
        now=now,
        since=since,
        source=source,
        leads=len(cohort),
        first_touch=_speed(cohort, touched.first),
        first_call=_speed(cohort, touched.first_call),
        attempts=_attempts(cohort, touched.early, now),
        replies=replied,
        conversion=_conversion(cohort, contacts, history, costs, now, funnel),
        funnel=_funnel(cohort, contacts, history, funnel),
        opt_outs=_opt_outs(cohort, sent, history),
    )
