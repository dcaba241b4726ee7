"""The tables, as SQLModel classes. Their shape is created and changed only by migrations.py.

These classes are the schema, named ...Table so they are never mistaken for the records the
store hands out (store/records.py: Lead, Touch, Message...), which is all the rest of the code
sees. Queries in store/ use their `__table__`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from leadchase.store.types import UTCDateTime


def _when(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class LeadTable(SQLModel, table=True):
    __tablename__ = "lead"
    id: int | None = Field(default=None, primary_key=True)
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    # The number calls and texts go to (a cell column wins); other numbers stay in other_phones.
    phone: str | None = None
    phone_ext: str | None = None
    phone_label: str | None = None
    text_ok: bool = True  # false once Twilio says the number cannot take texts (landline, invalid)
    other_phones: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    email: str | None = None
    address: str = ""
    city: str = ""
    state: str | None = None
    zip: str | None = None
    timezone: str | None = None  # the lead's own zone; None means unknown, automation holds
    time_zones: str = ""  # every candidate zone, ";"-separated, for the most restrictive window
    source: str = ""
    sources: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    offer: str = ""
    loan_purpose: str = ""
    loan_amount: str = ""
    property_value: str = ""
    credit_rating: str = ""
    external_id: str = ""
    lead_date: datetime | None = _when()
    imported_at: datetime | None = _when()
    cadence: str | None = None
    cadence_started_at: datetime | None = _when()
    stage: str = "new"
    replied_at: datetime | None = _when()
    snoozed_until: datetime | None = _when()
    consent_at: datetime | None = _when()
    consent_url: str = ""
    consent_text: str = ""
    consent_ip: str = ""
    notes: str = ""
    raw: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    batch_id: int | None = None
    first_touch_at: datetime | None = _when()
    last_touch_at: datetime | None = _when()
    last_touch_channel: str | None = None
    last_outcome: str | None = None
    attempts: int = 0
    contacted_at: datetime | None = _when()
    note_rate: float | None = None  # percent, e.g. 6.125
    closing_date: date | None = None
    birthday: date | None = None
    co_borrower_name: str = ""
    loan_term_years: int = 30
    officer_id: int | None = None  # None: the default officer, [officer] in leadchase.toml


class LeadKeyTable(SQLModel, table=True):
    """Dedupe keys ("p:+13055551234", "e:ann@example.com") -> lead, looked up a batch at a time."""

    __tablename__ = "lead_key"
    key: str = Field(primary_key=True)
    lead_id: int


class ImportBatchTable(SQLModel, table=True):
    __tablename__ = "import_batch"
    id: int | None = Field(default=None, primary_key=True)
    file_name: str
    file_sha256: str = Field(index=True)
    source: str = ""
    encoding: str = ""
    delimiter: str = ""
    mapping: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    started_at: datetime | None = _when()
    finished_at: datetime | None = _when()
    rows: int = 0
    imported: int = 0
    merged: int = 0
    rejected: int = 0
    rejects_file: str | None = None


class SuppressionTable(SQLModel, table=True):
    """Opt-outs and do-not-call entries. A value is an E.164 phone or an email address."""

    __tablename__ = "suppression"
    id: int | None = Field(default=None, primary_key=True)
    value: str = Field(index=True)
    channel: str = "text"  # text | email | call | all
    reason: str = "opt-out"  # opt-out | dnc | wrong-number | carrier
    evidence: str = ""
    created_at: datetime | None = _when()
    lifted_at: datetime | None = _when()


class TouchTable(SQLModel, table=True):
    """One planned or made contact attempt: a cadence step's call, text or email, or a logged one."""

    __tablename__ = "touch"
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(index=True)
    cadence: str = ""
    step_key: str = ""
    channel: str
    automated: bool = False
    template: str | None = None
    say: str | None = None
    day: int = 0
    due_at: datetime | None = _when()
    # planned | claimed | sent | done | failed | unknown | held | cancelled | skipped
    status: str = "planned"
    done_at: datetime | None = _when()
    outcome: str | None = None
    note: str | None = None
    variant: int | None = None
    attempt: int | None = None
    rank: int = 1  # 0 while the lead has never been touched
    expires_at: datetime | None = _when()  # an automated touch is never sent after this
    owed: int | None = None  # touches of its channel its cadence day still asks, this one too


