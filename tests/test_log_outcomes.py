"""What a logged outcome does to a lead: a conversation moves it on, a bad number closes the phone,
and a lead someone reached is no longer shown as new."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leadchase.context import open_workspace
from leadchase.store import leads as lead_store
from leadchase.store import touches as touch_store
from leadchase.store.records import Lead
from leadchase.workspace import Workspace
from tests.conftest import SF_MORNING, agenda_at, import_lead, query, run


def _open_touches(workspace: Workspace, lead: int) -> list[tuple[str, bool, int]]:
    with open_workspace(workspace.root) as context, context.database.reading() as connection:
        touches = touch_store.open_touches(connection, lead)
    return sorted((touch.channel, touch.automated, touch.rank) for touch in touches)


def _lead(workspace: Workspace, lead: int) -> Lead:
    with open_workspace(workspace.root) as context, context.database.reading() as connection:
        found = lead_store.get(connection, lead)
    assert found is not None
    return found


def _stage(workspace: Workspace, lead: int) -> str:
    return _lead(workspace, lead).stage


def test_a_lead_staged_contacted_is_no_longer_shown_as_new(workspace: Workspace) -> None:
    lead = import_lead(workspace, SF_MORNING)
    assert run("stage", str(lead), "contacted", now=SF_MORNING + timedelta(days=2)).exit_code == 0
    agenda = agenda_at(workspace, SF_MORNING + timedelta(days=2, minutes=5))
    assert agenda.items
    for item in agenda.items:
        assert not item.new_lead
        assert item.minutes_waiting is None
        assert "new lead" not in item.reason


@pytest.mark.parametrize("outcome", ["talked", "appointment"])
@pytest.mark.both_backends
def test_a_call_that_reached_the_lead_moves_it_to_contacted(
    workspace: Workspace, outcome: str
) -> None:
    lead = import_lead(workspace, SF_MORNING)
    assert any(automated for _c, automated, _r in _open_touches(workspace, lead))
    logged = run(
        "log", str(lead), "call", "--outcome", outcome, now=SF_MORNING + timedelta(minutes=3)
    )
    assert logged.exit_code == 0, logged.output
    assert _stage(workspace, lead) == "contacted"
    touches = _open_touches(workspace, lead)
    assert touches and not any(automated for _c, automated, _r in touches)  # automation stopped
    assert all(rank == 1 for _c, _a, rank in touches)  # a lead we talked to is not untouched
    later = agenda_at(workspace, SF_MORNING + timedelta(days=1))
    assert later.items and not any(item.new_lead for item in later.items)
    assert _lead(workspace, lead).contacted_at is not None


def _lead_called(workspace: Workspace, outcome: str) -> int:
    """A lead that arrived at SF_MORNING, called three minutes later with `outcome` logged."""
    lead = import_lead(workspace, SF_MORNING)
    logged = run(
        "log", str(lead), "call", "--outcome", outcome, now=SF_MORNING + timedelta(minutes=3)
    )
    assert logged.exit_code == 0, logged.output
    return lead


@pytest.mark.parametrize("outcome", ["no-answer", "voicemail", "left-voicemail", "busy"])
def test_a_call_that_did_not_reach_the_lead_keeps_it_in_stage_new(
    workspace: Workspace, outcome: str
) -> None:
    lead = _lead_called(workspace, outcome)
    assert _stage(workspace, lead) == "new"
    recorded = query(workspace, "SELECT outcome FROM touch WHERE status = 'done'")
    assert recorded == [("left-voicemail" if outcome == "voicemail" else outcome,)]
    # The automated text and email go on; the next call is planned.
    channels = {channel for channel, _a, _r in _open_touches(workspace, lead)}
    assert channels == {"call", "text", "email"}
    # Someone called: the lead is no longer flagged NEW, but it stays a new lead on its cadence.
    (text,) = agenda_at(workspace, SF_MORNING + timedelta(minutes=4), channels=("text",)).items
    assert not text.new_lead and text.minutes_waiting is None
    assert text.why == "first hour: asked 4 min ago, newest first"


@pytest.mark.parametrize("outcome", ["bad-number", "wrong-number"])
@pytest.mark.both_backends
def test_a_bad_number_stops_calls_and_texts_and_keeps_email(
    workspace: Workspace, outcome: str
) -> None:
    lead = _lead_called(workspace, outcome)
    assert {channel for channel, _a, _r in _open_touches(workspace, lead)} == {"email"}
    entries = query(workspace, "SELECT value, channel, reason FROM suppression")
    assert entries == [("+14155552671", "all", outcome)]
    later = agenda_at(workspace, SF_MORNING + timedelta(days=2))
    assert {item.channel for item in later.items} == {"email"}
    refused = run("log", str(lead), "text", now=SF_MORNING + timedelta(days=2))
    assert refused.exit_code == 1 and "not allowed" in refused.output


def test_a_reply_logged_as_the_first_touch_does_not_put_the_lead_back_on_top(
    workspace: Workspace,
) -> None:
    lead = import_lead(workspace, SF_MORNING)
    logged = run(
        "log", str(lead), "text", "--outcome", "replied", now=SF_MORNING + timedelta(minutes=3)
    )
    assert logged.exit_code == 0, logged.output
    assert _stage(workspace, lead) == "engaged"
    touches = _open_touches(workspace, lead)
    assert touches and all(rank == 1 for _c, _a, rank in touches)
