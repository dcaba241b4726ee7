"""What every follow-up decision starts from: the workspace's cadences with its settings, and
whether the database was planned with these cadences. No database access: the agenda and the
contact policy read through this without loading SQLAlchemy (cadence/service.py writes).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from leadchase.cadence.load import load_cadences
from leadchase.cadence.model import Cadence, CadenceSet, LeadClock
from leadchase.compliance.windows import ContactPolicy
from leadchase.config import Settings, check_cadence_names
from leadchase.contact.places import candidate_states
from leadchase.errors import CadenceError
from leadchase.store.records import Lead


@dataclass(frozen=True)
class FollowUp:
    """The cadences and settings every follow-up decision needs."""

    settings: Settings
    cadences: CadenceSet

    @classmethod
    def load(cls, settings: Settings, *, check_settings: bool = True) -> FollowUp:
        """The workspace's cadences; with check_settings, a ConfigError when leadchase.toml
        names a cadence that is not there (doctor lists it among its checks instead)."""
        templates = settings.workspace.templates_dir
        names = _template_names(templates) if templates.is_dir() else None
        loaded = cls(settings, load_cadences(settings.workspace.cadences_dir, template_names=names))
        if check_settings:
            loaded.check_settings()
        return loaded

    def check_settings(self) -> None:
        """[cadence] in leadchase.toml names only cadences that are there (ConfigError)."""
        broken = {PurePath(problem.file).stem for problem in self.cadences.problems}
        check_cadence_names(self.settings, self.cadences.cadences, broken)

    @property
    def policy(self) -> ContactPolicy:
        contact = self.settings.contact
        return ContactPolicy(
            start=contact.window_start,
            end=contact.window_end,
            skip_weekends=contact.skip_weekends,
            skip_holidays=contact.skip_holidays,
        )

    def cadence(self, name: str | None) -> Cadence | None:
        if name is None:
            return None
        return self.cadences.cadences.get(name)

    def require(self, name: str) -> Cadence:
        cadence = self.cadence(name)
        if cadence is None:
            known = ", ".join(sorted(self.cadences.cadences)) or "none loaded"
            raise CadenceError(
                f"no cadence named '{name}' (known: {known}); check cadences/ with "
                "`leadchase cadence check`"
            )
        return cadence

    def clock(self, lead: Lead, start: datetime) -> LeadClock:
        """The lead's clock for a cadence that starts at `start`. A lead imported after it
        arrived begins its cadence when it reached you: its days count from the import."""
        begins = max(start, lead.imported_at) if lead.imported_at else start
        clock = self.place_clock(begins, lead.timezone, lead.time_zones, lead.state, lead.phone)
        # Steps `from: closing_date` / `from: birthday` land on the lead's own dates.
        dates = {"closing_date": lead.closing_date, "birthday": lead.birthday}
        anchors = tuple((name, day) for name, day in dates.items() if day is not None)
        return replace(clock, seed=lead.id, anchors=anchors)

    def place_clock(
        self,
        start: datetime,
        timezone: str | None,
        time_zones: str | None,
        state: str | None,
        phone: str | None,
    ) -> LeadClock:
        """A clock from where a lead is: for the import's new leads, not stored yet."""
        return LeadClock(
            start=start,
            zone=timezone or self.settings.contact.default_timezone,
            zones=tuple(z for z in (time_zones or "").split(";") if z),
            states=candidate_states(state, phone),
        )

    def cadence_for_new_lead(
        self, lead: Mapping[str, Any], now: datetime, override: str | None
    ) -> tuple[str, datetime]:
        """Which cadence a new lead starts on, and when: --cadence, the source map, else by age."""
        aged_after = timedelta(days=self.settings.cadence.aged_after_days)
        arrived = lead.get("lead_date")
        fresh = arrived is not None and now - aged_after <= arrived <= now
        start = arrived if fresh and arrived is not None else now
        if override:
            return override, start
        mapped = self.settings.cadence.for_source(lead.get("source") or "")
        if mapped is not None:
            return mapped, start
        if arrived is not None and not fresh and arrived < now - aged_after:
            return self.settings.cadence.aged_cadence, start
        return self.settings.cadence.default, start


def _template_names(folder: PurePath) -> set[str]:
    """The names of the templates under `folder` ("aged-lead/first-text"): what its *.j2
    entries are called, as Path.rglob lists them (a linked folder is not entered), at a
    third of its cost."""
    names = set()
    top = len(str(folder)) + 1
    for parent, folders, files in os.walk(folder):
        where = parent[top:]
        for name in (*folders, *files):
            if name.endswith(".j2"):
                relative = f"{where}/{name}" if where else name
                names.add(relative.split(".", 1)[0])
    return names


def cadences_changed(stored: Mapping[str, str], followup: FollowUp) -> bool:
    """Whether any cadence differs from what the database last planned with: `stored` holds
    the database's "cadence:" states."""
    fingerprints = followup.cadences.fingerprints
    return any(stored.get(f"cadence:{name}") != fingerprints[name] for name in fingerprints)


def cadences_edited(stored: Mapping[str, str], followup: FollowUp) -> bool:
    """Whether a cadence the database planned with has been edited since (its "cadence:"
    states in `stored`)."""
    fingerprints = followup.cadences.fingerprints
    return any(
        f"cadence:{name}" in stored and stored[f"cadence:{name}"] != fingerprints[name]
        for name in fingerprints
    )


# The stage everyone rests in: nurture keeps in touch for two years, nobody is dropped.
KEEP_IN_TOUCH_STAGE = "nurture"


def quiet_leads(
    followup: FollowUp, now: datetime, quiet_since: Callable[[str, datetime], list[int]]
) -> list[int]:
    """The leads whose stage has quiet_after_days and who have not replied, nor changed
    stage, for that long (never new leads: their cadence hands them to nurture when it ends,
    and the partial index ix_lead_in_play leaves them out). `quiet_since(stage, since)` reads them: store/leads.py on a
    connection, or the agenda's plain reader (store/fast.py)."""
    found: list[int] = []
    for stage in followup.cadences.stage_map.stages:
        if stage.quiet_after_days is not None and stage.name not in (KEEP_IN_TOUCH_STAGE, "new"):
            found += quiet_since(stage.name, now - timedelta(days=stage.quiet_after_days))
    return found
