"""`leadchase cadence preview`: a whole schedule in the lead's local time.

It sits above cadence/ because it looks a lead up the way lead work does; cadence/ itself
never reaches up into the features built on it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from leadchase.cadence.schedule import plan
from leadchase.cadence.service import FollowUp
from leadchase.contact.places import lead_time_zones, normalise_state, normalise_zip
from leadchase.context import Context
from leadchase.errors import LeadchaseError
from leadchase.store.records import Lead
from leadchase.times import when


@dataclass(frozen=True)
class PreviewRow:
    day: int
    due: datetime
    local_time: str
    channel: str
    automated: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["due"] = self.due.isoformat()
        return document


@dataclass(frozen=True)
class Preview:
    title: str
    rows: list[PreviewRow]
    zone: str  # the lead's zone, where its days are counted


def preview_cadence(
    context: Context,
    now: datetime,
    *,
    lead: str | None = None,
    cadence: str | None = None,
    state: str = "CA",
    zip_code: str = "",
) -> Preview:
    followup = FollowUp.load(context.settings)
    if lead is not None:
        from leadchase.lead_reference import find_lead

        with context.database.reading() as connection:
            facts = find_lead(connection, lead)
        chosen = followup.require(facts.cadence) if facts.cadence else None
        if chosen is None:
            raise LeadchaseError(
                f"lead #{facts.id} has no cadence (stage {facts.stage}); nothing is planned"
            )
        start = facts.cadence_started_at or now
        title = f"{facts.name or facts.id}: {chosen.name}"
    else:
        assert cadence is not None
        chosen = followup.require(cadence)
        code = normalise_state(state)
        if code is None:
            raise LeadchaseError(f"--state {state!r} is not a US state; use a code like FL or TX")
        zone, zones = lead_time_zones(code, normalise_zip(zip_code) if zip_code else None, None)
        # A made-up lead, never stored: only where it is matters to its schedule.
        facts = Lead(id=0, state=code, timezone=zone, time_zones=";".join(zones))
        start = now
        title = f"{chosen.name} for a new lead in {code}"
    clock = followup.clock(facts, start)
    rows = [
        PreviewRow(
            day=s.touch.day,
            due=s.due_at,
            local_time=when(s.due_at, clock.zone, now),
            channel=s.touch.channel,
            automated=s.touch.automated,
            detail=s.touch.template or s.touch.say or "",
        )
        for s in plan(chosen, clock, followup.policy)
    ]
    return Preview(title, rows, clock.zone)
