"""`template list` and `template preview`: what each template holds and what a lead would read."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from leadchase.config import Officer
from leadchase.errors import LeadchaseError
from leadchase.messaging.context import OFFER_KINDS
from leadchase.messaging.details import touch_context
from leadchase.messaging.library import TemplateError, TemplateLibrary
from leadchase.messaging.render import Rendered, render
from leadchase.messaging.segments import DEFAULT_MAX_SEGMENTS, too_long
from leadchase.store.records import Lead

# Who a preview is for when no real lead is named: every field given, so no fallback hides a
# merge field the officer wants to see filled in. It arrives at the moment previewed and has
# never replied, as a new lead reads its first messages.
SAMPLE_LEAD = Lead(
    id=0,
    name="Ana Silva",
    first_name="Ana",
    last_name="Silva",
    city="Austin",
    state="TX",
    source="Facebook",
    offer="Home Equity Calculator",
    loan_purpose="cash-out refinance",
    loan_amount="350000",
    property_value="500000",
)


@dataclass(frozen=True)
class TemplateSummary:
    """One template as `template list` shows it; `problem` says why a broken one cannot load."""

    name: str
    channel: str
    variants: int
    framings: dict[str, int]
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "channel": self.channel,
            "variants": self.variants,
            "framings": self.framings,
            "problem": self.problem,
        }


def summarise(library: TemplateLibrary) -> list[TemplateSummary]:
    """Every template in the library with its wordings per offer kind, broken ones included."""
    summaries = []
    for name in library.names():
        try:
            template = library.get(name)
        except TemplateError as error:
            summaries.append(TemplateSummary(name, "", 0, {}, f"{error.problem}; {error.fix}"))
            continue
        framings: dict[str, int] = {}
        for variant in template.variants:
            for kind in variant.offer_kinds:
                framings[kind] = framings.get(kind, 0) + 1
        summaries.append(TemplateSummary(name, template.channel, len(template.variants), framings))
    return summaries


@dataclass(frozen=True)
class Preview:
    """A template rendered for one lead: every wording that lead could get, or the one asked for."""

    template: str
    channel: str
    lead: str
    lead_id: int | None
    offer_kind: str
    messages: tuple[Rendered, ...]
    at: datetime  # the moment rendered for: the day counts run to it
    at_why: str  # "now" or "its next planned text"
    zone: str | None  # the lead's zone (None: unknown, or the sample lead)
    max_segments: int = DEFAULT_MAX_SEGMENTS

    def held(self, message: Rendered) -> str | None:
        """Why a send would hold this text (too long), or None."""
        return too_long(message.segments, self.max_segments)

    def to_json(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "channel": self.channel,
            "lead": self.lead,
            "lead_id": self.lead_id,
            "offer_kind": self.offer_kind,
            "at": self.at.isoformat(),
            "messages": [_message_json(message, self.held(message)) for message in self.messages],
        }


def _message_json(message: Rendered, held: str | None) -> dict[str, Any]:
    document: dict[str, Any] = {"variant": message.variant}
    if message.channel == "email":
        document["subject"] = message.subject
    document["body"] = message.body
    if message.segments is not None:
        document |= {
            "characters": message.segments.characters,
            "encoding": message.segments.encoding,
            "units": message.segments.units,
            "segments": message.segments.segments,
            "held": held,
        }
    return document


@dataclass(frozen=True)
class Moment:
    """When a previewed message would go out, as a send would render it: the due time, the
    cadence day and the lead's attempt on the channel (None: the template's own place, a first
    touch for a first-touch template), and why that moment ("now", "its next planned text")."""

    at: datetime
    why: str = "now"
    day: int = 1
    attempt: int | None = None


def preview_template(
    library: TemplateLibrary,
    name: str,
    officer: Officer,
    moment: Moment,
    *,
    lead: Lead | None = None,
    variant: int | None = None,
    offer_kind: str | None = None,
    max_segments: int = DEFAULT_MAX_SEGMENTS,
) -> Preview:
    """Render `name` for a lead (default: the sample lead) with the context a send builds at
    `moment`; without `variant`, every wording framed for its offer kind."""
    if offer_kind is not None and offer_kind not in OFFER_KINDS:
        raise LeadchaseError(
            f"unknown offer kind {offer_kind!r} for --offer; use one of {', '.join(OFFER_KINDS)}"
        )
    template = library.get(name)
    shown = lead or replace(SAMPLE_LEAD, imported_at=moment.at)
    attempt = moment.attempt or (1 if template.is_first_touch else 2)
    ctx = touch_context(
        shown, officer, channel=template.channel, day=moment.day, attempt=attempt, at=moment.at
    )
    if offer_kind is not None:
        ctx = replace(ctx, lead=replace(ctx.lead, offer_kind=offer_kind))
    numbers = (
        [variant]
        if variant is not None
        else [v.number for v in template.variants_for(ctx.offer_kind)]
    )
    messages = tuple(
        render(library, name, ctx, lead_id=shown.id, step_key="preview", variant=number)
        for number in numbers
    )
    if lead is None:
        label, lead_id, zone = f"sample lead {SAMPLE_LEAD.name}", None, None
    else:
        label, lead_id, zone = f"{lead.name or '(no name)'} (#{lead.id})", lead.id, lead.timezone
    return Preview(
        name,
        template.channel,
        label,
        lead_id,
        ctx.offer_kind,
        messages,
        moment.at,
        moment.why,
        zone,
        max_segments,
    )
