"""What store/ hands out: typed, frozen records (store/records.py), never a database row."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import FrozenInstanceError, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Table, text

from leadchase.config import load_settings
from leadchase.context import open_workspace
from leadchase.store import leads as lead_store
from leadchase.store import sending, suppressions
from leadchase.store.history_records import ClaimedTouch, Event, LeadMessage, Suppression
from leadchase.store.models import (
    event_table,
    lead_table,
    message_table,
    suppression_table,
    touch_table,
)
from leadchase.store.records import DueTouch, Lead, Message, Touch
from leadchase.workspace import Workspace
from tests.conftest import import_lead, run

# Storage-heavy: run on SQLite and on PostgreSQL (tests/conftest.py, backend).
pytestmark = pytest.mark.both_backends

ARRIVAL = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)  # 10:00 in San Francisco
LATER = ARRIVAL + timedelta(hours=1)
PHONE = "+14155552671"


@pytest.mark.parametrize(
    ("record", "table", "left_out"),
    [
        (Lead, lead_table, {"raw"}),
        (Touch, touch_table, set()),
        (Message, message_table, set()),
        (Event, event_table, set()),
        (Suppression, suppression_table, set()),
    ],
)
def test_a_record_holds_every_column_of_its_table(
    record: type, table: Table, left_out: set[str]
) -> None:
    columns = {column.name for column in table.columns}
    assert {field.name for field in fields(record)} == columns - left_out


def test_records_load_without_sqlalchemy() -> None:
    code = "import sys, leadchase.store.records; print('sqlalchemy' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(Path(__file__).parents[1] / "src")},
    )
    assert result.stdout.split() == ["False"]


def test_a_stored_lead_reads_back_as_a_frozen_lead(workspace: Workspace) -> None:
    lead_id = import_lead(workspace, ARRIVAL, name="Ann Lee", source="Zillow")
    with open_workspace(workspace.root) as context, context.database.reading() as connection:
        lead = lead_store.get(connection, lead_id)
        raw = lead_store.raw_columns(connection, lead_id)
        by_phone = lead_store.by_key(connection, PHONE, None)
        by_email = lead_store.by_key(connection, None, "ann@example.com")
        listed, total = lead_store.search(connection, text="Ann")
        assert lead_store.get(connection, lead_id + 1) is None
    assert isinstance(lead, Lead)
    assert (lead.name, lead.phone, lead.email, lead.state) == (
        "Ann Lee", PHONE, "ann@example.com", "CA",
    )  # fmt: skip
    assert lead.imported_at == ARRIVAL and lead.imported_at.tzinfo is UTC
    assert (lead.sources, lead.other_phones) == (("Zillow",), ())
    assert lead.cadence == "internet-lead" and lead.attempts == 0 and lead.text_ok
    assert raw["name"] == "Ann Lee"  # the vendor's row, which Lead leaves out
    assert by_phone == by_email == listed == [lead] and total == 1
    with pytest.raises(FrozenInstanceError):
        lead.name = "Someone else"  # type: ignore[misc]


def test_due_touches_come_with_their_lead_and_leave_with_a_dnc_entry(
    workspace: Workspace,
) -> None:
    lead_id = import_lead(workspace, ARRIVAL)
    with open_workspace(workspace.root) as context:
        reader = context.reader
        (due,), total = reader.agenda_rows(LATER, "call", automated_as_manual=True, limit=5)
        with context.database.writing() as connection:
            suppressions.add_dnc_many(connection, {PHONE: "test list"}, ARRIVAL)
        listed_calls, _ = reader.agenda_rows(LATER, "call", automated_as_manual=True, limit=5)
        with context.database.reading() as connection:
            automated = sending.due_automated(connection, LATER, ("text", "email"), None)
            (listed,) = suppressions.dnc_entries(connection)
    assert isinstance(due, DueTouch) and total == 1
    assert due.lead.id == due.touch.lead_id == lead_id
    assert (due.touch.channel, due.touch.status, due.touch.rank) == ("call", "planned", 0)
    assert due.touch.due_at <= LATER and due.touch.due_at.tzinfo is UTC
    # On the do-not-call list: no call is offered any more. The automated text still comes
    # due; the send run's policy check is what refuses it (tests/test_policy_paths.py).
    assert listed_calls == []
    assert {task.touch.channel for task in automated} == {"text", "email"}
    assert all(task.touch.automated for task in automated)
    assert (listed.value, listed.channel, listed.evidence) == (PHONE, "dnc", "test list")


def test_a_claim_reads_back_with_its_message_if_it_got_that_far(workspace: Workspace) -> None:
    import_lead(workspace, ARRIVAL)
    with open_workspace(workspace.root) as context:
        with context.database.writing() as connection:
            text, email = sorted(
                sending.due_automated(connection, LATER, ("text", "email"), None),
                key=lambda task: task.touch.channel,
                reverse=True,
            )
            for task in (text, email):
                assert sending.claim(connection, task.touch.id, LATER)
            message_id = sending.add_message(
                connection,
                {
                    "lead_id": text.lead.id,
                    "touch_id": text.touch.id,
                    "to_address": PHONE,
                    "body": "Hi Ann",
                    "status": "claimed",
                    "created_at": LATER,
                },
            )
        with context.database.reading() as connection:
            claims = {claim.touch.channel: claim for claim in sending.claimed(connection)}
    assert all(isinstance(claim, ClaimedTouch) for claim in claims.values())
    assert claims["text"].message is not None
    assert (claims["text"].message.id, claims["text"].message.body) == (message_id, "Hi Ann")
    assert claims["email"].message is None
    assert claims["email"].touch.status == "claimed" and claims["email"].touch.done_at == LATER
    assert claims["email"].lead == text.lead


def test_an_inbound_text_from_an_unknown_number_has_no_lead(workspace: Workspace) -> None:
    lead_id = import_lead(workspace, ARRIVAL)
    with open_workspace(workspace.root) as context:
        with context.database.writing() as connection:
            for minutes, sender, known in ((5, PHONE, lead_id), (9, "+12125550100", None)):
                sending.add_message(
                    connection,
                    {
                        "lead_id": known,
                        "direction": "in",
                        "from_address": sender,
                        "body": f"text from {sender}",
                        "status": "reply",
                        "created_at": ARRIVAL + timedelta(minutes=minutes),
                    },
                )
        with context.database.reading() as connection:
            stranger, ours = sending.inbound_messages(connection, 10)
    assert isinstance(ours, LeadMessage) and ours.lead is not None
    assert (ours.lead.id, ours.message.from_address) == (lead_id, PHONE)
    assert stranger.lead is None and stranger.message.from_address == "+12125550100"


def test_the_plain_reader_knows_every_migration() -> None:
    from leadchase.store.fast import KNOWN_MIGRATIONS
    from leadchase.store.migrations import MIGRATIONS

    # A migration the reader does not know of would let `today` read a schema not yet there.
    assert list(KNOWN_MIGRATIONS) == [name for name, _ in MIGRATIONS]


def test_today_loads_no_sqlalchemy_on_a_migrated_workspace(workspace: Workspace) -> None:
    import_lead(workspace, ARRIVAL)
    # The first agenda records the cadences it planned with (a write, through SQLAlchemy).
    assert run("today", now=LATER).exit_code == 0
    code = (
        "import sys\n"
        "from leadchase.cli import app\n"
        "try:\n"
        "    app(['today'])\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        "heavy = ['sqlalchemy', 'sqlmodel', 'pydantic', 'holidays', 'twilio', 'apscheduler']\n"
        "print('HEAVY=' + ','.join(m for m in heavy if m in sys.modules))\n"
    )
    env = {"LEADCHASE_HOME": str(workspace.root), "LEADCHASE_NOW": LATER.isoformat()}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "CALL" in result.stdout  # the agenda was read and shown
    assert result.stdout.strip().splitlines()[-1] == "HEAVY="


def test_today_migrates_a_database_behind_then_reads_it(workspace: Workspace) -> None:
    from leadchase.store.fast import open_reader
    from leadchase.store.migrations import migrate

    lead_id = import_lead(workspace, ARRIVAL)
    url = load_settings(workspace).database_url  # the SQLite file, or the PostgreSQL database
    with open_workspace(workspace.root) as context, context.database.writing() as connection:
        # As a database from before migration 009 was.
        connection.execute(
            text("DELETE FROM schema_migrations WHERE name = :name"),
            {"name": "009_touch_agenda_by_kind"},
        )
        connection.exec_driver_sql("DROP INDEX ix_touch_agenda_by_kind")
        connection.exec_driver_sql(
            "CREATE INDEX ix_touch_agenda ON touch (status, channel, rank, due_at)"
        )
    assert open_reader(url) is None  # a migration pending: not read as it is
    with open_workspace(workspace.root) as context:
        (due,), _ = context.reader.agenda_rows(LATER, "call", automated_as_manual=True, limit=5)
        assert due.lead.id == lead_id
        with context.database.reading() as connection:
            assert migrate(connection) == []  # opening for the reader migrated it
    reader = open_reader(url)
    assert reader is not None
    reader.close()
