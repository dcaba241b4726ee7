"""The template lint: each rule fires on a bad template and stays quiet on a good one."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadchase.messaging import TemplateError, TemplateLibrary, lint_templates, render
from leadchase.messaging.lint import SAMPLE_CONTEXTS
from leadchase.messaging.segments import segment_info
from tests.conftest import PROJECT

SHIPPED = PROJECT / "templates"

GOOD_TEXT = """\
{# a first text that passes every rule #}
=== variant ===
Hi {{ lead.first_name }}, it's {{ officer.first_name }}. Saw your request. Is today a good day for a call? Reply STOP to opt out
=== variant ===
Hey {{ lead.first_name }}, {{ officer.first_name }} here. Is this for your current home? Reply STOP to opt out
"""
GOOD_FOLLOWUP = """\
=== variant ===
Hi {{ lead.first_name }}, {{ officer.first_name }} again. Still on your list? Here: https://example.com/rates
=== variant ===
Hey {{ lead.first_name }}, any news?{% if step.is_first_touch %} Reply STOP to opt out{% endif %}
"""
GOOD_EMAIL = """\
=== variant ===
Subject: Your request
Hi {{ lead.first_name }},

Is this for the home you live in now?

{{ officer.first_name }}

{{ email_footer }}
=== variant ===
Subject: Quick question
Hi {{ lead.first_name }},

Is today a good day for a call?

{{ officer.first_name }}
{{ officer.postal_address }}
{{ unsubscribe_line }}
"""
FIRST_LINE = GOOD_TEXT.splitlines()[2]  # the first variant's one-line text

ROBOT_TEXT = (
    "Dear valued customer, kindly reply at your earliest convenience. Reply STOP to opt out"
)


def write(folder: Path, files: dict[str, str]) -> TemplateLibrary:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return TemplateLibrary(folder)


def bad_text(first_line: str) -> str:
    return GOOD_TEXT.replace(FIRST_LINE, first_line)


def test_good_templates_have_no_findings(tmp_path: Path) -> None:
    lib = write(
        tmp_path,
        {
            "t/first-text.sms.j2": GOOD_TEXT,
            "t/followup-text.sms.j2": GOOD_FOLLOWUP,
            "t/first-email.email.j2": GOOD_EMAIL,
        },
    )
    assert lint_templates(lib) == []


@pytest.mark.parametrize(
    ("rule", "severity", "file", "text", "line", "in_message"),
    [
        (
            "robot-speak",
            "warning",
            "t/first-text.sms.j2",
            bad_text(ROBOT_TEXT),
            3,
            '"valued customer"',
        ),
        (
            "shouting",
            "warning",
            "t/first-text.sms.j2",
            bad_text("GREAT rates, Reply STOP to opt out"),
            3,
            '"GREAT"',
        ),
        (
            "exclamation",
            "warning",
            "t/first-text.sms.j2",
            bad_text("Hi! Great! Reply STOP to opt out"),
            3,
            "2 exclamation",
        ),
        (
            "sms-segments",
            "error",
            "t/first-text.sms.j2",
            bad_text("Hi {{ lead.full_name }}. " + "word " * 60 + "Reply STOP to opt out"),
            3,
            "3 segments",
        ),
        (
            "sms-encoding",
            "warning",
            "t/first-text.sms.j2",
            bad_text("Hi, it\u2019s me. Reply STOP to opt out"),
            3,
            "U+2019 RIGHT SINGLE QUOTATION MARK",
        ),
        (
            "sms-encoding",
            "warning",
            "t/first-text.sms.j2",
            bad_text("Hi \U0001f600 Reply STOP to opt out"),
            3,
            "U+1F600",
        ),
        (
            "opt-out",
            "error",
            "t/first-text.sms.j2",
            bad_text("Hi {{ lead.first_name }}, is today a good day?"),
            3,
            "opt out",
        ),
        (
            "opt-out",
            "error",
            "t/followup-text.sms.j2",
            GOOD_FOLLOWUP.replace(" Reply STOP to opt out", ""),
            4,
            "opt out",
        ),
        (
            "first-touch-link",
            "warning",
            "t/first-text.sms.j2",
            bad_text("See www.example.com Reply STOP to opt out"),
            3,
            "www.example.com",
        ),
        (
            "postal-address",
            "error",
            "t/first-email.email.j2",
            GOOD_EMAIL.replace("{{ officer.postal_address }}\n", ""),
            17,
            "postal address",
        ),
        (
            "unsubscribe",
            "error",
            "t/first-email.email.j2",
            GOOD_EMAIL.replace("{{ unsubscribe_line }}\n", ""),
            17,
            "unsubscribe",
        ),
        (
            "undefined",
            "error",
            "t/first-text.sms.j2",
            bad_text("Hi {{ first_name }}. Reply STOP to opt out"),
            3,
            "first_name is not defined",
        ),
        (
            "undefined",
            "error",
            "t/first-text.sms.j2",
            bad_text("Hi {{ lead.frist_name }}. Reply STOP to opt out"),
            3,
            "lead.frist_name",
        ),
        (
            "undefined",
            "error",
            "t/first-email.email.j2",
            GOOD_EMAIL.replace("Subject: Your request", "Subject: {{ lead.town }}"),
            2,
            "lead.town",
        ),
        (
            "render-error",
            "error",
            "t/first-text.sms.j2",
            bad_text("{{ lead.loan_amount + 1 }} Reply STOP to opt out"),
            3,
            "cannot be rendered",
        ),
        (
            "syntax",
            "error",
            "t/first-text.sms.j2",
            bad_text("Hi {{ lead.first_name }, Reply STOP to opt out"),
            3,
            "Jinja syntax error",
        ),
        (
            "format",
            "error",
            "t/first-email.email.j2",
            GOOD_EMAIL.replace("Subject: Quick question\n", ""),
            11,
            "Subject: line",
        ),
        (
            "few-variants",
            "warning",
            "t/first-text.sms.j2",
            GOOD_TEXT.split("=== variant ===")[0]
            + "=== variant ==="
            + GOOD_TEXT.split("=== variant ===")[1],
            2,
            "only one generic wording",
        ),
    ],
)
def test_rule_fires_on_a_bad_template(
    tmp_path: Path, rule: str, severity: str, file: str, text: str, line: int, in_message: str
) -> None:
    lib = write(tmp_path, {file: text})
    findings = lint_templates(lib)
    matching = [f for f in findings if f.rule == rule and in_message in f.message]
    assert matching, findings
    finding = matching[0]
    assert (finding.severity, finding.line, finding.template) == (
        severity,
        line,
        file.split(".")[0],
    )
    assert in_message in finding.message
    assert finding.fix
    assert {f.rule for f in findings} == {rule} or rule == "robot-speak"


def test_robot_speak_names_every_phrase_with_its_fix(tmp_path: Path) -> None:
    text = bad_text(
        "Dear valued customer, kindly reply at your earliest convenience. Reply STOP to opt out"
    )
    findings = lint_templates(write(tmp_path, {"t/first-text.sms.j2": text}))
    phrases = {f.message.split('"')[1] for f in findings if f.rule == "robot-speak"}
    assert phrases == {"dear valued", "valued customer", "kindly", "at your earliest convenience"}
    assert all(f.severity == "warning" for f in findings)


def test_allowed_capitals_are_not_shouting(tmp_path: Path) -> None:
    text = bad_text("FHA, VA, USDA or a HELOC? NMLS 123. Text HELP for help. Reply STOP to opt out")
    assert lint_templates(write(tmp_path, {"t/first-text.sms.j2": text})) == []


def test_undefined_suggests_the_right_name(tmp_path: Path) -> None:
    lib = write(
        tmp_path, {"t/first-text.sms.j2": bad_text("Hi {{ first_name }}. Reply STOP to opt out")}
    )
    (finding,) = lint_templates(lib)
    assert finding.fix == "did you mean lead.first_name?"


def test_links_are_fine_after_the_first_touch_but_not_in_it(tmp_path: Path) -> None:
    lib = write(tmp_path, {"t/followup-text.sms.j2": GOOD_FOLLOWUP})
    assert lint_templates(lib) == []
    conditional = GOOD_FOLLOWUP.replace(
        "Still on", "{% if step.is_first_touch %}x{% endif %}Still on"
    )
    lib = write(tmp_path / "two", {"t/followup-text.sms.j2": conditional})
    assert [f.rule for f in lint_templates(lib)] == ["first-touch-link", "opt-out"]


def test_lint_selected_names_and_unknown_name(tmp_path: Path) -> None:
    lib = write(
        tmp_path,
        {"t/first-text.sms.j2": GOOD_TEXT, "t/bad-text.sms.j2": "=== variant ===\n{{ nope }}"},
    )
    assert lint_templates(lib, ["t/first-text"]) == []
    assert {f.rule for f in lint_templates(lib)} == {"undefined", "few-variants"}
    with pytest.raises(TemplateError, match="t/missing: not found"):
        lint_templates(lib, ["t/missing"])


def test_shipped_templates_pass_the_lint_with_no_findings() -> None:
    assert lint_templates(TemplateLibrary(SHIPPED)) == []


def test_every_shipped_text_is_gsm7_and_at_most_two_segments_with_long_names() -> None:
    lib = TemplateLibrary(SHIPPED)
    texts = [name for name in lib.names() if lib.get(name).channel == "text"]
    assert len(texts) == 15
    long_lead = SAMPLE_CONTEXTS[0]
    for name in texts:
        for variant in lib.get(name).variants:
            rendered = render(lib, name, long_lead, lead_id=1, step_key="k", variant=variant.number)
            info = segment_info(rendered.body)
            assert rendered.segments == info
            assert (info.encoding, info.segments <= 2) == ("GSM-7", True), (name, rendered.body)
            assert "Alexandria-Maximiliana" in rendered.body


def test_a_claimed_talk_is_flagged_unless_it_waits_for_a_lead_who_talked(tmp_path: Path) -> None:
    """Issue #13: "since we last talked" went to a lead who never talked."""
    claim = "Hi {{ lead.first_name }}, rates moved since we last talked. Want numbers?"
    lib = write(tmp_path, {"t/taper-text.sms.j2": f"=== variant ===\n{claim}\n" * 2})
    findings = [f for f in lint_templates(lib) if f.rule == "history-claim"]
    assert [(f.line, f.severity) for f in findings] == [(2, "warning"), (4, "warning")]
    assert '"since we last talked" goes to leads who never talked' in findings[0].message
    kept = (
        "Hi {{ lead.first_name }}, rates moved {% if lead.ever_talked %}since we last talked"
        "{% else %}since you reached out{% endif %}. Want numbers?"
    )
    lib = write(tmp_path / "kept", {"t/taper-text.sms.j2": f"=== variant ===\n{kept}\n" * 2})
    assert lint_templates(lib) == []


def test_asking_for_what_the_file_holds_is_flagged(tmp_path: Path) -> None:
    """Issue #13: the first text asked for the address and loan balance the file held."""
    asks = (
        "Hi {{ lead.first_name }}, what's the address and rough loan balance? Reply STOP to opt out"
    )
    lib = write(tmp_path, {"t/first-text.sms.j2": bad_text(asks)})
    assert {f.message for f in lint_templates(lib) if f.rule == "asks-known"} == {
        "variant 1: asks for the lead's address when the lead file holds it",
        "variant 1: asks for the lead's loan amount when the lead file holds it",
    }
    branched = (
        "Hi {{ lead.first_name }}, {% if lead.given.address and lead.given.loan_amount %}"
        "is it your home or a rental?{% else %}what's the address and rough loan balance?"
        "{% endif %} Reply STOP to opt out"
    )
    lib = write(tmp_path / "branched", {"t/first-text.sms.j2": bad_text(branched)})
    assert lint_templates(lib) == []


def test_a_cadence_sending_a_template_more_often_than_its_wordings_is_flagged(
    tmp_path: Path,
) -> None:
    from leadchase.messaging import lint_repeats

    lib = write(tmp_path, {"t/followup-text.sms.j2": GOOD_FOLLOWUP})
    assert lint_repeats(lib, {"c": {"t/followup-text": 2}}) == []
    (finding,) = lint_repeats(lib, {"c": {"t/followup-text": 5, "t/missing": 9}})
    assert (finding.template, finding.rule, finding.severity) == (
        "t/followup-text",
        "repeats",
        "warning",
    )
    assert "cadence c sends it 5 times but a lead has only 2 different wordings" in finding.message
