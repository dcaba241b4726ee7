"""What the store hands out: a lead, a touch, a message, an officer, as plain records (the
records `today` never reads, an event or an opt-out, are in history_records.py).

store/models.py describes the tables for the store's queries (lead_table, touch_table...);
nothing outside store/ uses them. Every read in store/ returns the frozen dataclasses
below (or history_records.py's) instead, so the rest of the code works on typed attributes (`lead.phone`, `touch.due_at`)
and never sees a database row. This module does not import SQLAlchemy: code that
only reads records (the agenda, templates) stays free of it.

Each record holds every column of its table, with the column's default where a field is
left out (handy in tests and for a made-up lead in `cadence preview`). Two
exceptions: a lead's `raw` (the vendor's original row, read only by `show`; see
leads.raw_columns) stays in the database, and JSON lists come out as tuples.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from leadchase.contact.channels import Channel


@dataclass(frozen=True)
class Lead:
    """A lead as stored: who it is, how to reach it, where its cadence stands."""

    id: int
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str | None = None  # E.164; calls and texts go here
    phone_ext: str | None = None
    phone_label: str | None = None
    text_ok: bool = True  # false once Twilio says the number cannot take texts
    other_phones: tuple[dict[str, Any], ...] = ()
    email: str | None = None
    address: str = ""
    city: str = ""
    state: str | None = None
    zip: str | None = None
    timezone: str | None = None  # None: unknown, automation holds
    time_zones: str = ""  # every candidate zone, ";"-separated
    source: str = ""
    sources: tuple[str, ...] = ()
    offer: str = ""
    loan_purpose: str = ""
    loan_amount: str = ""
    property_value: str = ""
    credit_rating: str = ""
    external_id: str = ""
    lead_date: datetime | None = None
    imported_at: datetime | None = None
    cadence: str | None = None
    cadence_started_at: datetime | None = None
    stage: str = "new"
    replied_at: datetime | None = None
    snoozed_until: datetime | None = None
    consent_at: datetime | None = None
    consent_url: str = ""
    consent_text: str = ""
    consent_ip: str = ""
    notes: str = ""
    batch_id: int | None = None
    first_touch_at: datetime | None = None
    last_touch_at: datetime | None = None
    last_touch_channel: str | None = None
    last_outcome: str | None = None
    attempts: int = 0
    contacted_at: datetime | None = None
    note_rate: float | None = None  # percent, e.g. 6.125
    closing_date: date | None = None
    birthday: date | None = None
    co_borrower_name: str = ""
    loan_term_years: int = 30  # 30 when nobody said
    officer_id: int | None = None  # None: the default officer ([officer] in leadchase.toml)


@dataclass(frozen=True)
class Touch:
    """One planned or made contact attempt. Every touch is written with its due time."""

    id: int
    lead_id: int
    channel: Channel
    due_at: datetime
    cadence: str = ""
    step_key: str = ""
    automated: bool = False
    template: str | None = None
    say: str | None = None
    day: int = 0
    # planned | claimed | sent | done | failed | unknown | held | cancelled | skipped
    status: str = "planned"
    done_at: datetime | None = None  # when it was made; when it was claimed, while claimed
    outcome: str | None = None  # what came of it; for a skipped touch, why it was skipped
    note: str | None = None
    variant: int | None = None
    attempt: int | None = None
    rank: int = 1  # 0 while the lead has never been touched
    expires_at: datetime | None = None  # an automated touch is never sent after this
    # How many touches of its channel its cadence day still asks for, this one included:
    # 2 on the first of two calls ("2 calls today"), 1 on the last.
    owed: int | None = None


@dataclass(frozen=True)
class Message:
    """A text or email that went out or came in. Every message is written with its time."""

    id: int
    created_at: datetime
    lead_id: int | None = None
    touch_id: int | None = None
    direction: str = "out"  # out | in
    channel: str = "text"
    to_address: str = ""
    from_address: str = ""
    subject: str | None = None
    body: str = ""
    template: str | None = None
    variant: int | None = None
    provider_id: str | None = None
    status: str = "queued"
    error_code: str | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True)
class RateAlert:
    """A rate-drop alert planned for a lead: the rate move it is for and what it says."""

    id: int
    lead_id: int
    planned_at: datetime
    product: str
    move_id: int  # the MarketRate where the rate reached the level alerted on
    note_rate: float
    market_rate: float
    loan_amount: int = 0  # whole dollars; 0: not known
    monthly_saving: int = 0  # whole dollars; 0: not known
    call_touch_id: int | None = None
    text_touch_id: int | None = None


@dataclass(frozen=True)
class TeamOfficer:
    """An officer of the team as stored (`leadchase officer add`). What leads read is the
    config.Officer that team.py builds from it and [officer]'s company details."""

    id: int
    name: str
    phone: str = ""
    email: str = ""
    nmls: str = ""
    from_number: str = ""  # their Twilio number (E.164), or
    messaging_service_sid: str = ""  # their Twilio messaging service; both "": [twilio]'s
    signature: str = ""
    window_start: str = ""  # "HH:MM" in `timezone`; "" for none of their own
    window_end: str = ""
    timezone: str = ""
    active: bool = True
    created_at: datetime | None = None

    @property
    def sender(self) -> str:
        """Who their texts come from: their number, else their messaging service, else ""."""
        return self.from_number or self.messaging_service_sid


@dataclass(frozen=True)
class OfficerScope:
    """The leads of one officer; officer_id None: the default officer's (no officer set)."""

    officer_id: int | None


@dataclass(frozen=True)
class DueTouch:
    """A planned touch that has come due, with its lead: a line of the agenda, or a send."""

    touch: Touch
    lead: Lead


@dataclass(frozen=True)
class Sent:
    """The wording a lead already got, oldest first: every text and email body, every email
    subject. Rendering reads it so no body or subject goes to the same lead twice."""

    bodies: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()


NOTHING_SENT = Sent()
