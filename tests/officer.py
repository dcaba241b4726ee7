"""An officer working leads by habit, with the clock stepped (never slept).

The officer works an item the way the product does: a send run (cron at the officer's moments,
texts to the fake Twilio, emails to the real SMTP server) sends the automated texts and emails
that are due, and every call (or text or email by hand) that `today` offers as due now is logged
at that moment with `log_touch`. Nothing is planned by the simulation itself: what is due when
comes from the workspace's database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from leadchase.config import default_settings_text
from leadchase.context import open_workspace
from leadchase.workspace import create_workspace
from tests.conftest import Sending, agenda_at, import_lead, log_touch_at, query, with_officer
from tests.fake_twilio import FakeTwilio
from tests.smtp_server import SmtpTestServer

PACIFIC = ZoneInfo("America/Los_Angeles")
MADE = ("done", "sent")


@dataclass(frozen=True)
class Habit:
    """When the officer looks: at every moment something falls due, or at fixed local times."""

    name: str
    checks: tuple[time, ...] = ()  # empty: the moment each item falls due

    @property
    def when_due(self) -> bool:
        return not self.checks


WHEN_DUE = Habit("works every item when due")
THREE_TIMES = Habit("checks at 08:00, 12:00 and 16:00", (time(8), time(12), time(16)))
ONCE_AT_FIVE = Habit("checks once at 17:00", (time(17),))


@dataclass(frozen=True)
class Arrival:
    local: datetime  # in PACIFIC
    phone: str
    email: str


@dataclass
class Worked:
    """What the officer's days came to: each lead's touches by cadence day, made and skipped."""

    leads: dict[int, Arrival]
    made: Counter[tuple[int, int, str]]  # (lead, cadence day, channel) -> made
    skipped: list[tuple[int, str, str]]  # (lead, step key, reason)
    settled: dict[int, set[str]]  # lead -> step keys made or skipped
    first_day: dict[int, date]  # lead -> the local date of cadence day 1 (its last touch's)


@contextmanager
def sending_workspace(root: Path) -> Iterator[Sending]:
    """A workspace of its own wired to its own fake Twilio and SMTP server (as the `sending`
    fixture, for simulations that need several workspaces in one test module)."""
    settings = with_officer(default_settings_text()).replace(
        "messages_per_second = 1.0", "messages_per_second = 500.0"
    )
    workspace, _ = create_workspace(root, settings)
    with FakeTwilio() as twilio, SmtpTestServer() as smtp, pytest.MonkeyPatch.context() as patch:
        wired = Sending(workspace, twilio, smtp)
        for name, value in wired.env().items():
            patch.setenv(name, value)
        yield wired


def simulate(sending: Sending, habit: Habit, arrivals: Sequence[Arrival], through: date) -> Worked:
    """Leads arrive at their moments; the officer works them by `habit` until `through` ends."""
    workspace = sending.workspace
    pending = sorted(arrivals, key=lambda a: a.local)
    leads: dict[int, Arrival] = {}
    end = datetime.combine(through + timedelta(days=1), time(0), PACIFIC).astimezone(UTC)
    now = pending[0].local.astimezone(UTC)
    checks = _check_moments(habit, pending[0].local.date(), through)
    check = next(checks, end)
    for _ in range(2000):  # a bound, so a planning loop fails the test instead of hanging it
        while pending and pending[0].local.astimezone(UTC) <= now:
            arrival = pending.pop(0)
            lead_id = import_lead(
                workspace, now, phone=arrival.phone, email=arrival.email, name="Ann Lee"
            )
            leads[lead_id] = arrival
        if now == check:
            _work(sending, now)
        elif habit.when_due:
            _work(sending, now, *_due_kinds(sending, now))
        while check <= now:
            check = next(checks, end)
        upcoming = [a.local.astimezone(UTC) for a in pending]
        upcoming.append(_next_due(sending, now) if habit.when_due else check)
        now = min(upcoming)
        if now >= end:
            break
    else:
        raise AssertionError("the simulation did not reach its last day")
    return _tally(sending, leads)


def _check_moments(habit: Habit, first: date, last: date) -> Iterator[datetime]:
    day = first
    while day <= last:
        for moment in habit.checks:
            yield datetime.combine(day, moment, PACIFIC).astimezone(UTC)
        day += timedelta(days=1)


def _work(sending: Sending, now: datetime, texts: bool = True, tasks: bool = True) -> None:
    if texts:
        sending.send(now)
    if tasks:
        agenda = agenda_at(sending.workspace, now)
        for item in agenda.items:  # due now and allowed now
            log_touch_at(sending.workspace, str(item.lead_id), item.channel, now)


def _due_kinds(sending: Sending, now: datetime) -> tuple[bool, bool]:
    """Whether automated touches (for the send run) and tasks (for `today`) are due at `now`:
    the officer who works each item when due skips the one with nothing in it."""
    moment = now.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    kinds = {
        bool(automated)
        for (automated,) in query(
            sending.workspace,
            f"SELECT DISTINCT automated FROM touch WHERE status = 'planned' AND due_at <= '{moment}'",  # noqa: S608 - a moment we format
        )
    }
    return True in kinds, False in kinds


def _next_due(sending: Sending, now: datetime) -> datetime:
    with open_workspace(sending.workspace.root) as context:
        upcoming = context.reader.next_due(now)
    assert upcoming is not None, "no touch planned: a lead fell off its cadence"
    return upcoming


def _tally(sending: Sending, leads: dict[int, Arrival]) -> Worked:
    rows = query(
        sending.workspace,
        "SELECT lead_id, day, channel, step_key, status, outcome, due_at FROM touch "
        "WHERE step_key != ''",
    )
    made: Counter[tuple[int, int, str]] = Counter()
    skipped: list[tuple[int, str, str]] = []
    settled: dict[int, set[str]] = {lead: set() for lead in leads}
    first_day: dict[int, date] = {}
    for lead_id, day, channel, step_key, status, outcome, due_at in rows:
        if day == 1:
            local = datetime.fromisoformat(due_at).replace(tzinfo=UTC).astimezone(PACIFIC)
            first_day[lead_id] = max(first_day.get(lead_id, local.date()), local.date())
        if status in MADE:
            made[(lead_id, day, channel)] += 1
            settled[lead_id].add(step_key)
        elif status == "skipped":
            assert outcome, f"lead #{lead_id} {step_key} skipped without a reason"
            skipped.append((lead_id, step_key, outcome))
            settled[lead_id].add(step_key)
    return Worked(leads, made, skipped, settled, first_day)


def day_counts(worked: Worked, lead_id: int, days: Iterable[int]) -> dict[int, tuple[int, ...]]:
    """(calls, texts, emails) made on each cadence day."""
    return {
        day: tuple(worked.made[(lead_id, day, channel)] for channel in ("call", "text", "email"))
        for day in days
    }
