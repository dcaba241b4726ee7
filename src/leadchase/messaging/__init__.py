"""Messages that sound like a person: Jinja2 templates, variants, SMS segments, robot-speak lint.

Importing this package does not import jinja2; that happens when a template is first compiled.
"""

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
    Preview,
    TemplateSummary,
    preview_template,
    summarise,
)
from leadchase.messaging.render import Rendered, render
from leadchase.messaging.segments import SegmentInfo, segment_info

__all__ = [
    "LEAD_FALLBACKS",
    "OFFER_KINDS",
    "SAMPLE_LEAD",
    "Finding",
    "LeadDetails",
    "MessageContext",
    "MessageTemplate",
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
