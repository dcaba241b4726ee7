"""`leadchase leads`: the leads matching a search, newest first, and how many match in all."""

from __future__ import annotations

from dataclasses import dataclass

from leadchase.context import Context
from leadchase.store import leads as lead_store
from leadchase.store.records import Lead


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
) -> LeadList:
    """Leads whose name, phone or email contains `search`, in that stage and from that source."""
    with context.database.reading() as connection:
        rows, total = lead_store.search(
            connection, text=search, stage=stage, source=source, limit=limit
        )
    return LeadList(tuple(rows), total)
