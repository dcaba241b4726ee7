"""The template lint: every template, every variant, rendered against sample leads and judged.

Each variant is rendered for a lead with every field empty (fallbacks everywhere) and for one
with long names in every field (the worst case for SMS length), as a first touch where that
applies. Errors are what must not be sent (compliance, undefined names, syntax, texts over two
segments); warnings are style: robot-speak, shouting, exclamation marks, accidental UCS-2,
links in first messages, single-wording templates. docs/templates.md lists every rule.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from leadchase.config import Officer
from leadchase.messaging.context import (
    TEMPLATE_NAMES,
    TOP_LEVEL_NAMES,
    LeadDetails,
    MessageContext,
    RateDetails,
    StepDetails,
    template_variables,
)
from leadchase.messaging.library import (
    MessageTemplate,
    Part,
    TemplateError,
    TemplateLibrary,
    Variant,
)
from leadchase.messaging.lint_checks import Message, Problem, Severity, check_message
from leadchase.messaging.render import render_variant


@dataclass(frozen=True)
class Finding:
    template: str
    line: int
    severity: Severity
    rule: str
    message: str
    fix: str


SAMPLE_OFFICER = Officer(
    name="Christopher Montgomery",
    phone="(555) 555-0142",
    email="christopher.montgomery@example-lending.com",
    company="Example Home Lending of Southern California",
    postal_address="1234 Example Boulevard, Suite 500, Rancho Santa Margarita, CA 92688",
    nmls="1234567",
    equal_housing="opportunity",
)
LONG_LEAD = LeadDetails(
    first_name="Alexandria-Maximiliana",
    last_name="Featherstonehaugh-Worthington",
    city="Rancho Santa Margarita",
    state="CA",
    source="Facebook Lead Ads - Spring Campaign",
    offer="Home Equity Calculator - Cash Out Estimate",
    loan_purpose="cash-out refinance",
    loan_amount=1_250_000,
    property_value=2_400_000,
    address="27182 Calle Arroyo Grande, Unit 1400",
    note_rate="12.875%",
)
# The long lead comes first so the worst-case length is the one reported.
SAMPLE_CONTEXTS = (
    MessageContext(
        LONG_LEAD,
        SAMPLE_OFFICER,
        unsubscribe_url="https://example-lending.com/unsubscribe/a1b2c3d4e5f6",
        rate=RateDetails(product="30-year", today="6.125%", monthly_saving=1_234),
    ),
    MessageContext(LeadDetails(), replace(SAMPLE_OFFICER, nmls="")),
    # A lead who replied: the wordings a template keeps for leads it talked with are judged too.
    MessageContext(
        replace(LONG_LEAD, ever_talked=True, ever_replied=True, days_since_reply=40),
        SAMPLE_OFFICER,
    ),
)


def lint_templates(library: TemplateLibrary, names: Sequence[str] | None = None) -> list[Finding]:
    """Findings for the named templates (all of them by default), by template and line."""
    known = library.names()
    for name in names or ():
        if name not in known:
            raise TemplateError(
                name, None, f"not found in {library.folder}", "check the name against the list"
            )
    findings: list[Finding] = []
    for name in known if names is None else names:
        findings += _lint_template(library, name)
    return sorted(findings, key=lambda f: (f.template, f.line, f.rule, f.message))


def lint_used(library: TemplateLibrary, names: Iterable[str]) -> list[Finding]:
    """Findings for the templates cadences use; a missing one is the cadence loader's to report."""
    return lint_templates(library, sorted(set(names) & set(library.names())))


def lint_repeats(library: TemplateLibrary, uses: Mapping[str, Mapping[str, int]]) -> list[Finding]:
    """A warning for each template a cadence sends a lead more often than it has wordings:
    `uses` counts, per cadence, how many times each template goes to one lead. No lead gets a
    body or subject twice while wordings last; after that it would get the oldest one again."""
    findings = []
    for cadence, counts in sorted(uses.items()):
        for name, count in sorted(counts.items()):
            try:
                template = library.get(name)
            except TemplateError:
                continue  # the template's own findings say what is wrong with it
            wordings = template.distinct_wordings()
            if count > wordings:
                findings.append(
                    Finding(
                        name,
                        1,
                        "warning",
                        "repeats",
                        f"cadence {cadence} sends it {count} times but a lead has only "
                        f"{wordings} different wordings of it, so some lead gets one twice",
                        f"add {count - wordings} more generic wordings, or send it less often",
                    )
                )
    return findings


def _lint_template(library: TemplateLibrary, name: str) -> list[Finding]:
    try:
        template = library.get(name)
    except TemplateError as error:
        return [_from_error(error)]
    findings = _few_variants(template)
    for variant in template.variants:
        findings += _lint_variant(library, template, variant)
    return findings


def _few_variants(template: MessageTemplate) -> list[Finding]:
    findings = []
    kinds = dict.fromkeys(kind for variant in template.variants for kind in variant.offer_kinds)
    for kind in kinds:
        group = [variant for variant in template.variants if kind in variant.offer_kinds]
        if len(group) == 1:
            marker = "=== variant ===" if kind == "generic" else f"=== variant: {kind} ==="
            findings.append(
                Finding(
                    template.name,
                    group[0].line,
                    "warning",
                    "few-variants",
                    f"only one {kind} wording, so every such lead gets the same words",
                    f'add a second wording under a "{marker}" line',
                )
            )
    return findings


