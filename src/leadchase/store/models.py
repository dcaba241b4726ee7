"""The tables, as SQLAlchemy Core tables. Their shape is created and changed only by
migrations.py.

These tables are the schema, named ..._table so they are never mistaken for the records the
store hands out (store/records.py: Lead, Touch, Message...), which is all the rest of the code
sees. Queries in store/ use them. Plain Core, not SQLModel classes: the store only ever queried
their tables, and building the classes (importing SQLModel, pydantic and SQLAlchemy's ORM for
them) cost every command about 0.2 s before its first query. Column defaults are the ones the
store's inserts rely on when they leave a column out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

from leadchase.store.types import UTCDateTime

metadata = MetaData()


def _when(name: str, *, nullable: bool = True, index: bool = False) -> Column[Any]:
    """A moment, stored in UTC (types.py)."""
    return Column(name, UTCDateTime(), nullable=nullable, index=index)


def _text(name: str) -> Column[Any]:
    """Text that is never NULL: "" when there is none."""
    return Column(name, String, nullable=False, default="")


lead_table = Table(
    "lead",
    metadata,
    Column("id", Integer, primary_key=True),
    _text("name"),
    _text("first_name"),
    _text("last_name"),
    # The number calls and texts go to (a cell column wins); other numbers stay in other_phones.
    Column("phone", String),
    Column("phone_ext", String),
    Column("phone_label", String),
    # False once Twilio says the number cannot take texts (landline, invalid).
    Column("text_ok", Boolean, nullable=False, default=True),
    Column("other_phones", JSON),
    Column("email", String),
    _text("address"),
    _text("city"),
    Column("state", String),
    Column("zip", String),
    Column("timezone", String),  # the lead's own zone; None means unknown, automation holds
    _text("time_zones"),  # every candidate zone, ";"-separated, for the most restrictive window
    _text("source"),
    Column("sources", JSON),
    _text("offer"),
    _text("loan_purpose"),
    _text("loan_amount"),
    _text("property_value"),
    _text("credit_rating"),
    _text("external_id"),
    _when("lead_date"),
    _when("imported_at"),
    Column("cadence", String),
    _when("cadence_started_at"),
    Column("stage", String, nullable=False, default="new"),
    _when("replied_at"),
    _when("snoozed_until"),
    _when("consent_at"),
    _text("consent_url"),
    _text("consent_text"),
    _text("consent_ip"),
    _text("notes"),
    Column("raw", JSON),
    Column("batch_id", Integer),
    _when("first_touch_at"),
    _when("last_touch_at"),
    Column("last_touch_channel", String),
    Column("last_outcome", String),
    Column("attempts", Integer, nullable=False, default=0),
    _when("contacted_at"),
    Column("note_rate", Float),  # percent, e.g. 6.125
    Column("closing_date", Date),
    Column("birthday", Date),
    _text("co_borrower_name"),
    Column("loan_term_years", Integer, nullable=False, default=30),
    Column("officer_id", Integer),  # None: the default officer, [officer] in leadchase.toml
)


# Dedupe keys ("p:+13055551234", "e:ann@example.com") -> lead, looked up a batch at a time.
lead_key_table = Table(
    "lead_key",
    metadata,
    Column("key", String, primary_key=True),
    Column("lead_id", Integer, nullable=False),
)


import_batch_table = Table(
    "import_batch",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("file_name", String, nullable=False),
    Column("file_sha256", String, nullable=False, index=True),
    _text("source"),
    _text("encoding"),
    _text("delimiter"),
    Column("mapping", JSON),
    _when("started_at"),
    _when("finished_at"),
    Column("rows", Integer, nullable=False, default=0),
    Column("imported", Integer, nullable=False, default=0),
    Column("merged", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("rejects_file", String),
)


# Opt-outs and do-not-call entries. A value is an E.164 phone or an email address.
suppression_table = Table(
    "suppression",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("value", String, nullable=False, index=True),
    Column("channel", String, nullable=False, default="text"),  # text | email | call | all
    # opt-out | dnc | wrong-number | carrier
    Column("reason", String, nullable=False, default="opt-out"),
    _text("evidence"),
    _when("created_at"),
    _when("lifted_at"),
)


# One planned or made contact attempt: a cadence step's call, text or email, or a logged one.
touch_table = Table(
    "touch",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("lead_id", Integer, nullable=False, index=True),
    _text("cadence"),
    _text("step_key"),
    Column("channel", String, nullable=False),
    Column("automated", Boolean, nullable=False, default=False),
    Column("template", String),
    Column("say", String),
    Column("day", Integer, nullable=False, default=0),
    _when("due_at"),
    # planned | claimed | sent | done | failed | unknown | held | cancelled | skipped
    Column("status", String, nullable=False, default="planned"),
    _when("done_at"),
    Column("outcome", String),
    Column("note", String),
    Column("variant", Integer),
    Column("attempt", Integer),
    Column("rank", Integer, nullable=False, default=1),  # 0 while the lead has never been touched
    _when("expires_at"),  # an automated touch is never sent after this
    Column("owed", Integer),  # touches of its channel its cadence day still asks, this one too
)


# A text or email that went out or came in.
message_table = Table(
    "message",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("lead_id", Integer, index=True),
    Column("touch_id", Integer, index=True),
    Column("direction", String, nullable=False, default="out"),  # out | in
    Column("channel", String, nullable=False, default="text"),
    _text("to_address"),
    _text("from_address"),
    Column("subject", String),
    _text("body"),
    Column("template", String),
    Column("variant", Integer),
    Column("provider_id", String, index=True),
    Column("status", String, nullable=False, default="queued"),
    Column("error_code", String),
    _when("created_at"),
    _when("sent_at"),
)


# A line on a lead's timeline that is not a touch or a message: import, merge, stage, note,
# snooze.
event_table = Table(
    "event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("lead_id", Integer, nullable=False, index=True),
    _when("at"),
    Column("kind", String, nullable=False),
    _text("detail"),
)


# A lead's move from one stage to another: when, who or what moved it, and why.
stage_change_table = Table(
    "stage_change",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("lead_id", Integer, nullable=False, index=True),
    _when("at", nullable=False),  # when it happened (`stage --on`)
    _when("recorded_at", nullable=False),
    _text("from_stage"),
    Column("to_stage", String, nullable=False),
    _text("reason"),  # a lost lead's reason
    _text("note"),
    _text("moved_by"),  # "you", or what moved it: a reply, keep in touch, quiet
)


# A product's market rate ("30yr" at 6.125) for a day: the history `rates` keeps.
market_rate_table = Table(
    "market_rate",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("product", String, nullable=False),
    Column("on_day", Date, nullable=False),
    Column("rate", Float, nullable=False),  # percent
    _when("recorded_at", nullable=False),
    UniqueConstraint("product", "on_day", name="uq_market_rate_product_day"),
)


# A rate-drop alert planned for a lead, for one rate move, with the numbers it says.
rate_alert_table = Table(
    "rate_alert",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("lead_id", Integer, nullable=False, index=True),
    _when("planned_at", nullable=False),
    Column("product", String, nullable=False),
    # The market_rate row where the rate reached the level alerted on.
    Column("move_id", Integer, nullable=False),
    Column("note_rate", Float, nullable=False),
    Column("market_rate", Float, nullable=False),
    Column("loan_amount", Integer, nullable=False, default=0),  # whole dollars; 0: not known
    Column("monthly_saving", Integer, nullable=False, default=0),  # whole dollars; 0: not known
    Column("call_touch_id", Integer),
    Column("text_touch_id", Integer),
)


workspace_state_table = Table(
    "workspace_state",
    metadata,
    Column("key", String, primary_key=True),
    _text("value"),
)


# An alert to the officer: a new lead or a reply, by text or email (alerts.py).
alert_table = Table(
    "alert",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("lead_id", Integer, index=True),
    Column("kind", String, nullable=False),  # new-lead | new-leads | reply
    Column("channel", String, nullable=False),  # text | email
    _text("to_address"),
    Column("subject", String),
    _text("body"),
    # pending (waiting for alert hours or a retry) | sending | sent | failed | expired, then
    # Twilio's delivery statuses for a text. While "sending", sent_at holds when the pass
    # claimed it.
    Column("status", String, nullable=False, default="pending"),
    Column("provider_id", String, index=True),
    Column("error", String),
    _when("created_at"),
    _when("sent_at"),
)


# An officer of the team; [officer] in leadchase.toml is the default one, not a row.
officer_table = Table(
    "officer",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False),
    _text("phone"),
    _text("email"),
    _text("nmls"),
    _text("from_number"),  # their own Twilio number, E.164
    _text("messaging_service_sid"),  # or their own Twilio messaging service
    _text("signature"),
    _text("window_start"),  # "HH:MM" in `timezone`; "" for no window of their own
    _text("window_end"),
    _text("timezone"),
    Column("active", Boolean, nullable=False, default=True),
    _when("created_at"),
)


# The round-robin's counter: how many leads it has dealt.
officer_turn_table = Table(
    "officer_turn",
    metadata,
    Column("key", String, primary_key=True),
    Column("turns", Integer, nullable=False, default=0),
)


# A POST /leads that carried an Idempotency-Key, and the answer it was given.
intake_request_table = Table(
    "intake_request",
    metadata,
    Column("key", String, primary_key=True),
    Column("status", Integer, nullable=False),
    Column("answer", JSON),
    _when("created_at"),
)
