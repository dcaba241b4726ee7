"""One policy, three paths: what `today` offers now, what `agenda --ics` exports and what `send`
would send, for made-up leads across states, area codes and zones, touch histories and moments.

Each path is checked against the rules themselves (windows.check_moment, caps.cap_allows, the
consent basis, the opt-out table), not against the gate the paths use, and against each other:
an automated text the sender would send now is one the officer could send by hand now.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import event as exercised
from hypothesis import strategies as st

from leadchase.agenda import build_agenda
from leadchase.cadence.service import FollowUp
from leadchase.compliance.caps import cap_allows
from leadchase.compliance.consent import consent_basis
from leadchase.compliance.windows import check_moment
from leadchase.config import default_settings_text
from leadchase.context import open_workspace
from leadchase.dispatch import send_pass
from leadchase.ics import ZONE_UNKNOWN, _description, upcoming_calls
from leadchase.lead_work import log_touch
from leadchase.store import leads as lead_store
from leadchase.store import sending as send_store
from leadchase.store.records import Lead
from leadchase.workspace import create_workspace
from tests.conftest import Sending, with_officer

START = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # Monday, before any US window opens


@dataclass(frozen=True)
class MadeUp:
    state: str
    area: str
    zip_code: str
    aged: bool


# (state, area code, ZIP): matching, mismatched, multi-zone (850, 605), capped (FL, OK, MD),
# Sunday rules (TX), strict hours (RI), toll-free with no address (zone unknown).
PLACES = [
    ("CA", "415", "94103"), ("FL", "305", "33101"), ("FL", "850", ""), ("TX", "512", ""),
    ("OK", "405", "73102"), ("MD", "410", ""), ("RI", "401", ""), ("NY", "305", ""),
    ("AZ", "480", "85001"), ("SD", "605", ""), ("", "800", ""), ("CA", "212", "94103"),
]  # fmt: skip
LEADS = st.lists(
    st.builds(
        lambda place, aged: MadeUp(place[0], place[1], place[2], aged),
        st.sampled_from(PLACES),
        st.booleans(),
    ),
    min_size=1,
    max_size=4,
)
# Touches logged by hand before the moment: (lead index, channel, hours after START).
HISTORY = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from(["call", "text"]), st.integers(1, 60)),
    max_size=6,
)


def _write_leads(root: Path, leads: list[MadeUp]) -> Path:
    rows = ["name,phone,email,state,zip,lead_date"]
    for n, lead in enumerate(leads):
        arrived = START - timedelta(days=90 if lead.aged else 0)
        rows.append(
            f"Lead {n},({lead.area}) 555-01{n:02d},lead{n}@example.com,{lead.state},"
            f"{lead.zip_code},{arrived.isoformat()}"
        )
    path = root / "leads.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(leads=LEADS, history=HISTORY, hours=st.integers(0, 24 * 6), minutes=st.integers(0, 59))
def test_today_the_calendar_and_send_obey_the_policy_and_agree(
    sending: Sending,
    leads: list[MadeUp],
    history: list[tuple[int, str, int]],
    hours: int,
    minutes: int,
) -> None:
    from leadchase.importing.pipeline import ImportOptions
    from leadchase.importing.service import import_files

    moment = START + timedelta(hours=hours, minutes=minutes)
    with tempfile.TemporaryDirectory() as folder:
        workspace, _ = create_workspace(Path(folder) / "ws", with_officer(default_settings_text()))
        with open_workspace(workspace.root) as context:
            import_files(context, [_write_leads(workspace.root, leads)], ImportOptions(), START)
            for index, channel, after in history:
                at = START + timedelta(hours=after)
                if index < len(leads) and at < moment:
                    log_touch(context, f"#{index + 1}", channel, None, "", at, force=True)  # type: ignore[arg-type]
            followup = FollowUp.load(context.settings)
            window = followup.policy
            agenda = build_agenda(context, moment, limit=50)
            calendar = upcoming_calls(context, moment, 3)
            would = send_pass(context, moment, dry_run=True, sleep=lambda _s: None)
            with context.database.reading() as connection:
                stored = {
                    lead_id: lead
                    for lead_id in range(1, len(leads) + 1)
                    if (lead := lead_store.get(connection, lead_id)) is not None
                }
                attempts = send_store.attempt_times_of(
                    connection, list(stored), moment - timedelta(days=2)
                )

        def rules_allow(lead: Lead, channel: str, at: datetime, *, count: bool) -> bool:
            clock = followup.clock(lead, at)
            if lead.timezone is None:
                return False
            if not check_moment(at, clock.zones, clock.states, window).allowed:
                return False
            past = attempts.get(lead.id, [])
            return not count or cap_allows(past, at, clock.states).allowed or channel == "email"

        # What the example exercised (shown by --hypothesis-show-statistics).
        exercised(f"offered now: {bool(agenda.items)}, waiting: {bool(agenda.waiting)}")
        exercised(f"would send: {any(i.result == 'would-send' for i in would.items)}")
        offered_now = {(item.lead_id, item.channel) for item in agenda.items}
        for item in agenda.items:
            lead = stored[item.lead_id]
            if item.channel != "email":  # an email by hand is no telephone solicitation
                if lead.timezone is not None:
                    assert rules_allow(lead, item.channel, moment, count=True), item
                else:
                    assert item.warning is not None  # by hand, with a warning to check first
        for item in agenda.waiting:
            assert item.next_allowed_at is not None and item.next_allowed_at > moment
        for event in calendar.events:
            lead = stored[event.lead_id]
            if lead.timezone is None:
                assert not event.zone_known and ZONE_UNKNOWN in _description(event)
            else:
                assert rules_allow(lead, "call", event.start, count=False), event
        for sent in [item for item in would.items if item.result == "would-send"]:
            lead = stored[sent.lead_id]
            assert rules_allow(lead, sent.channel, moment, count=True), sent
            if sent.channel == "text":
                basis = consent_basis(lead, aged_after_days=30, recorded_only=False)
                assert basis is not None, sent
            # Agreement: what the program may send now, a person may send now. It is on the
            # agenda only when sending is not configured, so compare with the rules for a person.
            assert (sent.lead_id, sent.channel) not in {
                (item.lead_id, item.channel) for item in agenda.waiting
            }
        assert not offered_now & {(item.lead_id, item.channel) for item in agenda.waiting}
