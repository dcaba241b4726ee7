"""store/fast.py, the plain-SQL reader `today` uses, on SQLite and PostgreSQL: the same rows as
records, from a schema the migrations made."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from leadchase.store.engine import make_engine
from leadchase.store.fast import Reader, open_reader
from leadchase.store.migrations import migrate
from leadchase.store.records import Sent

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)

ONLY_MANUAL: dict[str, Any] = {"automated_as_manual": False, "limit": 10}


def _stored(moment: datetime, postgres: bool) -> datetime:
    """A time as leadchase stores it: naive UTC on SQLite, an aware moment for timestamptz."""
    return moment if postgres else moment.astimezone(UTC).replace(tzinfo=None)


@pytest.fixture
def url(empty_database_url: str) -> str:
    """A migrated database holding two leads: Ann (due call and text, a reply waiting) and Bo
    (opted out of texts), and a touch due tomorrow."""
    engine = make_engine(empty_database_url)
    with engine.connect() as connection:
        migrate(connection)
        with connection.begin():
            _fill(connection, engine.dialect.name == "postgresql")
    engine.dispose()
    return empty_database_url


def _fill(connection: Any, postgres: bool) -> None:
    def at(moment: datetime) -> datetime:
        return _stored(moment, postgres)

    leads = [
        {"id": 1, "name": "Ann Lee", "phone": "+14155552671", "email": "ann@example.com",
         "sources": '["Zillow"]', "other_phones": "[]", "lead_date": at(NOW),
         "imported_at": at(NOW), "replied_at": at(NOW + timedelta(minutes=5))},
        {"id": 2, "name": "Bo Chen", "phone": "+14155552672", "email": None,
         "sources": "[]", "other_phones": "[]", "lead_date": at(NOW - timedelta(days=9)),
         "imported_at": at(NOW), "replied_at": None},
    ]  # fmt: skip
    for lead in leads:
        connection.execute(
            text(
                "INSERT INTO lead (id, name, first_name, last_name, phone, text_ok, email,"
                " address, city, time_zones, source, sources, other_phones, offer, loan_purpose,"
                " loan_amount, property_value, credit_rating, external_id, lead_date,"
                " imported_at, stage, consent_url, consent_text, consent_ip, notes, attempts,"
                " replied_at) VALUES (:id, :name, '', '', :phone, true, :email, '', '', '', '',"
                " :sources, :other_phones, '', '', '', '', '', '', :lead_date, :imported_at,"
                " 'new', '', '', '', '', 0, :replied_at)"
            ),
            lead,
        )
    touches = [
        (1, "call", False, 0, NOW), (1, "text", True, 0, NOW), (2, "call", False, 1, NOW),
        (2, "text", False, 1, NOW), (1, "email", True, 0, NOW + timedelta(days=1)),
    ]  # fmt: skip
    for number, (lead_id, channel, automated, rank, due) in enumerate(touches, start=1):
        connection.execute(
            text(
                'INSERT INTO touch (id, lead_id, cadence, step_key, channel, automated, "day",'
                ' due_at, status, "rank") VALUES (:id, :lead, \'internet-lead\', \'\', :channel,'
                " :automated, 1, :due, 'planned', :rank)"
            ),
            {"id": number, "lead": lead_id, "channel": channel, "automated": automated,
             "due": at(due), "rank": rank},
        )  # fmt: skip
    connection.execute(
        text(
            "INSERT INTO suppression (value, channel, reason, evidence, created_at)"
            " VALUES ('+14155552672', 'text', 'opt-out', '', :at)"
        ),
        {"at": at(NOW)},
    )
    connection.execute(
        text(
            "INSERT INTO message (lead_id, direction, channel, to_address, from_address, body,"
            " status, created_at) VALUES (1, 'in', 'text', '', '+14155552671', 'call me',"
            " 'reply', :at)"
        ),
        {"at": at(NOW + timedelta(minutes=5))},
    )
    connection.execute(
        text("INSERT INTO workspace_state (key, value) VALUES ('cadence:internet-lead', 'abc')")
    )


@pytest.fixture
def reader(url: str) -> Iterator[Reader]:
    opened = open_reader(url)
    assert opened is not None, "a migrated database is read as it is"
    yield opened
    opened.close()


@pytest.mark.both_backends
def test_due_touches_come_in_rank_then_due_order_with_a_count(reader: Reader) -> None:
    later = NOW + timedelta(hours=1)
    calls, total = reader.agenda_rows(later, "call", automated_as_manual=False, limit=10)
    assert [(task.lead.name, task.touch.rank) for task in calls] == [
        ("Ann Lee", 0), ("Bo Chen", 1),
    ]  # fmt: skip
    assert total == 2
    ann = calls[0].lead
    assert ann.sources == ("Zillow",) and ann.other_phones == () and ann.text_ok is True
    assert ann.lead_date == NOW and ann.lead_date.tzinfo is UTC
    assert calls[0].touch.due_at == NOW and calls[0].touch.automated is False
    # Automated texts are the officer's only while sending is not configured; Bo opted out.
    manual, _ = reader.agenda_rows(later, "text", automated_as_manual=False, limit=10)
    every, counted = reader.agenda_rows(later, "text", automated_as_manual=True, limit=10)
    assert manual == [] and [task.lead.id for task in every] == [1] and counted == 2
    assert reader.agenda_rows(later, "email", automated_as_manual=True, limit=10)[1] == 0
    first = reader.first_hour_rows(
        later, "call", NOW - timedelta(hours=1), automated_as_manual=False, limit=10
    )
    assert [task.lead.id for task in first] == [1]  # Bo asked nine days ago


@pytest.mark.both_backends
def test_replies_opt_outs_and_the_next_touch(reader: Reader) -> None:
    (waiting,) = reader.replies_waiting(limit=5)
    last = reader.last_inbound(waiting.id)
    assert waiting.name == "Ann Lee" and last is not None and last.body == "call me"
    assert reader.live_scopes(["+14155552672", "ann@example.com"]) == {
        "+14155552672": frozenset({"text"})
    }
    assert reader.next_due(NOW + timedelta(hours=1)) == NOW + timedelta(days=1)
    assert reader.states("cadence:") == {"cadence:internet-lead": "abc"}
    assert reader.made_counts([1, 2], "call") == {} and reader.sent_to(1).bodies == ()
    assert reader.attempt_times_of([1, 2], NOW - timedelta(days=1)) == {}


@pytest.mark.postgres
def test_a_server_in_another_time_zone_reads_the_same_moments(url: str) -> None:
    # A server (or database) whose TimeZone is not UTC gives timestamptz values in its own zone
    # and reads naive parameters in it: the reader's session is in UTC, and what it reads and
    # compares are the moments stored.
    engine = make_engine(url)
    with engine.connect() as connection:
        name = connection.exec_driver_sql("SELECT current_database()").scalar_one()
        connection.exec_driver_sql(f"ALTER DATABASE \"{name}\" SET timezone = 'America/New_York'")
        connection.commit()
    engine.dispose()
    reader = open_reader(url)
    assert reader is not None
    try:
        (zone,) = reader.rows("SHOW TimeZone")[0]
        calls, _ = reader.agenda_rows(NOW, "call", automated_as_manual=False, limit=10)
        assert zone == "UTC" and [task.lead.id for task in calls] == [1, 2]
        assert calls[0].lead.lead_date == NOW and calls[0].touch.due_at == NOW
        assert reader.agenda_rows(NOW - timedelta(seconds=1), "call", **ONLY_MANUAL)[0] == []
        assert reader.next_due(NOW) == NOW + timedelta(days=1)
    finally:
        reader.close()


@pytest.mark.both_backends
def test_what_leads_were_sent_is_read_for_all_of_them_at_once(url: str) -> None:
    engine = make_engine(url)
    postgres = engine.dialect.name == "postgresql"
    sent = [
        (1, "text", "Hi Ann", None, "sent"), (2, "email", "Rates moved", "For you, Bo", "sent"),
        (1, "email", "Never left", "Failed", "failed"), (1, "text", "Hi again", None, "delivered"),
    ]  # fmt: skip
    with engine.begin() as connection:
        for lead_id, channel, body, subject, status in sent:
            connection.execute(
                text(
                    "INSERT INTO message (lead_id, direction, channel, to_address, from_address,"
                    " subject, body, status, created_at) VALUES (:lead, 'out', :channel, '', '',"
                    " :subject, :body, :status, :at)"
                ),
                {"lead": lead_id, "channel": channel, "subject": subject, "body": body,
                 "status": status, "at": _stored(NOW, postgres)},
            )  # fmt: skip
    engine.dispose()
    reader = open_reader(url)
    assert reader is not None
    try:
        got = reader.sent_to_of([2, 1, 3, 1])
        assert got == {
            1: Sent(bodies=("Hi Ann", "Hi again"), subjects=()),
            2: Sent(bodies=("Rates moved",), subjects=("For you, Bo",)),
        }
        assert reader.sent_to(1) == got[1] and reader.sent_to(3) == Sent()
    finally:
        reader.close()
