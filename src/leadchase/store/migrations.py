"""Ordered, named, transactional schema migrations, recorded in the schema_migrations table.

Each migration declares its tables with SQLAlchemy Core, frozen as they were when it was written,
so the same list builds the schema on SQLite or PostgreSQL. Never edit a released migration:
append a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

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
    inspect,
    select,
    text,
)

from leadchase.errors import DatabaseProblem
from leadchase.store.types import UTCDateTime

Migration = Callable[[Connection], None]


def _m001_leads_imports_suppression(connection: Connection) -> None:
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


def _m002_touches_and_messages(connection: Connection) -> None:
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


def _m003_lead_asked_index(connection: Connection) -> None:
    # The agenda's first hour reads the newest leads by when they asked (the lead date, else
    # the import time) without touching the rest; the query must use this same expression.
    connection.execute(
        text("CREATE INDEX ix_lead_asked ON lead (coalesce(lead_date, imported_at))")
    )


def _m004_touch_expiry_and_owed(connection: Connection) -> None:
    # When an automated touch stops being worth sending, and how many of its channel its
    # cadence day still asks for (the agenda's "2 calls today").
    for column in ("expires_at TIMESTAMP", "owed INTEGER"):
        connection.execute(text(f"ALTER TABLE touch ADD COLUMN {column}"))


def _m005_lead_details_and_stage_history(connection: Connection) -> None:
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


def _m008_alerts(connection: Connection) -> None:
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


def _m006_team_officers(connection: Connection) -> None:
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


def _m009_touch_agenda_by_kind(connection: Connection) -> None:
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


def _m007_intake_requests(connection: Connection) -> None:
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


def _m010_postgres_timestamptz(connection: Connection) -> None:
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


def _m011_market_rates_and_rate_alerts(connection: Connection) -> None:
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


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_leads_imports_suppression", _m001_leads_imports_suppression),
    ("002_touches_and_messages", _m002_touches_and_messages),
    ("003_lead_asked_index", _m003_lead_asked_index),
    ("004_touch_expiry_and_owed", _m004_touch_expiry_and_owed),
    ("005_lead_details_and_stage_history", _m005_lead_details_and_stage_history),
    ("006_team_officers", _m006_team_officers),
    ("007_intake_requests", _m007_intake_requests),
    ("008_alerts", _m008_alerts),
    ("009_touch_agenda_by_kind", _m009_touch_agenda_by_kind),
    ("010_postgres_timestamptz", _m010_postgres_timestamptz),
    ("011_market_rates_and_rate_alerts", _m011_market_rates_and_rate_alerts),
]

_ledger_meta = MetaData()
schema_migrations = Table(
    "schema_migrations",
    _ledger_meta,
    Column("name", String, primary_key=True),
    Column("applied_at", UTCDateTime(), nullable=False),
)


def applied(connection: Connection) -> list[str]:
    if not inspect(connection).has_table("schema_migrations"):
        return []
    return [row[0] for row in connection.execute(select(schema_migrations.c.name))]


def pending(connection: Connection) -> list[str]:
    """The migrations this database has not had yet, in order."""
    done = set(applied(connection))
    return [name for name, _ in MIGRATIONS if name not in done]


def check_migrated(connection: Connection, where: str) -> None:
    """A database that cannot be written must already have every migration."""
    missing = pending(connection)
    if missing:
        raise DatabaseProblem(
            f"the database at {where} needs upgrading ({', '.join(missing)}) but is read-only "
            "for you: nothing was changed; open it once where you can write it"
        )


def migrate(connection: Connection, upto: str | None = None) -> list[str]:
    """Apply, in order, each migration not yet recorded; each one in its own transaction."""
    _ledger_meta.create_all(connection)
    connection.commit()
    done = set(applied(connection))
    connection.commit()
    ran: list[str] = []
    for name, step in MIGRATIONS:
        if name not in done:
            with connection.begin():
                step(connection)
                connection.execute(
                    schema_migrations.insert().values(name=name, applied_at=datetime.now(UTC))
                )
            ran.append(name)
        if name == upto:
            break
    return ran
