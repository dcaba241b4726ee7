"""The storage layer: migrations from blank and from the previous schema, SQLite settings, privacy."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, text

from leadchase.store import models
from leadchase.store.database import Database
from leadchase.store.engine import make_engine
from leadchase.store.migrations import MIGRATIONS, applied, migrate


def _columns(url: str) -> dict[str, set[str]]:
    engine = make_engine(url)
    inspector = inspect(engine)
    found = {
        name: {c["name"] for c in inspector.get_columns(name)}
        for name in inspector.get_table_names()
    }
    engine.dispose()
    return found


@pytest.mark.both_backends
def test_blank_database_gets_every_migration_in_order(empty_database_url: str) -> None:
    url = empty_database_url
    database = Database.open(url)
    with database.reading() as connection:
        assert applied(connection) == [name for name, _ in MIGRATIONS]
    database.close()


@pytest.mark.both_backends
def test_migrated_schema_matches_the_models(empty_database_url: str) -> None:
    url = empty_database_url
    Database.open(url).close()
    migrated = _columns(url)
    for table in models.metadata.sorted_tables:
        assert table.name in migrated, table.name
        assert {c.name for c in table.columns} == migrated[table.name], table.name
    assert models.lead_table.name == "lead"


@pytest.mark.both_backends
def test_upgrade_from_previous_schema_keeps_data(empty_database_url: str) -> None:
    url = empty_database_url
    engine = make_engine(url)
    previous = MIGRATIONS[-2][0]  # the schema one release back
    with engine.connect() as connection:
        assert migrate(connection, upto=previous)[-1] == previous
        connection.execute(
            text(
                "INSERT INTO lead (id, name, first_name, last_name, text_ok, address, city,"
                " time_zones, source, offer, loan_purpose, loan_amount, property_value,"
                " credit_rating, external_id, stage, consent_url, consent_text, consent_ip, notes)"
                " VALUES (7, 'Ann Lee', 'Ann', 'Lee', true, '', '', '', 'fb', '', '', '', '', '', '',"
                " 'new', '', '', '', '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO touch (id, lead_id, cadence, step_key, channel, automated, day,"
                " status, rank) VALUES (3, 7, 'internet-lead', 'd1-text-1', 'text', true, 1,"
                " 'planned', 0)"
            )
        )
        connection.commit()
    engine.dispose()
    database = Database.open(url)
    with database.reading() as connection:
        assert applied(connection)[-1] == MIGRATIONS[-1][0]
        assert (
            connection.execute(text("SELECT name FROM lead WHERE id = 7")).scalar_one() == "Ann Lee"
        )
        # 004: a touch planned before expiry existed never expires and owes nothing extra.
        kept = connection.execute(text("SELECT step_key, expires_at, owed FROM touch")).one()
        assert tuple(kept) == ("d1-text-1", None, None)
        # 005: a lead from before has no loan details yet, and the usual 30-year term.
        details = connection.execute(
            text(
                "SELECT note_rate, closing_date, birthday, co_borrower_name, loan_term_years,"
                " stage FROM lead"
            )
        ).one()
        assert tuple(details) == (None, None, None, "", 30, "new")
        assert connection.execute(text("SELECT count(*) FROM stage_change")).scalar_one() == 0
    database.close()


@pytest.mark.both_backends
def test_migrations_are_idempotent(empty_database_url: str) -> None:
    url = empty_database_url
    Database.open(url).close()
    engine = make_engine(url)
    with engine.connect() as connection:
        assert migrate(connection) == []
    engine.dispose()


@pytest.mark.both_backends
def test_failed_migration_leaves_nothing_half_done(empty_database_url: str, monkeypatch) -> None:
    url = empty_database_url

    def explode(connection) -> None:
        connection.execute(text("CREATE TABLE half_done (x INTEGER)"))
        raise RuntimeError("boom")

    monkeypatch.setattr(
        "leadchase.store.migrations.MIGRATIONS", [*MIGRATIONS, ("999_explodes", explode)]
    )
    engine = make_engine(url)
    with engine.connect() as connection:
        with pytest.raises(RuntimeError):
            migrate(connection)
        connection.rollback()
        assert "half_done" not in inspect(connection).get_table_names()
        assert "999_explodes" not in applied(connection)
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_busy_timeout_and_private_files(tmp_path: Path) -> None:
    path = tmp_path / "leads.db"
    database = Database.open(f"sqlite:///{path}")
    with database.reading() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() >= 5000
    with database.writing() as connection:
        connection.execute(
            models.event_table.insert().values(
                lead_id=1, kind="note", detail="x", at=datetime(2026, 1, 1, tzinfo=UTC)
            )
        )
    for file in tmp_path.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
    database.close()


@pytest.mark.both_backends
def test_datetimes_come_back_aware_utc(empty_database_url: str) -> None:
    database = Database.open(empty_database_url)
    # A moment given in New York's zone comes back as the same moment, in UTC, on both backends.
    moment = datetime(2026, 3, 8, 6, 30, 15, 123456, tzinfo=UTC)
    given = moment.astimezone(ZoneInfo("America/New_York"))
    table = models.event_table
    with database.writing() as connection:
        connection.execute(table.insert().values(lead_id=1, kind="note", at=given))
    with database.reading() as connection:
        stored = connection.execute(table.select()).one().at
    assert stored == moment and stored.tzinfo is UTC
    database.close()


@pytest.mark.postgres
def test_every_time_column_is_timestamptz_on_postgres(empty_database_url: str) -> None:
    database = Database.open(empty_database_url)
    with database.reading() as connection:
        kinds = connection.execute(
            text(
                "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = current_schema()"
                " AND (data_type LIKE 'timestamp%' OR data_type = 'date')"
            )
        ).all()
    database.close()
    # A day without a time (005's closing date and birthday, 011's market rate day) stays a DATE.
    days = {column for column, kind in kinds if kind == "date"}
    assert days == {"lead.closing_date", "lead.birthday", "market_rate.on_day"}
    found = {column: kind for column, kind in kinds if column not in days}
    assert "lead.last_touch_at" in found  # a column added by raw DDL (002)
    # and the tables of 005-008: the stage history, officers, the intake's answers, alerts
    for column in ("stage_change.at", "stage_change.recorded_at", "officer.created_at",
                   "intake_request.created_at", "alert.created_at", "alert.sent_at"):  # fmt: skip
        assert found[column] == "timestamp with time zone", column
    assert set(found.values()) == {"timestamp with time zone"}
