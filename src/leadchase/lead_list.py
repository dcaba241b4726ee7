"""`leadchase leads`: the leads matching a search, newest first, and how many match in all;
`--stale`: the leads that fell off."""

from __future__ import annotations

from dataclasses import dataclass

from leadchase.cadence.moves import in_play
from leadchase.cadence.service import FollowUp
from leadchase.context import Context
from leadchase.store import leads as lead_store
from leadchase.store.records import Lead, OfficerScope


@dataclass(frozen=True)
class LeadList:
    leads: tuple[Lead, ...]
    total: int  # every match, beyond the limit too


def list_leads(
    context: Context,
    search: str = "",
    stage: str | None = None,
    source: str | None = None,
    limit: int = 50,
    *,
    stale: bool = False,
    scope: OfficerScope | None = None,
) -> LeadList:
    """Leads whose name, phone or email contains `search`, in that stage and from that source.

    `stale`: only leads that fell off, with nothing planned though they are still in play (not
    closed or dead, in a stage the stage map gives a cadence, not opted out of every channel).
    Nobody should be there: a lead whose cadence ends moves on to nurture. `scope`: only one
    officer's leads."""
    stale_stages = None
    if stale or stage is not None:
        followup = FollowUp.load(context.settings)
        stage = followup.cadences.stage_map.parse(stage) if stage is not None else None
        if stale:
            names = followup.cadences.stage_map.names
            stale_stages = [name for name in names if in_play(followup, name)]
    with context.database.reading() as connection:
        rows, total = lead_store.search(
            connection,
            text=search,
            stage=stage,
            source=source,
            stale_stages=stale_stages,
            limit=limit,
            scope=scope,
        )
    return LeadList(tuple(rows), total)