class MessageTable(SQLModel, table=True):
    """A text or email that went out or came in."""

    __tablename__ = "message"
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int | None = Field(default=None, index=True)
    touch_id: int | None = Field(default=None, index=True)
    direction: str = "out"  # out | in
    channel: str = "text"
    to_address: str = ""
    from_address: str = ""
    subject: str | None = None
    body: str = ""
    template: str | None = None
    variant: int | None = None
    provider_id: str | None = Field(default=None, index=True)
    status: str = "queued"
    error_code: str | None = None
    created_at: datetime | None = _when()
    sent_at: datetime | None = _when()


class EventTable(SQLModel, table=True):
    """A line on a lead's timeline that is not a touch or a message: import, merge, stage, note, snooze."""

    __tablename__ = "event"
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(index=True)
    at: datetime | None = _when()
    kind: str
    detail: str = ""


class StageChangeTable(SQLModel, table=True):
    """A lead's move from one stage to another: when, who or what moved it, and why."""

    __tablename__ = "stage_change"
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(index=True)
    at: datetime | None = _when(nullable=False)  # when it happened (`stage --on`)
    recorded_at: datetime | None = _when(nullable=False)
    from_stage: str = ""
    to_stage: str
    reason: str = ""  # a lost lead's reason
    note: str = ""
    moved_by: str = ""  # "you", or what moved it: a reply, keep in touch, quiet


class MarketRateTable(SQLModel, table=True):
    """A product's market rate ("30yr" at 6.125) for a day: the history `rates` keeps."""

    __tablename__ = "market_rate"
    __table_args__ = (UniqueConstraint("product", "on_day", name="uq_market_rate_product_day"),)
    id: int | None = Field(default=None, primary_key=True)
    product: str
    on_day: date
    rate: float  # percent
    recorded_at: datetime | None = _when(nullable=False)


class RateAlertTable(SQLModel, table=True):
    """A rate-drop alert planned for a lead, for one rate move, with the numbers it says."""

    __tablename__ = "rate_alert"
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(index=True)
    planned_at: datetime | None = _when(nullable=False)
    product: str
    move_id: int  # the market_rate row where the rate reached the level alerted on
    note_rate: float
    market_rate: float
    loan_amount: int = 0  # whole dollars; 0: not known
    monthly_saving: int = 0  # whole dollars; 0: not known
    call_touch_id: int | None = None
    text_touch_id: int | None = None


class WorkspaceStateTable(SQLModel, table=True):
    __tablename__ = "workspace_state"
    key: str = Field(primary_key=True)
    value: str = ""


class AlertTable(SQLModel, table=True):
    """An alert to the officer: a new lead or a reply, by text or email (alerts.py)."""

    __tablename__ = "alert"
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int | None = Field(default=None, index=True)
    kind: str  # new-lead | new-leads | reply
    channel: str  # text | email
    to_address: str = ""
    subject: str | None = None
    body: str = ""
    # pending (waiting for alert hours or a retry) | sending | sent | failed | expired, then
    # Twilio's delivery statuses for a text
    status: str = "pending"  # while "sending", sent_at holds when the pass claimed it
    provider_id: str | None = Field(default=None, index=True)
    error: str | None = None
    created_at: datetime | None = _when()
    sent_at: datetime | None = _when()


class OfficerTable(SQLModel, table=True):
    """An officer of the team; [officer] in leadchase.toml is the default one, not a row."""

    __tablename__ = "officer"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    phone: str = ""
    email: str = ""
    nmls: str = ""
    from_number: str = ""  # their own Twilio number, E.164
    messaging_service_sid: str = ""  # or their own Twilio messaging service
    signature: str = ""
    window_start: str = ""  # "HH:MM" in `timezone`; "" for no window of their own
    window_end: str = ""
    timezone: str = ""
    active: bool = True
    created_at: datetime | None = _when()


class OfficerTurnTable(SQLModel, table=True):
    """The round-robin's counter: how many leads it has dealt."""

    __tablename__ = "officer_turn"
    key: str = Field(primary_key=True)
    turns: int = 0


class IntakeRequestTable(SQLModel, table=True):
    """A POST /leads that carried an Idempotency-Key, and the answer it was given."""

    __tablename__ = "intake_request"
    key: str = Field(primary_key=True)
    status: int
    answer: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime | None = _when()
