"""`leadchase stats`: read one cohort of leads from the database and compute its figures."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from leadchase.context import Context
from leadchase.errors import LeadchaseError
from leadchase.reporting.compute import (
    EventFacts,
    Funnel,
    LeadFacts,
    MessageFacts,
    TouchFacts,
    arrival,
    compute,
    inbound_reply,
)
from leadchase.reporting.model import Stats
from leadchase.sources import family_of, named_family
from leadchase.store.records import OfficerScope

DEFAULT_SINCE = "30d"
_RELATIVE = re.compile(r"^\s*(\d+)\s*([dw])\s*$", re.IGNORECASE)


def parse_since(text: str, now: datetime, zone: str) -> datetime | None:
    """ "30d", "12w", "all" (None: no start), a date (midnight in `zone`) or a date and time."""
    cleaned = text.strip()
    if cleaned.lower() == "all":
        return None
    match = _RELATIVE.match(cleaned)
    if match:
        amount = int(match.group(1))
        return now - timedelta(days=amount * (7 if match.group(2).lower() == "w" else 1))
    try:
        if len(cleaned) == 10:
            moment = datetime.combine(date.fromisoformat(cleaned), time(0), ZoneInfo(zone))
        else:
            moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise LeadchaseError(
            f"--since {text!r} is not a period or a date; use e.g. 30d, 12w, 2026-01-01 or all"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    if moment > now:
        raise LeadchaseError(f"--since {text!r} is in the future; give an earlier date")
    return moment


BY = ("family", "form")


def build_stats(
    context: Context,
    now: datetime,
    since_text: str = DEFAULT_SINCE,
    source: str | None = None,
    officer: OfficerScope | None = None,
    by: str | None = None,
) -> Stats:
    """The stats of the leads that arrived between `since` and `now` (from `source`, of
    `officer`, if given); the funnel in the order of the workspace's stages.yaml.

    `source` is a family of [sources.families] (all its forms) or one source name. Sources are
    grouped `by` family ([sources.families]) or by form (the source name as the lead file gave
    it); by default by family, and by form within one named family (the drill-down).
    """
    from leadchase.cadence.service import FollowUp
    from leadchase.store import reports

    settings = context.settings
    if by is not None and by not in BY:
        raise LeadchaseError(f"--by {by!r} is not a grouping; use --by family or --by form")
    since = parse_since(since_text, now, settings.contact.default_timezone)
    aged_after = timedelta(days=settings.cadence.aged_after_days)
    wanted = source.strip() if source and source.strip() else None
    families = settings.source_families
    family = named_family(wanted, families) if wanted else None
    by_form = (by or ("form" if family else "family")) == "form"

    def label(lead_source: str) -> str:
        return lead_source if by_form else family_of(lead_source, families)

    # A lead arrives no later than it is imported, so the import time bounds the cohort in SQL;
    # a family's forms are told apart from the rest in Python, by their patterns.
    scope = (since, now, None if family else wanted, officer)
    with context.database.reading() as connection:
        leads = [
            LeadFacts(
                lead_id,
                label(lead_source or ""),
                stage,
                arrival(lead_date, imported_at, aged_after),
                contacted_at,
            )
            for lead_id, lead_source, stage, lead_date, imported_at, contacted_at in (
                reports.cohort_leads(connection, *scope)
            )
            if family is None or family_of(lead_source or "", families) == family
        ]
        costs = settings.cost_per_lead
        if by_form:
            costs = _form_costs(costs, families, {lead.source for lead in leads})
        return compute(
            now=now,
            since=since,
            source=family or wanted,
            leads=leads,
            touches=(TouchFacts(*touch) for touch in reports.cohort_touches(connection, *scope)),
            messages=(
                MessageFacts(*message)
                for message in reports.cohort_sent_messages(connection, *scope)
            ),
            replies=(
                reply
                for text in reports.cohort_inbound_texts(connection, *scope)
                if (reply := inbound_reply(*text)) is not None
            ),
            events=(
                EventFacts(lead_id, kind, at, detail)
                for lead_id, at, kind, detail in reports.cohort_events(
                    connection, *scope, ("stage", "opt-out")
                )
            ),
            costs=costs,
            funnel=Funnel.of(FollowUp.load(settings, check_settings=False).cadences.stage_map),
        )


def _form_costs(
    costs: Mapping[str, float], families: Mapping[str, Sequence[str]], forms: set[str]
) -> dict[str, float]:
    """Costs per lead by form: a form without its own cost has its family's."""
    folded = {name.strip().casefold(): cost for name, cost in costs.items()}
    found = dict(costs)
    for form in forms:
        cost = folded.get(form.strip().casefold(), folded.get(family_of(form, families).casefold()))
        if cost is not None:
            found[form] = cost
    return found


def stats_by_officer(
    context: Context, now: datetime, since_text: str = DEFAULT_SINCE, source: str | None = None
) -> list[tuple[str, Stats]]:
    """`stats --by officer`: each officer's stats, the default officer first; an officer who
    left the team shows while leads of theirs are still theirs."""
    from leadchase.store import officers as officer_store
    from leadchase.team import Team

    with context.database.reading() as connection:
        team = Team.read(connection, context.settings.officer)
        owning = officer_store.lead_counts(connection)
    members = [m for m in team.officers if m.active or owning.get(m.id)]
    return [
        (
            team.name_of(officer_id),
            build_stats(context, now, since_text, source, OfficerScope(officer_id)),
        )
        for officer_id in [None, *(m.id for m in members)]
    ]
