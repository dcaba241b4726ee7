"""The order of `today`: replies, then leads in their first hour (newest first), then the rest by
day, attempts so far and how overdue; and what the agenda says to a lead that waited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from leadchase.workspace import Workspace
from tests.conftest import SF_MORNING, agenda_at, import_lead, log_touch_at, run, run_json


def test_a_lead_two_minutes_old_comes_before_one_waiting_a_day(workspace: Workspace) -> None:
    now = SF_MORNING  # 10:00 in San Francisco
    waited = now - timedelta(hours=25)  # 09:00 the day before: inside the contact window
    old = import_lead(workspace, waited, phone="4155552671", email="old@example.com")
    fresh = import_lead(
        workspace, now - timedelta(minutes=2), phone="4155552672", email="new@example.com"
    )
    agenda = agenda_at(workspace, now)
    for channel in ("call", "text", "email"):
        shown = [item.lead_id for item in agenda.items if item.channel == channel]
        assert shown == [fresh, old], channel


def test_first_hour_leads_come_newest_first_then_the_rest_by_day_and_overdue(
    workspace: Workspace,
) -> None:
    now = SF_MORNING  # Monday 10:00 in San Francisco
    arrivals = {
        "25 h": now - timedelta(hours=25),  # Sunday 09:00: day 2, due 25 h ago
        "40 min": now - timedelta(minutes=40),
        "23 h": now - timedelta(hours=23),  # Sunday 11:00: day 2, due 23 h ago: newer first
        "2 min": now - timedelta(minutes=2),
        "90 min": now - timedelta(minutes=90),  # 08:30, before the window: day 1, due 09:00
    }
    ids = {
        label: import_lead(
            workspace, at, phone=f"41555526{80 + n}", email=f"lead{n}@example.com", name=label
        )
        for n, (label, at) in enumerate(arrivals.items())
    }
    tasks = run_json("today", "--channel", "call", now=now)
    order = ["2 min", "40 min", "90 min", "23 h", "25 h"]
    assert [task["lead_id"] for task in tasks] == [ids[label] for label in order]
    assert [task["priority"] for task in tasks] == [1, 2, 3, 4, 5]
    assert tasks[0]["why"] == "first hour: asked 2 min ago, newest first"
    assert tasks[1]["why"] == "first hour: asked 40 min ago, newest first"
    assert tasks[2]["why"] == "day 1 since they asked, no attempts yet, due 1 h 00 min ago"
    assert tasks[3]["why"] == "day 2 since they asked, no attempts yet, due 23 h ago"


def test_the_call_suggestion_says_how_long_the_lead_waited(workspace: Workspace) -> None:
    now = SF_MORNING
    waited = import_lead(
        workspace, now - timedelta(hours=41), phone="4155552671", email="old@example.com"
    )
    fresh = import_lead(
        workspace, now - timedelta(minutes=2), phone="4155552672", email="new@example.com"
    )
    calls = {item.lead_id: item for item in agenda_at(workspace, now, channels=("call",)).items}
    now_call, late_call = calls[fresh].suggestion or "", calls[waited].suggestion or ""
    assert now_call.startswith("Call now: 2 min since they asked")
    assert "5 minutes" not in late_call
    assert late_call.startswith("First call, 41 h after they asked")
    assert "sorry for the wait" in late_call
    # Once a call was made, the cadence's own talking point is shown as it is.
    log_touch_at(workspace, str(waited), "call", now)
    later = agenda_at(workspace, now + timedelta(days=1), channels=("call",)).items
    again = next(item for item in later if item.lead_id == waited)
    assert again.suggestion is not None and "after they asked" not in again.suggestion


def test_fewer_attempts_come_first_on_the_same_day(workspace: Workspace) -> None:
    now = SF_MORNING + timedelta(hours=2)  # 12:00
    early = import_lead(workspace, SF_MORNING - timedelta(hours=2), name="Early Bird")  # 08:00
    late = import_lead(
        workspace, SF_MORNING, phone="4155552672", email="late@example.com", name="Late Comer"
    )
    log_touch_at(workspace, str(late), "email", now - timedelta(minutes=30))
    calls = agenda_at(workspace, now, channels=("call",)).items
    assert [item.lead_id for item in calls] == [early, late]
    assert calls[1].why == "day 1 since they asked, 1 attempt so far, due 2 h 00 min ago"


def test_an_aged_list_bought_today_does_not_push_down_yesterdays_leads(
    workspace: Workspace,
) -> None:
    now = SF_MORNING
    yesterday = import_lead(workspace, now - timedelta(hours=23), name="Fresh Yesterday")
    aged = import_lead(
        workspace,
        now - timedelta(minutes=10),
        phone="4155552672",
        email="aged@example.com",
        name="Aged List",
        lead_date=now - timedelta(days=200),
    )
    calls = agenda_at(workspace, now, channels=("call",)).items
    assert [item.lead_id for item in calls] == [yesterday, aged]
    bought = calls[1]
    assert bought.new_lead and bought.minutes_waiting is None  # no timer: the wait is not ours
    assert bought.reason == "aged lead, asked 200 days ago"
    assert bought.suggestion == "Ask if they still plan to buy or refinance; no pitch"
    assert bought.why is not None and bought.why.startswith("day 201 since they asked")


def test_a_lead_in_conversation_counts_its_days_from_the_stage_change(
    workspace: Workspace,
) -> None:
    lead = import_lead(workspace, SF_MORNING - timedelta(days=6))
    assert run("stage", str(lead), "engaged", now=SF_MORNING - timedelta(days=1)).exit_code == 0
    (call,) = agenda_at(workspace, SF_MORNING + timedelta(hours=1), channels=("call",)).items
    assert not call.new_lead and call.minutes_waiting is None
    assert call.why is not None and call.why.startswith("day 2 of engaged, no attempts yet")


def test_the_first_hour_reads_the_newest_leads_from_their_index(workspace: Workspace) -> None:
    """The first hour must not walk every due touch: a list of aged leads imported a minute
    ago has thousands of touches due now, none of them in their first hour."""
    from leadchase.context import open_workspace

    import_lead(workspace, SF_MORNING)
    with open_workspace(workspace.root) as context:
        reader = context.reader
        statements: list[tuple[str, Sequence[Any]]] = []
        rows = reader.rows

        def capture(sql: str, params: Sequence[Any] = ()) -> list[Any]:
            statements.append((sql, params))
            return rows(sql, params)

        reader.rows = capture  # type: ignore[method-assign]
        found = reader.first_hour_rows(
            SF_MORNING,
            "call",
            SF_MORNING - timedelta(hours=1),
            automated_as_manual=False,
            limit=100,
        )
        ((sql, params),) = [(s, p) for s, p in statements if "FROM touch" in s]
        plan = " / ".join(str(row[-1]) for row in rows(f"EXPLAIN QUERY PLAN {sql}", params))
    assert [task.touch.channel for task in found] == ["call"]
    assert "ix_lead_asked" in plan, plan
    assert "ix_touch_agenda" not in plan and "SCAN" not in plan, plan


def test_a_long_agenda_counts_up_to_a_thousand_and_says_so(workspace: Workspace) -> None:
    from leadchase.store.fast import COUNT_CAP

    rows = [
        f"Lead {n},(415) 555-{n:04d},lead{n}@example.com,CA,94103,2026-03-01T10:00:00-08:00"
        for n in range(COUNT_CAP + 5)
    ]
    lead_file = workspace.root / "many.csv"
    lead_file.write_text("name,phone,email,state,zip,lead_date\n" + "\n".join(rows) + "\n")
    assert run("import", str(lead_file), now=SF_MORNING).exit_code == 0
    screen = run("today", "--channel", "call", now=SF_MORNING + timedelta(hours=1)).stdout
    assert "CALL  (1,000+ due)" in screen
    assert "… and 985+ more call tasks (use --limit)" in screen
