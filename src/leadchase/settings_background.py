"""The tables of leadchase.toml that only background work reads: [replies] (a reply coming in),
[daemon], [alerts], [assign] (an import) and [rates] (rate checks).

Kept apart from settings.py so that a command that never reads them (`today`) does not build
their classes on each start: config.py reads and checks their values with the rest, and
Settings builds each section from them the first time it is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time


@dataclass(frozen=True)
class AssignSettings:
    """[assign]: which officer a new lead goes to when `import --officer` names none."""

    # Source pattern ("Zillow*", any case) -> officer name; the first pattern that matches wins.
    by_source: dict[str, str] = field(default_factory=dict)
    # Leads no pattern matches are dealt in turn among the active officers; else they stay
    # with the default officer ([officer]).
    round_robin: bool = False

    def pattern_for(self, source: str) -> str | None:
        """The first pattern that matches `source`, if one does."""
        from fnmatch import fnmatchcase

        wanted = source.strip().casefold()
        for pattern in self.by_source:
            if fnmatchcase(wanted, pattern.strip().casefold()):
                return pattern
        return None


@dataclass(frozen=True)
class ReplySettings:
    """[replies]: the stage a lead moves to when it replies."""

    stage_on_reply: str = "engaged"


@dataclass(frozen=True)
class DaemonSettings:
    """[daemon]: how often `daemon` sends, and the folder it watches for lead files."""

    send_every_seconds: float = 60.0
    watch_dir: str = ""  # as written: relative to the workspace, "~" allowed; "" for none


@dataclass(frozen=True)
class AlertSettings:
    """[alerts]: tell the officer at once about a new lead or a reply (alerts.py). Off until
    turned on, so a workspace made before them sends nothing new."""

    new_lead: bool = False
    reply: bool = False
    by_text: bool = True
    by_email: bool = False
    phone: str = ""  # "" for [officer] phone
    email: str = ""  # "" for [officer] email
    # In your own zone ([contact] default_timezone); alerts raised outside wait for these hours.
    hours_start: time = time(7)
    hours_end: time = time(21)


@dataclass(frozen=True)
class RateSettings:
    """[rates]: when a rate drop is worth an alert to a past client."""

    # Points a past client's note rate must be above today's rate for a rate-drop alert.
    margin: float = 0.75
