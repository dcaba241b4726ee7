"""Ordered, named, transactional schema migrations, recorded in the schema_migrations table.

Each migration declares its tables with SQLAlchemy Core, frozen as they were when it was written,
so the same list builds the schema on SQLite or PostgreSQL. Never edit a released migration:
append a new one. The released ones live in migrations_001_004.py and migrations_005_011.py
(modules kept small); this module lists them in order and runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Column, Connection, MetaData, String, Table, inspect, select

from leadchase.errors import DatabaseProblem
from leadchase.store.migrations_001_004 import (
    m001_leads_imports_suppression,
    m002_touches_and_messages,
    m003_lead_asked_index,
    m004_touch_expiry_and_owed,
)
from leadchase.store.migrations_005_011 import (
    m005_lead_details_and_stage_history,
    m006_team_officers,
    m007_intake_requests,
    m008_alerts,
    m009_touch_agenda_by_kind,
    m010_postgres_timestamptz,
    m011_market_rates_and_rate_alerts,
)
from leadchase.store.types import UTCDateTime

Migration = Callable[[Connection], None]


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_leads_imports_suppression", m001_leads_imports_suppression),
    ("002_touches_and_messages", m002_touches_and_messages),
    ("003_lead_asked_index", m003_lead_asked_index),
    ("004_touch_expiry_and_owed", m004_touch_expiry_and_owed),
    ("005_lead_details_and_stage_history", m005_lead_details_and_stage_history),
    ("006_team_officers", m006_team_officers),
    ("007_intake_requests", m007_intake_requests),
    ("008_alerts", m008_alerts),
    ("009_touch_agenda_by_kind", m009_touch_agenda_by_kind),
    ("010_postgres_timestamptz", m010_postgres_timestamptz),
    ("011_market_rates_and_rate_alerts", m011_market_rates_and_rate_alerts),
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
