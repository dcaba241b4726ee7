"""The store's other records: what happened (an alert to the officer, a timeline event, a stage
change, a market rate, an opt-out) and the pairs a send run and the inbox read (a claimed touch,
a message with its lead). Frozen dataclasses like those of records.py, kept apart from them
because `leadchase today` imports records.py and never reads these: each class costs its
import a quarter of a millisecond to build.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from leadchase.store.records import Lead, Message, Touch


@dataclass(frozen=True)
class Alert:
    """What the officer was told about a lead, by text or email to their own phone or address."""

    id: int
    created_at: datetime
    lead_id: int | None
    kind: str  # new-lead | new-leads | reply
    channel: str  # text | email
    to_address: str
    body: str
    subject: str | None = None
    status: str = "pending"  # pending | sending | sent | failed | expired | a delivery status
    provider_id: str | None = None
    error: str | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True)
class Event:
    """A line on a lead's timeline that is not a touch or a message: import, stage, note..."""

    id: int
    lead_id: int
    at: datetime
    kind: str
    detail: str = ""


@dataclass(frozen=True)
class StageChange:
    """A lead's move to another stage: when it happened, who or what moved it, and why."""

    id: int
    lead_id: int
    at: datetime
    to_stage: str
    recorded_at: datetime | None = None
    from_stage: str = ""
    reason: str = ""
    note: str = ""
    moved_by: str = ""


@dataclass(frozen=True)
class MarketRate:
    """A product's market rate for a day, as `rates set` recorded it."""

    id: int
    product: str  # "30yr", "15yr"...
    on_day: date
    rate: float  # percent, e.g. 6.125
    recorded_at: datetime


@dataclass(frozen=True)
class Suppression:
    """An opt-out or do-not-call entry for a phone (E.164) or an email address."""

    id: int
    value: str
    created_at: datetime  # every entry is written with its time
    channel: str = "text"  # text | email | call | all | dnc
    reason: str = "opt-out"  # opt-out | dnc | wrong-number | carrier
    evidence: str = ""
    lifted_at: datetime | None = None


@dataclass(frozen=True)
class ClaimedTouch:
    """A touch a send run claimed and never recorded (it stopped mid-send), with its lead and
    the message it claimed, when it got that far."""

    touch: Touch
    lead: Lead
    message: Message | None = None


@dataclass(frozen=True)
class LeadMessage:
    """A message with the lead it belongs to (None: an unknown sender)."""

    message: Message
    lead: Lead | None = None
