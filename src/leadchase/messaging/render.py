"""Turn a template and a lead into the text or email that will be sent."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from leadchase.contact.channels import MessageChannel
from leadchase.display import without_controls
from leadchase.messaging.context import MessageContext, template_variables
from leadchase.messaging.library import (
    MessageTemplate,
    Part,
    TemplateError,
    TemplateLibrary,
    Variant,
)
from leadchase.messaging.segments import SegmentInfo, segment_info
from leadchase.messaging.variants import candidate_order, least_recent, wording
from leadchase.store.records import NOTHING_SENT, Sent

_RUNS_OF_SPACES = re.compile(r"(?<=\S) {2,}")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"(?<=\w) +(?=[,.!?;:](?:\s|$))")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Rendered:
    """A message ready to send. `variant` numbers the wording within its template file."""

    template: str
    variant: int
    channel: MessageChannel
    subject: str | None
    body: str
    segments: SegmentInfo | None


def render(
    library: TemplateLibrary,
    name: str,
    ctx: MessageContext,
    *,
    lead_id: int,
    step_key: str,
    sent: Sent = NOTHING_SENT,
    variant: int | None = None,
) -> Rendered:
    """Render template `name` for one lead.

    Without `variant`, the wording is stable for (lead_id, step_key): the wordings framed for
    the lead's offer kind come first, then the generic ones, and the first whose body (and, for
    an email, subject) the lead has never got is the one. When the lead has had them all, the
    one it got longest ago: `template lint` warns about a cadence that sends a template more
    often than it has wordings, so that does not happen with a checked cadence.
    """
    template = library.get(name)
    variables = template_variables(ctx, ctx.offer_kind)
    if variant is not None:
        return _rendered(library, template, template.variant(variant), variables)
    bodies = {wording(body) for body in sent.bodies}
    subjects = {wording(subject) for subject in sent.subjects}
    candidates = []
    for choices in template.wording_groups(ctx.offer_kind):
        for index in candidate_order(lead_id, step_key, len(choices)):
            candidate = _rendered(library, template, choices[index], variables)
            if wording(candidate.body) not in bodies and (
                candidate.subject is None or wording(candidate.subject) not in subjects
            ):
                return candidate
            candidates.append(candidate)
    return candidates[least_recent([c.body for c in candidates], sent.bodies)]


def render_variant(
    library: TemplateLibrary,
    template: MessageTemplate,
    variant: Variant,
    variables: Mapping[str, Any],
) -> tuple[str | None, str]:
    """The (subject, body) of one variant; subject is None for texts."""
    subject = None
    if template.channel == "email":
        subject = " ".join(_render_part(library, template, variant, "subject", variables).split())
    return subject, _render_part(library, template, variant, "body", variables)


def tidy(text: str) -> str:
    """Clean what empty merge fields and template tags leave behind: double spaces, a space
    before a comma, trailing spaces, runs of blank lines."""
    lines = [_RUNS_OF_SPACES.sub(" ", line.rstrip()) for line in text.split("\n")]
    lines = [_SPACE_BEFORE_PUNCTUATION.sub("", line) for line in lines]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _rendered(
    library: TemplateLibrary,
    template: MessageTemplate,
    variant: Variant,
    variables: Mapping[str, Any],
) -> Rendered:
    subject, body = render_variant(library, template, variant, variables)
    segments = segment_info(body) if template.channel == "text" else None
    return Rendered(template.name, variant.number, template.channel, subject, body, segments)


def _render_part(
    library: TemplateLibrary,
    template: MessageTemplate,
    variant: Variant,
    part: Part,
    variables: Mapping[str, Any],
) -> str:
    import jinja2

    compiled = library.compiled(template, variant, part)
    try:
        # The one place a message takes its final characters: no control character of a
        # lead's data (an escape sequence, a bidi override) reaches a phone or a mail client.
        return tidy(without_controls(compiled.render(variables)))
    except jinja2.UndefinedError as error:
        raise TemplateError(
            template.name,
            template_line(error.__traceback__),
            f"uses something that is not defined ({error.message})",
            "use a name listed in docs/templates.md and check with `leadchase template lint`",
            rule="undefined",
        ) from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError) as error:
        raise TemplateError(
            template.name,
            template_line(error.__traceback__),
            f"cannot be rendered ({error})",
            "fix the expression; merge fields are text, e.g. lead.loan_amount is '$350,000'",
            rule="render-error",
        ) from None


def template_line(traceback: TracebackType | None) -> int | None:
    """The template line an error came from: Jinja rewrites tracebacks to point at it."""
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == "<template>":
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line
