"""The workspace's message templates: the list, one rendered for a lead, the lint report.

What `leadchase template list|preview|lint` show; the commands only parse and render.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from leadchase.context import Context
from leadchase.messaging import (
    Finding,
    Moment,
    Preview,
    TemplateLibrary,
    TemplateSummary,
    lint_repeats,
    lint_templates,
    preview_template,
    summarise,
)


def template_library(context: Context) -> TemplateLibrary:
    return TemplateLibrary(context.settings.workspace.templates_dir)


@dataclass(frozen=True)
class TemplateList:
    folder: Path
    summaries: tuple[TemplateSummary, ...]


def list_templates(context: Context) -> TemplateList:
    """Every template in the workspace, broken ones included (with what is wrong)."""
    library = template_library(context)
    return TemplateList(library.folder, tuple(summarise(library)))


def preview_for_lead(
    context: Context,
    name: str,
    now: datetime,
    lead: str | None = None,
    variant: int | None = None,
    offer: str | None = None,
) -> Preview:
    """`name` rendered for the lead with that id, phone or email (default: a sample lead), as a
    send would render it: at the lead's next planned touch on the template's channel (now, if
    that is late), else now."""
    library = template_library(context)
    officer = context.settings.officer
    most = context.settings.twilio.max_segments
    if lead is None:
        return preview_template(
            library,
            name,
            officer,
            Moment(now),
            variant=variant,
            offer_kind=offer,
            max_segments=most,
        )
    from leadchase.lead_reference import find_lead
    from leadchase.messaging.details import going_out_at
    from leadchase.store import sending as send_store
    from leadchase.store import touches as touch_store
    from leadchase.team import Team

    channel = library.get(name).channel
    with context.database.reading() as connection:
        found = find_lead(connection, lead)
        officer = Team.read(connection, officer).officer_for(found)  # as the lead reads it
        # As a send counts it: this lead's touches on the channel so far, plus this one.
        attempt = send_store.channel_attempts(connection, found.id, channel) + 1
        planned = next(
            (t for t in touch_store.open_touches(connection, found.id) if t.channel == channel),
            None,
        )
    moment = (
        Moment(now, attempt=attempt)
        if planned is None
        else Moment(
            going_out_at(planned.due_at, now), f"its next planned {channel}", planned.day, attempt
        )
    )
    return preview_template(
        library,
        name,
        officer,
        moment,
        lead=found,
        variant=variant,
        offer_kind=offer,
        max_segments=most,
    )


@dataclass(frozen=True)
class LintReport:
    checked: int
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == "error")

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    def to_json(self) -> dict[str, Any]:
        return {
            "templates": self.checked,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [asdict(finding) for finding in self.findings],
        }


def lint(context: Context, names: list[str] | None = None) -> LintReport:
    """Findings for the named templates, or for all of them, with the cadences that send a
    template more often than it has wordings."""
    from leadchase.cadence.check import template_uses
    from leadchase.cadence.service import FollowUp

    library = template_library(context)
    findings = lint_templates(library, names or None)
    uses = template_uses(FollowUp.load(context.settings).cadences.cadences)
    if names:
        uses = {
            cadence: {n: c for n, c in counts.items() if n in names}
            for cadence, counts in uses.items()
        }
    findings += lint_repeats(library, uses)
    checked = len(names) if names else len(library.names())
    return LintReport(checked, tuple(findings))
