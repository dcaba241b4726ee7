"""Nobody falls off: a lead whose cadence ends moves on to nurture, and `leads --stale` lists any
lead that is not closed, dead or opted out yet has nothing planned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leadchase.context import open_workspace
from leadchase.lead_work import log_touch
from leadchase.workspace import Workspace
from tests.conftest import SF_MORNING, import_lead, query, run, run_json


def _next_open(workspace: Workspace, lead: int) -> tuple[str, datetime] | None:
    rows = query(
        workspace,
        "SELECT channel, due_at FROM touch WHERE status IN ('planned', 'held') "
        f"AND lead_id = {lead} ORDER BY due_at, id LIMIT 1",
    )
    if not rows:
        return None
    channel, due = rows[0]
    return str(channel), datetime.fromisoformat(str(due)).replace(tzinfo=UTC)


def _stage_and_cadence(workspace: Workspace, lead: int) -> tuple[str, str | None]:
    ((stage, cadence),) = query(workspace, f"SELECT stage, cadence FROM lead WHERE id = {lead}")
    return str(stage), cadence


def _work_until(workspace: Workspace, lead: int, stop: datetime) -> list[tuple[str, str]]:
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
    events = query(workspace, f"SELECT detail FROM event WHERE lead_id = {lead} AND kind = 'stage'")
    assert ("engaged -> nurture (cadence engaged ended)",) in events
    # Two years of nurture later, nurture starts again rather than ending.
    assert any("nurture -> nurture" in str(detail) for (detail,) in events)
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
        from sqlalchemy import text

        connection.execute(
            text(f"UPDATE touch SET status = 'done' WHERE lead_id = {dropped} AND status = 'planned'")
        )
    stale = run_json("leads", "--stale")
    assert [row["id"] for row in stale] == [dropped]
    table = run("leads", "--stale")
    assert table.exit_code == 0, table.output
    assert "Ann Lee" in table.stdout and f"leadchase stage {dropped} nurture" in table.stdout
    assert working not in [row["id"] for row in stale]
