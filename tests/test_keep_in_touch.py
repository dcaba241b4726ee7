"""Nobody falls off: a lead whose cadence ends moves on to nurture, and `leads --stale` lists any
lead that is not closed, dead or opted out yet has nothing planned."""

from __future__ import annotations

from datetime import datetime, timedelta

from leadchase.context import open_workspace
from leadchase.lead_work import log_touch
from leadchase.store import leads as lead_store
from leadchase.store import touches as touch_store
from leadchase.workspace import Workspace
from tests.conftest import SF_MORNING, import_lead, query, run, run_json


def _next_open(workspace: Workspace, lead: int) -> tuple[str, datetime] | None:
    with open_workspace(workspace.root) as context, context.database.reading() as connection:
        touches = touch_store.open_touches(connection, lead)
    return (touches[0].channel, touches[0].due_at) if touches else None


def _stage_and_cadence(workspace: Workspace, lead: int) -> tuple[str, str | None]:
    with open_workspace(workspace.root) as context, context.database.reading() as connection:
        found = lead_store.get(connection, lead)
    assert found is not None
    return found.stage, found.cadence


def _work_until(workspace: Workspace, lead: int, stop: datetime) -> list[tuple[str, str | None]]:
    """Do every touch of the lead the moment it is due, until `stop`; the stages it went through."""
    seen = [_stage_and_cadence(workspace, lead)]
    with open_workspace(workspace.root) as context:
        while (upcoming := _next_open(workspace, lead)) is not None and upcoming[1] < stop:
            channel, due = upcoming
            log_touch(context, str(lead), channel, None, "", due)  # type: ignore[arg-type]
            now = _stage_and_cadence(workspace, lead)
            if now != seen[-1]:
                seen.append(now)
    return seen


def test_a_lead_whose_engaged_cadence_ends_moves_to_nurture_and_is_kept_in_touch(
    workspace: Workspace,
) -> None:
    lead = import_lead(workspace, SF_MORNING)
    replied = SF_MORNING + timedelta(minutes=10)
    assert run("log", str(lead), "text", "--outcome", "replied", now=replied).exit_code == 0
    stages = _work_until(workspace, lead, replied + timedelta(days=5 * 365))
    assert stages[:2] == [("engaged", "engaged"), ("nurture", "nurture")]
    assert _next_open(workspace, lead) is not None  # five years on, still a next touch
    events = [
        detail for (detail,) in query(workspace, "SELECT detail FROM event WHERE kind = 'stage'")
    ]
    assert "engaged -> nurture (cadence engaged ended)" in events
    # Two years of nurture later, nurture starts again rather than ending.
    assert "nurture -> nurture (cadence nurture ended)" in events
    assert run_json("leads", "--stale") == []


def test_stale_lists_leads_with_nothing_planned_that_are_still_in_play(
    workspace: Workspace,
) -> None:
    dropped = import_lead(workspace, SF_MORNING, phone="4155552671", email="a@example.com")
    closed = import_lead(workspace, SF_MORNING, phone="4155552672", email="b@example.com")
    opted = import_lead(workspace, SF_MORNING, phone="4155552673", email="c@example.com")
    working = import_lead(workspace, SF_MORNING, phone="4155552674", email="d@example.com")
    later = SF_MORNING + timedelta(minutes=5)
    assert run("stage", str(closed), "closed", now=later).exit_code == 0
    assert run("optout", str(opted), "--channel", "all", now=later).exit_code == 0
    # As an older leadchase left an engaged lead whose cadence ended: nothing planned.
    assert run("stage", str(dropped), "engaged", now=later).exit_code == 0
    with open_workspace(workspace.root) as context, context.database.writing() as connection:
        touch_store.cancel_open(connection, dropped, later, "an older leadchase")
    stale = run_json("leads", "--stale")
    assert [row["id"] for row in stale] == [dropped]
    table = run("leads", "--stale")
    assert table.exit_code == 0, table.output
    assert "Ann Lee" in table.stdout and f"leadchase stage {dropped} nurture" in table.stdout
    assert working not in [row["id"] for row in stale]
