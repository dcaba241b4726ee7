"""A send run records its batch of sent texts together (cadence/made.py's record_made): every
row must come out as recording them one at a time with record_touch makes it, in the same order."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, text

from leadchase.cadence.made import MadeTouch, record_made
from leadchase.cadence.service import FollowUp, record_touch
from leadchase.context import open_workspace
from leadchase.store import leads as lead_store
from leadchase.store import suppressions
from leadchase.store import touches as touch_store
from leadchase.workspace import Workspace
from tests.conftest import SF_MORNING, import_leads, query

pytestmark = pytest.mark.both_backends

TABLES = ("lead", "touch", "event", "stage_change")
LEADS = "SELECT id FROM lead ORDER BY id"


class _RolledBack(Exception):
    """Raised to undo a transaction once its rows are read."""


Rows = dict[str, list[dict[str, Any]]]


def _rows(connection: Connection) -> Rows:
    """Every row of the tables a record writes, in id order, without the ids (PostgreSQL does
    not give back the ids a rolled-back transaction took)."""
    found = {}
    for table in TABLES:
        result = connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))  # noqa: S608
        found[table] = [
            {name: value for name, value in row._mapping.items() if name != "id"} for row in result
        ]
    return found


def _recorded(workspace: Workspace, together: bool) -> Rows:
    """The rows after recording one sent text for each of four leads: a plain one, one sent
    a month late (its missed touches recorded as skipped), one with no cadence and nothing
    else open (kept in touch: it moves to nurture) and one whose texts an opt-out closed
    meanwhile. The transaction is rolled back, for the next call to start from the same rows."""
    rows: Rows = {}
    with open_workspace(workspace.root) as context, pytest.raises(_RolledBack):
        followup = FollowUp.load(context.settings)
        with context.database.writing() as connection:
            ids = [row[0] for row in connection.execute(text(LEADS))]
            plain, late, no_cadence, opted_out = ids
            lead_store.update_lead(connection, no_cadence, {"cadence": None})
            touch_store.cancel_open(connection, no_cadence, SF_MORNING, "test", ("call", "email"))
            made = []
            for lead_id in ids:
                lead = lead_store.get(connection, lead_id)
                assert lead is not None and lead.phone is not None
                (touch,) = [
                    t for t in touch_store.open_touches(connection, lead_id) if t.channel == "text"
                ]
                at = SF_MORNING + timedelta(days=30 if lead_id == late else 0, minutes=lead_id)
                if lead_id == opted_out:
                    suppressions.add(
                        connection, lead.phone, channel="text", reason="opt-out", now=at
                    )
                extra = {"variant": 1, "attempt": 1}
                made.append(MadeTouch(lead, touch.id, "text", at, extra))
            reach = [v for m in made for v in (m.lead.phone, m.lead.email) if v]
            scopes = suppressions.live_scopes(connection, reach)
            assert plain not in {m.lead.id for m in made if m.lead.phone in scopes}
            if together:
                record_made(
                    connection, followup, made, outcome="sent", status="sent", scopes=scopes
                )
            else:
                for m in made:
                    record_touch(
                        connection, followup, m.lead, m.channel, m.at, outcome="sent",
                        status="sent", touch_id=m.touch_id, extra=m.extra, scopes=scopes,
                    )  # fmt: skip
            rows = _rows(connection)
            raise _RolledBack
    return rows


def test_a_batch_recorded_together_makes_the_rows_one_at_a_time_would(
    workspace: Workspace,
) -> None:
    import_leads(workspace, SF_MORNING, 4)
    before = query(workspace, "SELECT id FROM touch")
    one_at_a_time = _recorded(workspace, together=False)
    together = _recorded(workspace, together=True)
    assert together == one_at_a_time
    # The cases above are the ones meant: the late lead's missed texts skipped before its
    # next one, the lead without a cadence moved to nurture with nurture's touches planned
    # (after the others' rows), and no text planned for the lead who opted out.
    plain, late, no_cadence, _opted_out = (row[0] for row in query(workspace, LEADS))
    added = together["touch"][len(before) :]
    assert [row["lead_id"] for row in added] == sorted(row["lead_id"] for row in added)
    assert {row["lead_id"] for row in added} == {plain, late, no_cadence}
    assert any(row["status"] == "skipped" for row in added if row["lead_id"] == late)
    assert {row["cadence"] for row in added if row["lead_id"] == no_cadence} == {"nurture"}
    assert [row["to_stage"] for row in together["stage_change"]] == ["nurture"]
