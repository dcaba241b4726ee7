"""The one place that reads the wall clock.

Every scheduling decision takes `now` as an argument; commands get it from here, so the
LEADCHASE_NOW environment variable (ISO-8601) can replay any moment for demos and simulations.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from leadchase.errors import ConfigError


def parse_now(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(
            f"LEADCHASE_NOW={value!r} is not an ISO-8601 time; use e.g. 2026-03-02T09:30:00-05:00"
        ) from None
    if moment.tzinfo is None:
        raise ConfigError(
            f"LEADCHASE_NOW={value!r} has no UTC offset; add one, e.g. 2026-03-02T09:30:00-05:00"
        )
    return moment.astimezone(UTC)


def now() -> datetime:
    """The current moment as an aware UTC datetime, or LEADCHASE_NOW when set."""
    override = os.environ.get("LEADCHASE_NOW")
    if override:
        return parse_now(override)
    return datetime.now(UTC)
