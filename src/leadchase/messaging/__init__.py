"""Messages that sound like a person: Jinja2 templates, variants, SMS segments, robot-speak lint.

Importing this package imports none of its parts: each name below is imported from its module
on first use, so `today` (which renders) does not load the lint and preview it never runs.
jinja2 itself is imported when a template is first compiled.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from leadchase.messaging.context import (
        LEAD_FALLBACKS,
        OFFER_KINDS,
        LeadDetails,
        MessageContext,
        RateDetails,
        StepDetails,
        classify_offer,
    )
    from leadchase.messaging.details import (
        lead_details,
        render_touch,
        whole_dollars,
    )
    from leadchase.messaging.library import MessageTemplate, TemplateError, TemplateLibrary, Variant
    from leadchase.messaging.lint import Finding, lint_repeats, lint_templates, lint_used
    from leadchase.messaging.preview import (
        SAMPLE_LEAD,
        Moment,
        Preview,
        TemplateSummary,
        preview_template,
        summarise,
    )
    from leadchase.messaging.segments import SegmentInfo, segment_info

# Imported now: `render` is also the name of its module, which the import system would bind
# here in the function's place whenever the module is first imported.
from leadchase.messaging.render import Rendered, render

# Where each name lives (a module of this package).
_HOMES = {
    "LEAD_FALLBACKS": "context",
    "OFFER_KINDS": "context",
    "LeadDetails": "context",
    "MessageContext": "context",
    "RateDetails": "context",
    "StepDetails": "context",
    "classify_offer": "context",
    "lead_details": "details",
    "render_touch": "details",
    "whole_dollars": "details",
    "MessageTemplate": "library",
    "TemplateError": "library",
    "TemplateLibrary": "library",
    "Variant": "library",
    "Finding": "lint",
    "lint_repeats": "lint",
    "lint_templates": "lint",
    "lint_used": "lint",
    "SAMPLE_LEAD": "preview",
    "Moment": "preview",
    "Preview": "preview",
    "TemplateSummary": "preview",
    "preview_template": "preview",
    "summarise": "preview",
    "SegmentInfo": "segments",
    "segment_info": "segments",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)


__all__ = [
    "LEAD_FALLBACKS",
    "OFFER_KINDS",
    "SAMPLE_LEAD",
    "Finding",
    "LeadDetails",
    "MessageContext",
    "MessageTemplate",
    "Moment",
    "Preview",
    "RateDetails",
    "Rendered",
    "SegmentInfo",
    "StepDetails",
    "TemplateError",
    "TemplateLibrary",
    "TemplateSummary",
    "Variant",
    "classify_offer",
    "lead_details",
    "lint_repeats",
    "lint_templates",
    "lint_used",
    "preview_template",
    "render",
    "render_touch",
    "segment_info",
    "summarise",
    "whole_dollars",
]
