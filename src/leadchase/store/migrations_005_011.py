"""Released migrations 005-011: loan details and stage history, the team's officers, intake
requests, officer alerts, the agenda's index by kind, PostgreSQL's timestamptz, market rates.

Frozen as released: never edit one; migrations.py lists them in order.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from leadchase.store.types import UTCDateTime


def m005_lead_details_and_stage_history(connection: Connection) -> None:
    # What the officer learns about a loan (note rate, closing, birthday...) for past-client
    # campaigns and rate alerts; the loan term defaults to the usual 30 years.
    for column in (
        "note_rate FLOAT",
        "closing_date DATE",
        "birthday DATE",
        "co_borrower_name VARCHAR NOT NULL DEFAULT ''",
        "loan_term_years INTEGER NOT NULL DEFAULT 30",
    ):
        connection.execute(text(f"ALTER TABLE lead ADD COLUMN {column}"))
    # Every stage change: when it happened (maybe earlier than it was entered), who or what
    # moved the lead, and why (a lost lead's reason).
    meta = MetaData()
    Table(
        "stage_change",
        meta,
        Column("id", Integer, primary_key=True),
        Column("lead_id", Integer, nullable=False, index=True),
        Column("at", UTCDateTime(), nullable=False),
        Column("recorded_at", UTCDateTime(), nullable=False),
        Column("from_stage", String, nullable=False, default=""),
        Column("to_stage", String, nullable=False),
        Column("reason", String, nullable=False, default=""),
        Column("note", Text, nullable=False, default=""),
        Column("moved_by", String, nullable=False, default=""),
    )
    meta.create_all(connection)
    # `today` looks for quiet conversations by stage (engaged leads that stopped replying).
    # Partial: the new leads, nearly all of a large workspace, stay out of it, so an import
    # pays nothing for it and the first hour's query keeps its own index (ix_lead_asked).
    connection.execute(text("CREATE INDEX ix_lead_in_play ON lead (stage) WHERE stage <> 'new'"))


def m008_alerts(connection: Connection) -> None:
    # What the officer was told (a new lead, a reply), by text or email to their own phone or
    # address. Kept apart from `message`, which holds what went to and came from leads: an
    # alert is never a touch, never counts toward a lead's caps and never reads as a reply.
    meta = MetaData()
    alert = Table(
        "alert",
        meta,
        Column("id", Integer, primary_key=True),
        Column("lead_id", Integer, index=True),
        Column("kind", String, nullable=False),
        Column("channel", String, nullable=False),
        Column("to_address", String, nullable=False, default=""),
        Column("subject", String),
        Column("body", Text, nullable=False, default=""),
        Column("status", String, nullable=False, default="pending"),
        Column("provider_id", String, index=True),
        Column("error", Text),
        Column("created_at", UTCDateTime()),
        Column("sent_at", UTCDateTime()),
    )
    # Each pass looks for the alerts waiting to go.
    Index("ix_alert_status", alert.c.status, alert.c.created_at)
    meta.create_all(connection)


def m006_team_officers(connection: Connection) -> None:
    # The team's officers beside the [officer] of leadchase.toml (the default officer, who owns
    # every lead whose officer_id is NULL), and the round-robin's turn counter: one row, bumped
    # in the import's own transaction so two imports never deal the same turn.
    meta = MetaData()
    Table(
        "officer",
        meta,
        Column("id", Integer, primary_key=True),
        Column("name", String, nullable=False),
        Column("phone", String, nullable=False, default=""),
        Column("email", String, nullable=False, default=""),
        Column("nmls", String, nullable=False, default=""),
        Column("from_number", String, nullable=False, default=""),
        Column("messaging_service_sid", String, nullable=False, default=""),
        Column("signature", Text, nullable=False, default=""),
        Column("window_start", String, nullable=False, default=""),
        Column("window_end", String, nullable=False, default=""),
        Column("timezone", String, nullable=False, default=""),
        Column("active", Boolean, nullable=False, default=True),
        Column("created_at", UTCDateTime()),
    )
    Table(
        "officer_turn",
        meta,
        Column("key", String, primary_key=True),
        Column("turns", Integer, nullable=False, default=0),
    )
    meta.create_all(connection)
    connection.execute(text("ALTER TABLE lead ADD COLUMN officer_id INTEGER"))
    connection.execute(text("CREATE INDEX ix_lead_officer ON lead (officer_id)"))
    connection.execute(text("INSERT INTO officer_turn (key, turns) VALUES ('round-robin', 0)"))


def m009_touch_agenda_by_kind(connection: Connection) -> None:
    # The agenda reads (and counts) a channel's due touches done by hand apart from automated
    # ones: with `automated` in the index each kind is one range in due order, so counting
    # the call tasks never walks a million automated texts. It replaces ix_touch_agenda (same
    # leading columns, so the send run's query keeps an index, and an import one index less).
    connection.execute(text("DROP INDEX IF EXISTS ix_touch_agenda"))
    connection.execute(
        text(
            "CREATE INDEX ix_touch_agenda_by_kind"
            " ON touch (status, channel, automated, rank, due_at)"
        )
    )


def m007_intake_requests(connection: Connection) -> None:
    # The answer given to each POST /leads that carried an Idempotency-Key: a retry gets the
    # same answer and stores nothing again.
    meta = MetaData()
    Table(
        "intake_request",
        meta,
        Column("key", String, primary_key=True),
        Column("status", Integer, nullable=False),
        Column("answer", JSON),
        Column("created_at", UTCDateTime()),
    )
    meta.create_all(connection)


def m010_postgres_timestamptz(connection: Connection) -> None:
    # Columns added with "TIMESTAMP" in raw DDL are naive on PostgreSQL; every time leadchase
    # stores is a UTC moment, so they become timestamptz like the ones the tables were made
    # with. Nothing to do on SQLite, which keeps times as naive UTC text.
    if connection.dialect.name != "postgresql":
        return
    naive = connection.execute(
        text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() "
            "AND data_type = 'timestamp without time zone' ORDER BY table_name, column_name"
        )
    ).all()
    for table, column in naive:
        connection.execute(
            text(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE timestamptz '
                f"USING \"{column}\" AT TIME ZONE 'UTC'"
            )
        )


def m011_market_rates_and_rate_alerts(connection: Connection) -> None:
    meta = MetaData()
    # The market rate of each product ("30yr") by the day it was for: the history `rates`
    # shows; one rate per product and day (setting it again corrects it).
    Table(
        "market_rate",
        meta,
        Column("id", Integer, primary_key=True),
        Column("product", String, nullable=False),
        Column("on_day", Date, nullable=False),
        Column("rate", Float, nullable=False),
        Column("recorded_at", UTCDateTime(), nullable=False),
        UniqueConstraint("product", "on_day", name="uq_market_rate_product_day"),
    )
    # Each rate-drop alert planned for a lead: for which rate move (the market_rate row where
    # the rate reached its level), with the numbers its call task and text say.
    Table(
        "rate_alert",
        meta,
        Column("id", Integer, primary_key=True),
        Column("lead_id", Integer, nullable=False, index=True),
        Column("planned_at", UTCDateTime(), nullable=False),
        Column("product", String, nullable=False),
        Column("move_id", Integer, nullable=False),
        Column("note_rate", Float, nullable=False),
        Column("market_rate", Float, nullable=False),
        Column("loan_amount", Integer, nullable=False, default=0),
        Column("monthly_saving", Integer, nullable=False, default=0),
        Column("call_touch_id", Integer),
        Column("text_touch_id", Integer),
    )
    meta.create_all(connection)
