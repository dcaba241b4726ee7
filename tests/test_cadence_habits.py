"""The reference cadence against three officer habits and three arrival times, day by day.

A simulation, not a sleep: the clock is stepped and every service is called with an explicit
`now`. Three leads arrive in San Francisco on Tuesday 2026-03-03 at 10:02, 19:30 and 20:30
(the window is 09:00-20:00 their time, no state cap). The officer works an item as the product
does (tests/officer.py): a send run at each of the officer's moments sends the automated texts
and emails through the real send path (the fake Twilio, a real SMTP server), and every call
`today` offers as due now is logged at that moment with `log_touch`. Three habits:

- works every item the moment it falls due;
- checks at 08:00, 12:00 and 16:00;
- checks once a day, at 17:00.

The first two meet the playbook's counts on every cadence day: day 1 two calls, two texts and
two emails (for the late arrivals, day 1 is the next day), day 2 two, one and one, days 3-10
one of each. The once-a-day officer cannot make a day's second call three hours after the
first before the window closes; every attempt it does not make is on the lead's record as
skipped, with the reason. docs/cadences.md shows the table this prints.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from leadchase.cadence import Cadence, load_cadences
from tests.conftest import PHONES, PROJECT, touches_per_day
from tests.officer import (
    ONCE_AT_FIVE,
    PACIFIC,
    THREE_TIMES,
    WHEN_DUE,
    Arrival,
    Habit,
    Worked,
    day_counts,
    sending_workspace,
    simulate,
)

TUESDAY = date(2026, 3, 3)
ARRIVALS = [
    Arrival(datetime(2026, 3, 3, hour, minute, tzinfo=PACIFIC), PHONES[n], f"lead{n}@example.com")
    for n, (hour, minute) in enumerate(((10, 2), (19, 30), (20, 30)))
]
LAST_DAY = 10  # the playbook's concentrated first ten days
THROUGH = TUESDAY + timedelta(days=LAST_DAY)  # day 10 of the late arrivals is Friday Mar 13
HABITS = (WHEN_DUE, THREE_TIMES, ONCE_AT_FIVE)
CHANNELS = ("call", "text", "email")


@dataclass(frozen=True)
class Result:
    habit: Habit
    worked: Worked


@pytest.fixture(scope="module")
def cadence() -> Cadence:
    return load_cadences(PROJECT / "cadences").cadences["internet-lead"]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Result]]:
    found = []
    for n, habit in enumerate(HABITS):
        root = tmp_path_factory.mktemp(f"habit{n}") / "ws"
        with sending_workspace(root) as sending:
            found.append(Result(habit, simulate(sending, habit, ARRIVALS, THROUGH)))
    yield found


def _targets(cadence: Cadence) -> dict[int, tuple[int, ...]]:
    return {
        day: tuple(touches_per_day(cadence, day)[channel] for channel in CHANNELS)
        for day in range(1, LAST_DAY + 1)
    }


def _steps(cadence: Cadence) -> set[str]:
    return {touch.step_key for touch in cadence.touches() if touch.day <= LAST_DAY}


@pytest.mark.parametrize("habit", [WHEN_DUE, THREE_TIMES], ids=lambda h: h.name)
def test_the_playbook_counts_hold_for_an_officer_who_keeps_up(
    results: list[Result], cadence: Cadence, habit: Habit
) -> None:
    (result,) = [r for r in results if r.habit == habit]
    worked = result.worked
    assert len(worked.leads) == len(ARRIVALS)
    for lead in worked.leads:
        assert day_counts(worked, lead, range(1, LAST_DAY + 1)) == _targets(cadence), lead
        assert _steps(cadence) <= worked.settled[lead]
    assert [skip for skip in worked.skipped if _day(skip[1]) <= LAST_DAY] == []


def test_late_arrivals_start_day_1_the_next_morning(results: list[Result]) -> None:
    for result in results:
        for lead, arrival in result.worked.leads.items():
            first = result.worked.first_day[lead]
            expected = TUESDAY if arrival.local.hour < 17 else TUESDAY + timedelta(days=1)
            assert first == expected, (result.habit.name, arrival.local)


def test_the_once_a_day_officer_loses_nothing_without_a_word(
    results: list[Result], cadence: Cadence
) -> None:
    (result,) = [r for r in results if r.habit == ONCE_AT_FIVE]
    worked = result.worked
    for lead in worked.leads:
        # Every planned attempt of days 1-10 was made or skipped, and a skip says why.
        assert _steps(cadence) <= worked.settled[lead]
        made = sum(sum(c) for c in day_counts(worked, lead, range(1, LAST_DAY + 1)).values())
        skipped = [s for s in worked.skipped if s[0] == lead and _day(s[1]) <= LAST_DAY]
        assert made + len(skipped) == len(_steps(cadence))
        assert skipped and all(reason for _, _, reason in skipped)
        # Whatever it can make, it makes: the first of each channel every day.
        for counts in day_counts(worked, lead, range(1, LAST_DAY + 1)).values():
            assert counts == (1, 1, 1)


def test_the_table_in_the_docs_is_what_the_simulation_gives(
    results: list[Result], cadence: Cadence
) -> None:
    table = _table(results, cadence)
    print(table)
    docs = (PROJECT / "docs" / "cadences.md").read_text(encoding="utf-8")
    assert f"```text\n{table}\n```" in docs
    # The skips the docs quote are ones the once-a-day officer's leads have on record.
    reasons = {reason for result in results for _, _, reason in result.worked.skipped}
    quoted = [
        line.split("skipped: ", 1)[1]
        for line in docs.splitlines()
        if line.startswith("    skipped: ")
    ]
    assert quoted and set(quoted) <= reasons


def _day(step_key: str) -> int:
    return int(step_key[1:].split("-", 1)[0])


def _made(counts: tuple[int, ...]) -> str:
    return "/".join(map(str, counts))


def _days_3_to_10(counts: dict[int, tuple[int, ...]]) -> str:
    shown = {_made(counts[day]) for day in range(3, LAST_DAY + 1)}
    if len(shown) == 1:
        return f"{shown.pop()} each"
    return " ".join(_made(counts[day]) for day in range(3, LAST_DAY + 1))


def _table(results: list[Result], cadence: Cadence) -> str:
    """Calls/texts/emails made on each cadence day, for each habit and arrival."""
    rows = [("Officer", "Arrives", "Day 1 is", "Day 1", "Day 2", "Days 3-10", "Skipped")]
    for result in results:
        worked = result.worked
        for lead, arrival in sorted(worked.leads.items(), key=lambda item: item[1].local):
            counts = day_counts(worked, lead, range(1, LAST_DAY + 1))
            skipped = [s for s in worked.skipped if s[0] == lead and _day(s[1]) <= LAST_DAY]
            rows.append(
                (
                    result.habit.name if arrival == ARRIVALS[0] else "",
                    f"{arrival.local:%a %H:%M}",
                    f"{worked.first_day[lead]:%a}",
                    _made(counts[1]),
                    _made(counts[2]),
                    _days_3_to_10(counts),
                    str(len(skipped)),
                )
            )
    targets = _targets(cadence)
    rows.append(
        ("the cadence asks", "", "", _made(targets[1]), _made(targets[2]),
         _days_3_to_10(targets), "")
    )  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)
