"""Messages that sound like a person: Jinja2 templates, variants, SMS segments, robot-speak lint.

Importing this package does not import jinja2; that happens when a template is first compiled.
"""

from leadchase.messaging.context import (
    LEAD_FALLBACKS,
    OFFER_KINDS,
    LeadDetails,
    MessageContext,
    OfficerDetails,
    StepDetails,
    classify_offer,
)
from leadchase.messaging.library import MessageTemplate, TemplateError, TemplateLibrary, Variant
from leadchase.messaging.lint import Finding, lint_templates
from leadchase.messaging.render import Rendered, render
from leadchase.messaging.segments import SegmentInfo, segment_info

__all__ = [
    "LEAD_FALLBACKS",
    "OFFER_KINDS",
    "Finding",
    "LeadDetails",
    "MessageContext",
    "MessageTemplate",
    "OfficerDetails",
    "Rendered",
    "SegmentInfo",
    "StepDetails",
    "TemplateError",
    "TemplateLibrary",
    "Variant",
    "classify_offer",
    "lint_templates",
    "render",
    "segment_info",
]
