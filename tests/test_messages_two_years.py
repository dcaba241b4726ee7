"""Issue #13, done when: every step of every shipped cadence, rendered in order for two years to
a lead with full data and to one with none, never repeats a body or a subject and never asks for
what the lead file holds. Cadence files added later are picked up as they are.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from leadchase.cadence import load_cadences
from leadchase.cadence.check import template_uses
from leadchase.messaging import TemplateLibrary, lint_repeats, lint_templates, render_touch
from leadchase.store.records import Lead, Sent, Touch
from tests.conftest import PROJECT, SAMPLE_OFFICER

CADENCES = load_cadences(PROJECT / "cadences").cadences
LIBRARY = TemplateLibrary(PROJECT / "templates")
OFFICER = SAMPLE_OFFICER
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
FULL = Lead(
    id=0,
    first_name="Ana",
    last_name="Silva",
    city="Austin",
    state="TX",
    address="12 Oak St",
    loan_amount="$240,000",
    property_value="$500,000",
)
LEADS = {
    "equity, full": replace(
        FULL, id=11, source="Facebook", offer="Home Equity Calculator", loan_purpose="Cash-out"
    ),
    "buyer's guide, full": replace(
        FULL, id=12, source="FB Buyer Guide Form", offer="Buyer Guide", loan_purpose="Purchase"
    ),
    "rate quote, refinance, full": replace(
        FULL, id=13, source="LendingTree", offer="Rate quote", loan_purpose="Refinance"
    ),
    "no data": Lead(id=14),
}
# A question asking for a detail, by the detail: none may be asked of a lead who gave it.
ASKING = {
    "address": re.compile(r"\baddress\b", re.IGNORECASE),
    "loan_amount": re.compile(r"\bbalance\b|\bowe\b|\bloan amount\b|\bhow much\b", re.IGNORECASE),
    "property_value": re.compile(r"\bworth\b|\bvalue\b|\bprice range\b", re.IGNORECASE),
    "loan_purpose": re.compile(
        r"\b(buy|buying|purchase)\b,? or\b|\bor (a |to )?(buy|purchase)\b|\bbuy, refinance\b",
        re.IGNORECASE,
    ),
}
QUESTION = re.compile(r"[^.?!\n]*\?")


def asks_for_given(text: str, lead: Lead) -> list[str]:
    asked = " ".join(QUESTION.findall(text))
    return [
        field for field, pattern in ASKING.items() if getattr(lead, field) and pattern.search(asked)
    ]


def test_every_cadence_file_is_read() -> None:
    files = {path.stem for path in (PROJECT / "cadences").glob("*.yaml")} - {"stages"}
    assert set(CADENCES) == files and CADENCES


@pytest.mark.parametrize("cadence_name", sorted(CADENCES))
@pytest.mark.parametrize("who", sorted(LEADS))
def test_two_years_of_a_cadence_never_repeat_or_ask_for_what_is_known(
    cadence_name: str, who: str
) -> None:
    lead = LEADS[who]
    cadence = CADENCES[cadence_name]
    bodies: list[str] = []
    subjects: list[str] = []
    made = {"text": 0, "email": 0}
    touches = sorted(
        (t for t in cadence.touches_in_two_years() if t.template and t.channel in made),
        key=lambda t: (t.day, t.index_in_day, t.channel),
    )
    for number, planned in enumerate(touches, start=1):
        made[planned.channel] += 1
        touch = Touch(
            number, lead.id, planned.channel, START + timedelta(days=planned.day - 1),
            cadence=cadence_name, step_key=planned.step_key, template=planned.template,
            day=planned.day,
        )  # fmt: skip
        sent = Sent(tuple(bodies), tuple(subjects))
        rendered = render_touch(
            LIBRARY,
            OFFICER,
            touch,
            lead,
            attempt=made[planned.channel],
            now=touch.due_at,
            sent=sent,
        )
        where = f"{cadence_name} day {planned.day} {planned.template} for {who}"
        assert rendered is not None, where
        assert rendered.body not in bodies, f"{where}: repeats {rendered.body!r}"
        assert rendered.subject not in subjects, f"{where}: repeats {rendered.subject!r}"
        assert asks_for_given(rendered.body, lead) == [], f"{where}: {rendered.body!r}"
        if rendered.subject:
            assert asks_for_given(rendered.subject, lead) == [], where
            subjects.append(rendered.subject)
        bodies.append(rendered.body)
    assert len(bodies) == len(touches)


def test_the_shipped_templates_pass_the_lint_with_no_warning() -> None:
    findings = lint_templates(LIBRARY) + lint_repeats(LIBRARY, template_uses(CADENCES))
    assert [f"{f.template}:{f.line} {f.rule} {f.message}" for f in findings] == []
