"""Released migrations 001-004: the first schema (leads, their phone and email keys, import
batches, suppressions, events, touches, messages) and its first indexes and columns.

Frozen as released: never edit one; migrations.py lists them in order.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from leadchase.store.types import UTCDateTime


def m001_leads_imports_suppression(connection: Connection) -> None:
    meta = MetaData()
    Table(
        "lead",
        meta,
        Column("id", Integer, primary_key=True),
        Column("name", String, nullable=False, default=""),
        Column("first_name", String, nullable=False, default=""),
        Column("last_name", String, nullable=False, default=""),
        Column("phone", String),
        Column("phone_ext", String),
        Column("phone_label", String),
        Column("text_ok", Boolean, nullable=False, default=True),
        Column("other_phones", JSON),
        Column("email", String),
        Column("address", String, nullable=False, default=""),
        Column("city", String, nullable=False, default=""),
        Column("state", String),
        Column("zip", String),
        Column("timezone", String),
        Column("time_zones", String, nullable=False, default=""),
        Column("source", String, nullable=False, default=""),
        Column("sources", JSON),
        Column("offer", String, nullable=False, default=""),
        Column("loan_purpose", String, nullable=False, default=""),
        Column("loan_amount", String, nullable=False, default=""),
        Column("property_value", String, nullable=False, default=""),
        Column("credit_rating", String, nullable=False, default=""),
        Column("external_id", String, nullable=False, default=""),
        Column("lead_date", UTCDateTime()),
        Column("imported_at", UTCDateTime()),
        Column("cadence", String),
        Column("cadence_started_at", UTCDateTime()),
        Column("stage", String, nullable=False, default="new"),
        Column("replied_at", UTCDateTime()),
        Column("snoozed_until", UTCDateTime()),
        Column("consent_at", UTCDateTime()),
        Column("consent_url", String, nullable=False, default=""),
        Column("consent_text", Text, nullable=False, default=""),
        Column("consent_ip", String, nullable=False, default=""),
        Column("notes", Text, nullable=False, default=""),
        Column("raw", JSON),
        Column("batch_id", Integer),
    )
    # Every phone and email of every lead: dedupe and "find the lead with this number" look here,
    # so the lead table itself needs no index on phone or email.
    Table(
        "lead_key",
        meta,
        Column("key", String, primary_key=True),
        Column("lead_id", Integer, nullable=False),
        sqlite_with_rowid=False,
    )
    Table(
        "import_batch",
        meta,
        Column("id", Integer, primary_key=True),
        Column("file_name", String, nullable=False),
        Column("file_sha256", String, nullable=False, index=True),
        Column("source", String, nullable=False, default=""),
        Column("encoding", String, nullable=False, default=""),
        Column("delimiter", String, nullable=False, default=""),
        Column("mapping", JSON),
        Column("started_at", UTCDateTime()),
        Column("finished_at", UTCDateTime()),
        Column("rows", Integer, nullable=False, default=0),
        Column("imported", Integer, nullable=False, default=0),
        Column("merged", Integer, nullable=False, default=0),
        Column("rejected", Integer, nullable=False, default=0),
        Column("rejects_file", String),
    )
    Table(
        "suppression",
        meta,
        Column("id", Integer, primary_key=True),
        Column("value", String, nullable=False, index=True),
        Column("channel", String, nullable=False, default="text"),
        Column("reason", String, nullable=False, default="opt-out"),
        Column("evidence", Text, nullable=False, default=""),
        Column("created_at", UTCDateTime()),
        Column("lifted_at", UTCDateTime()),
    )
    Table(
        "event",
        meta,
        Column("id", Integer, primary_key=True),
        Column("lead_id", Integer, nullable=False, index=True),
        Column("at", UTCDateTime()),
        Column("kind", String, nullable=False),
        Column("detail", Text, nullable=False, default=""),
    )
    meta.create_all(connection)


def m002_touches_and_messages(connection: Connection) -> None:
    meta = MetaData()
    touch = Table(
        "touch",
        meta,
        Column("id", Integer, primary_key=True),
        Column("lead_id", Integer, nullable=False, index=True),
        Column("cadence", String, nullable=False, default=""),
        Column("step_key", String, nullable=False, default=""),
        Column("channel", String, nullable=False),
        Column("automated", Boolean, nullable=False, default=False),
        Column("template", String),
        Column("say", Text),
        Column("day", Integer, nullable=False, default=0),
        Column("due_at", UTCDateTime()),
        Column("status", String, nullable=False, default="planned"),
        Column("done_at", UTCDateTime()),
        Column("outcome", String),
        Column("note", Text),
        Column("variant", Integer),
        Column("attempt", Integer),
        # 0 while the lead has never been touched (speed to lead: top of the agenda), else 1.
        Column("rank", Integer, nullable=False, default=1),
    )
    # The agenda and the send run read open touches per channel, never-touched leads first, by
    # due time: one index serves both (and stops at the agenda's limit). A second index on
    # (status, due_at) cost a tenth of a 100,000-lead import for little gain.
    Index("ix_touch_agenda", touch.c.status, touch.c.channel, touch.c.rank, touch.c.due_at)
    Table(
        "message",
        meta,
        Column("id", Integer, primary_key=True),
        Column("lead_id", Integer, index=True),
        Column("touch_id", Integer, index=True),
        Column("direction", String, nullable=False, default="out"),
        Column("channel", String, nullable=False, default="text"),
        Column("to_address", String, nullable=False, default=""),
        Column("from_address", String, nullable=False, default=""),
        Column("subject", String),
        Column("body", Text, nullable=False, default=""),
        Column("template", String),
        Column("variant", Integer),
        Column("provider_id", String, index=True),
        Column("status", String, nullable=False, default="queued"),
        Column("error_code", String),
        Column("created_at", UTCDateTime()),
        Column("sent_at", UTCDateTime()),
    )
    # Small facts the tool keeps about itself, e.g. the fingerprint of the cadence files.
    Table(
        "workspace_state",
        meta,
        Column("key", String, primary_key=True),
        Column("value", Text, nullable=False, default=""),
    )
    meta.create_all(connection)
    # What the agenda shows on every line, kept on the lead so the agenda stays one query.
    for column in (
        "first_touch_at TIMESTAMP",
        "last_touch_at TIMESTAMP",
        "last_touch_channel VARCHAR",
        "last_outcome VARCHAR",
        "attempts INTEGER NOT NULL DEFAULT 0",
        "contacted_at TIMESTAMP",
    ):
        connection.execute(text(f"ALTER TABLE lead ADD COLUMN {column}"))
    connection.execute(text("CREATE INDEX ix_lead_replied_at ON lead (replied_at)"))


def m003_lead_asked_index(connection: Connection) -> None:
    # The agenda's first hour reads the newest leads by when they asked (the lead date, else
    # the import time) without touching the rest; the query must use this same expression.
    connection.execute(
        text("CREATE INDEX ix_lead_asked ON lead (coalesce(lead_date, imported_at))")
    )


def m004_touch_expiry_and_owed(connection: Connection) -> None:
    # When an automated touch stops being worth sending, and how many of its channel its
    # cadence day still asks for (the agenda's "2 calls today").
    for column in ("expires_at TIMESTAMP", "owed INTEGER"):
        connection.execute(text(f"ALTER TABLE touch ADD COLUMN {column}"))