def _lint_variant(
    library: TemplateLibrary, template: MessageTemplate, variant: Variant
) -> list[Finding]:
    parts: tuple[Part, ...] = ("subject", "body") if template.channel == "email" else ("body",)
    undefined: list[Finding] = []
    for part in parts:
        try:
            library.compiled(template, variant, part)
        except TemplateError as error:
            return [_from_error(error)]
        undefined += _undefined_names(library, template, variant, part)
    if undefined:
        return undefined
    found: dict[tuple[str, int, str], Finding] = {}
    for ctx in _contexts(template, variant):
        variables = template_variables(ctx, ctx.offer_kind)
        try:
            subject, body = render_variant(library, template, variant, variables)
        except TemplateError as error:
            return [_from_error(error)]
        message = Message(
            template.channel,
            subject,
            body,
            ctx.step.is_first_touch,
            ctx.officer.postal_address,
            variables["unsubscribe_line"],
            ctx.unsubscribe_url,
            ctx.lead.ever_talked,
            ctx.lead.known,
        )
        for problem in check_message(message):
            finding = _from_problem(template, variant, problem)
            # Segment counts differ by sample; one finding per variant is enough.
            key_message = "" if problem.rule == "sms-segments" else finding.message
            found.setdefault((finding.rule, finding.line, key_message), finding)
    return list(found.values())


def _contexts(template: MessageTemplate, variant: Variant) -> Iterable[MessageContext]:
    """The sample contexts a variant is rendered in: both samples, in each first-touch state."""
    if template.is_first_touch:
        states: tuple[bool, ...] = (True,)
    elif "is_first_touch" in variant.body or "is_first_touch" in (variant.subject or ""):
        states = (False, True)
    else:
        states = (False,)
    for sample in SAMPLE_CONTEXTS:
        lead = replace(sample.lead, offer_kind=variant.offer_kinds[0])
        for first in states:
            step = StepDetails(
                attempt=1 if first else 3,
                day=1 if first else 5,
                channel=template.channel,
                is_first_touch=first,
            )
            yield replace(sample, lead=lead, step=step)


def _undefined_names(
    library: TemplateLibrary, template: MessageTemplate, variant: Variant, part: Part
) -> list[Finding]:
    """Names the template uses that no context provides, found before anything is rendered."""
    from jinja2 import meta, nodes

    tree = library.environment().parse(variant.source(part))
    findings = []
    for node in tree.find_all(nodes.Getattr):
        owner = node.node
        if isinstance(owner, nodes.Name) and owner.name in TEMPLATE_NAMES:
            label, known = owner.name, TEMPLATE_NAMES[owner.name]
        elif (
            isinstance(owner, nodes.Getattr)
            and owner.attr == "given"
            and isinstance(owner.node, nodes.Name)
            and owner.node.name == "lead"
        ):
            label, known = "lead.given", frozenset(LeadDetails.__dataclass_fields__)
        else:
            continue
        if node.attr not in known:
            findings.append(_undefined(template, node.lineno, f"{label}.{node.attr}", known, label))
    for name in sorted(meta.find_undeclared_variables(tree) - TOP_LEVEL_NAMES):
        line = next(n.lineno for n in tree.find_all(nodes.Name) if n.name == name)
        findings.append(_undefined(template, line, name, TOP_LEVEL_NAMES, ""))
    return findings


def _undefined(
    template: MessageTemplate, line: int, written: str, known: Iterable[str], owner: str
) -> Finding:
    attribute = written.rsplit(".", 1)[-1]
    candidates = [f"{owner}.{name}" if owner else name for name in known]
    if not owner:
        candidates += [
            f"{group}.{name}" for group, names in TEMPLATE_NAMES.items() for name in names
        ]
    close = difflib.get_close_matches(written, candidates, n=1, cutoff=0.6)
    close = close or [c for c in candidates if c.endswith(f".{attribute}")][:1]
    fix = f"did you mean {close[0]}?" if close else "use a name listed in docs/templates.md"
    return Finding(template.name, line, "error", "undefined", f"{written} is not defined", fix)


def _from_error(error: TemplateError) -> Finding:
    return Finding(error.template, error.line or 1, "error", error.rule, error.problem, error.fix)


def _from_problem(template: MessageTemplate, variant: Variant, problem: Problem) -> Finding:
    return Finding(
        template.name,
        _locate(template, variant, problem.needle),
        problem.severity,
        problem.rule,
        f"variant {variant.number}: {problem.message}",
        problem.fix,
    )


def _locate(template: MessageTemplate, variant: Variant, needle: str | None) -> int:
    """The file line a problem points at: where the text appears, else where to add it."""
    following = [v.line for v in template.variants if v.number > variant.number]
    start, end = variant.line, (following[0] - 1 if following else len(template.lines))
    numbered = list(enumerate(template.lines[start - 1 : end], start=start))
    if needle is None:
        return max((number for number, text in numbered if text.strip()), default=start)
    return next(
        (number for number, text in numbered if needle.casefold() in text.casefold()), start
    )
