"""How many solicitation attempts (calls + texts) a lead may get per rolling 24 hours.

Florida, Oklahoma and Maryland allow at most three per 24 h (see data/contact_rules.yaml); the
strictest cap among the lead's candidate states applies. An attempt counts from the moment it was
made until exactly 24 h later. Attempts after `moment` have not happened yet and are ignored.
Emails are not solicitation calls: callers pass only call and text attempt times.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from leadchase import times
from leadchase.compliance.windows import Decision, StateRule, rule_table

ROLLING_WINDOW = timedelta(hours=24)


def _capping_rule(states: Sequence[str]) -> StateRule | None:
    """The candidate state with the smallest cap (alphabetically first on a tie)."""
    table = rule_table().states
    capped = [
        (rule.attempt_cap, rule)
        for code in sorted({code.strip().upper() for code in states if code})
        if (rule := table.get(code)) is not None and rule.attempt_cap is not None
    ]
    return min(capped, key=lambda pair: pair[0])[1] if capped else None


def attempt_cap(states: Sequence[str]) -> int | None:
    """The most attempts allowed per rolling 24 h for these candidate states; None if uncapped."""
    rule = _capping_rule(states)
    return None if rule is None else rule.attempt_cap


def _recent(attempt_times: Sequence[datetime], moment: datetime) -> list[datetime]:
    """The attempts that still count at `moment`, oldest first, in UTC."""
    for when in (moment, *attempt_times):
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError(f"{when.isoformat()} has no UTC offset; pass aware datetimes")
    since = moment - ROLLING_WINDOW
    return sorted(when.astimezone(UTC) for when in attempt_times if since < when <= moment)


def next_allowed_by_cap(
    attempt_times: Sequence[datetime], moment: datetime, states: Sequence[str]
) -> datetime:
    """The earliest instant >= `moment` (UTC) at which one more attempt stays under the cap."""
    recent = _recent(attempt_times, moment)
    moment = moment.astimezone(UTC)
    cap = attempt_cap(states)
    if cap is None or len(recent) < cap:
        return moment
    # Once the oldest (len - cap + 1) attempts age out, cap - 1 remain and one more fits.
    return recent[len(recent) - cap] + ROLLING_WINDOW


def cap_allows(
    attempt_times: Sequence[datetime], moment: datetime, states: Sequence[str], zone: str = "UTC"
) -> Decision:
    """May one more call or text go to the lead at `moment` without breaking a state's cap?

    `zone`: the lead's, for the time the next attempt may go at."""
    rule = _capping_rule(states)
    recent = _recent(attempt_times, moment)
    if rule is None or rule.attempt_cap is None:
        known = ", ".join(sorted({code.upper() for code in states if code})) or "no known state"
        return Decision(True, "no-cap", f"no per-24 h attempt cap applies ({known})")
    cap, label = rule.attempt_cap, f"{rule.name} law"
    if len(recent) < cap:
        return Decision(
            True, f"{rule.code}-cap", f"{len(recent)} of {cap} attempts used in 24 h ({label})"
        )
    reopens = next_allowed_by_cap(attempt_times, moment, states)
    return Decision(
        False,
        f"{rule.code}-cap",
        f"{len(recent)} attempts in the last 24 h; {label} allows {cap} per rolling 24 h, "
        f"so the next one may go at {times.when(reopens, zone, moment)}",
    )
