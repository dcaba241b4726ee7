"""`template list` and `template preview`: what each template holds and what a lead would read."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from leadchase.config import Officer
from leadchase.errors import LeadchaseError
from leadchase.messaging.context import (
    OFFER_KINDS,
    LeadDetails,
    MessageContext,
    StepDetails,
)
from leadchase.messaging.library import TemplateError, TemplateLibrary
from leadchase.messaging.render import Rendered, render
from leadchase.messaging.segments import DEFAULT_MAX_SEGMENTS, too_long

# Who a preview is for when no real lead is named: every field given, so no fallback hides a
# merge field the officer wants to see filled in.
SAMPLE_LEAD = LeadDetails(
    first_name="Ana",
    last_name="Silva",
    city="Austin",
    state="TX",
    source="Facebook",
    offer="Home Equity Calculator",
    loan_purpose="cash-out refinance",
    loan_amount=350_000,
    property_value=500_000,
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


def preview_template(
    library: TemplateLibrary,
    name: str,
    officer: Officer,
    *,
    lead: LeadDetails = SAMPLE_LEAD,
    lead_label: str = "sample lead Ana Silva",
    lead_id: int | None = None,
    variant: int | None = None,
    offer_kind: str | None = None,
    max_segments: int = DEFAULT_MAX_SEGMENTS,
) -> Preview:
    """Render `name` for a lead; without `variant`, every wording framed for its offer kind."""
    if offer_kind is not None and offer_kind not in OFFER_KINDS:
        raise LeadchaseError(
            f"unknown offer kind {offer_kind!r} for --offer; use one of {', '.join(OFFER_KINDS)}"
        )
    template = library.get(name)
    if offer_kind is not None:
        lead = replace(lead, offer_kind=offer_kind)
    step = StepDetails(channel=template.channel, is_first_touch=template.is_first_touch)
    ctx = MessageContext(lead, officer, step)
    numbers = (
        [variant]
        if variant is not None
        else [v.number for v in template.variants_for(ctx.offer_kind)]
    )
    messages = tuple(
        render(library, name, ctx, lead_id=lead_id or 0, step_key="preview", variant=number)
        for number in numbers
    )
    return Preview(
        name, template.channel, lead_label, lead_id, ctx.offer_kind, messages, max_segments
    )
