"""Rendering templates: fallbacks, variants, offer framing, the file format and its errors."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leadchase.config import Officer
from leadchase.contact.channels import Channel
from leadchase.messaging import (
    LeadDetails,
    MessageContext,
    StepDetails,
    TemplateError,
    TemplateLibrary,
    classify_offer,
    render,
    render_touch,
)
from leadchase.messaging.variants import stable_index
from leadchase.store.records import Lead, Sent, Touch
from tests.conftest import PROJECT, SAMPLE_OFFICER

SHIPPED = PROJECT / "templates"
CADENCE_TEMPLATE_NAMES = [
    "internet-lead/first-text",
    "internet-lead/day1-followup-text",
    "internet-lead/first-email",
    "internet-lead/day1-email",
    "internet-lead/followup-text",
    "internet-lead/followup-email",
    "internet-lead/taper-text",
    "internet-lead/taper-email",
    "aged-lead/first-text",
    "aged-lead/followup-text",
    "aged-lead/followup-email",
    "nurture/monthly-email",
    "nurture/checkin-text",
]
OFFICER = SAMPLE_OFFICER
ANA = LeadDetails(
    first_name="Ana",
    last_name="Silva",
    city="Austin",
    state="TX",
    source="Facebook",
    offer="Home Equity Calculator",
    loan_amount=350_000,
)
THREE_VARIANTS = """\
=== variant ===
One for {{ lead.first_name }}.
=== variant ===
Two for {{ lead.first_name }}.
=== variant ===
Three for {{ lead.first_name }}.
"""


def library(folder: Path, files: dict[str, str]) -> TemplateLibrary:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return TemplateLibrary(folder)


def context(lead: LeadDetails = ANA, **step: object) -> MessageContext:
    return MessageContext(lead, OFFICER, StepDetails(**step))  # type: ignore[arg-type]


def test_empty_lead_fields_render_human_fallbacks(tmp_path: Path) -> None:
    text = (
        "Hi {{ lead.first_name }} {{ lead.last_name }}, homes in {{ lead.city }}, "
        "{{ lead.state }}: {{ lead.loan_amount }} of {{ lead.property_value }}. "
        "{{ officer.first_name }}"
    )
    lib = library(tmp_path, {"t/x.sms.j2": text})
    body = render(lib, "t/x", context(LeadDetails()), lead_id=1, step_key="s").body
    assert body == (
        "Hi there, homes in your area, your state: the amount you have in mind of "
        "your home's value. Dana"
    )
    full = render(
        lib, "t/x", context(replace(ANA, property_value=500_000)), lead_id=1, step_key="s"
    )
    assert full.body == "Hi Ana Silva, homes in Austin, TX: $350,000 of $500,000. Dana"


def test_blank_and_whitespace_fields_count_as_missing(tmp_path: Path) -> None:
    text = "Hi {{ lead.first_name }}!{% if lead.given.city %} in {{ lead.city }}{% endif %}"
    lib = library(tmp_path, {"t/x.sms.j2": text})
    lead = LeadDetails(first_name="   ")
    assert render(lib, "t/x", context(lead), lead_id=1, step_key="s").body == "Hi there!"
    assert render(lib, "t/x", context(ANA), lead_id=1, step_key="s").body == "Hi Ana! in Austin"


def test_undefined_name_is_an_error_never_a_blank(tmp_path: Path) -> None:
    lib = library(tmp_path, {"t/x.sms.j2": "=== variant ===\nHi\n{{ lead.frist_name }}\n"})
    with pytest.raises(TemplateError) as caught:
        render(lib, "t/x", context(), lead_id=1, step_key="s")
    assert caught.value.line == 3
    assert caught.value.rule == "undefined"
    assert "t/x line 3" in str(caught.value)


def test_email_has_subject_and_plain_body_and_sms_has_segments(tmp_path: Path) -> None:
    email = (
        "Subject: About {{ lead.city }}\nHi {{ lead.first_name }},\n\n\n\nBye\n{{ email_footer }}"
    )
    lib = library(tmp_path, {"t/e.email.j2": email, "t/s.sms.j2": "Hi {{ lead.first_name }}"})
    rendered = render(lib, "t/e", context(), lead_id=1, step_key="s")
    assert (rendered.channel, rendered.subject, rendered.segments) == (
        "email",
        "About Austin",
        None,
    )
    assert rendered.body.startswith(
        "Hi Ana,\n\nBye\nDana Reyes, Hill Country Home Loans (NMLS 123456)"
    )
    assert OFFICER.postal_address in rendered.body
    text = render(lib, "t/s", context(), lead_id=1, step_key="s")
    assert (text.subject, text.body, text.segments and text.segments.units) == (None, "Hi Ana", 6)


def test_variant_is_stable_per_lead_and_step(tmp_path: Path) -> None:
    lib = library(tmp_path, {"t/x.sms.j2": THREE_VARIANTS})
    first = render(lib, "t/x", context(), lead_id=42, step_key="internet-lead:3")
    again = render(
        TemplateLibrary(tmp_path), "t/x", context(), lead_id=42, step_key="internet-lead:3"
    )
    assert first == again
    expected = hashlib.blake2b(b"42:internet-lead:3", digest_size=8).digest()
    assert first.variant == int.from_bytes(expected, "big") % 3 + 1
    chosen = {render(lib, "t/x", context(), lead_id=i, step_key="k").variant for i in range(60)}
    assert chosen == {1, 2, 3}


def test_stable_index_does_not_depend_on_python_hash_seed() -> None:
    code = (
        "from leadchase.messaging.variants import stable_index; print(stable_index(7, 'k', 1000))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": str(Path(__file__).parents[1] / "src")},
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert outputs == {str(stable_index(7, "k", 1000))}


def test_never_repeats_a_wording_the_lead_already_got(tmp_path: Path) -> None:
    lib = library(tmp_path, {"t/x.sms.j2": THREE_VARIANTS})
    stable = render(lib, "t/x", context(), lead_id=5, step_key="k")
    # Spacing and case do not make a wording new.
    again = Sent(bodies=(stable.body.upper().replace(" ", "  "),))
    second = render(lib, "t/x", context(), lead_id=5, step_key="k", sent=again)
    assert second.variant == stable.variant % 3 + 1
    third = render(
        lib, "t/x", context(), lead_id=5, step_key="k", sent=Sent((stable.body, second.body))
    )
    assert third.variant not in {stable.variant, second.variant}
    # Every wording sent: the one the lead got longest ago.
    history = Sent((second.body, third.body, stable.body))
    fourth = render(lib, "t/x", context(), lead_id=5, step_key="k", sent=history)
    assert fourth.body == second.body


TWO_EMAILS = """\
=== variant ===
Subject: Checking in
Hi {{ lead.first_name }}, one.
=== variant ===
Subject: Checking in
Hi {{ lead.first_name }}, two.
=== variant ===
Subject: Still here
Hi {{ lead.first_name }}, three.
"""


def test_an_email_subject_is_never_sent_twice_even_with_a_new_body(tmp_path: Path) -> None:
    """Issue #13: the subject "Things have moved" went out on days 14, 17, 21 and 30."""
    lib = library(tmp_path, {"t/mail.email.j2": TWO_EMAILS})
    first = render(lib, "t/mail", context(), lead_id=1, step_key="k", variant=1)
    got = Sent(bodies=(first.body,), subjects=(first.subject or "",))
    for key in ("k", "d2", "d3", "d4"):
        later = render(lib, "t/mail", context(), lead_id=1, step_key=key, sent=got)
        assert later.subject == "Still here" and later.variant == 3


def test_a_lead_who_had_every_framed_wording_gets_a_generic_one(tmp_path: Path) -> None:
    framed = "=== variant: equity ===\nEquity one.\n=== variant ===\nPlain one.\n"
    lib = library(tmp_path, {"t/x.sms.j2": framed})
    equity = replace(context(), lead=replace(ANA, offer_kind="equity"))
    first = render(lib, "t/x", equity, lead_id=1, step_key="k")
    second = render(lib, "t/x", equity, lead_id=1, step_key="k", sent=Sent((first.body,)))
    assert (first.body, second.body) == ("Equity one.", "Plain one.")
    assert lib.get("t/x").distinct_wordings() == 1  # a purchase lead has only the plain one


def test_explicit_variant_and_unknown_variant(tmp_path: Path) -> None:
    lib = library(tmp_path, {"t/x.sms.j2": THREE_VARIANTS})
    assert render(lib, "t/x", context(), lead_id=1, step_key="k", variant=2).body == "Two for Ana."
    with pytest.raises(TemplateError, match="no variant 4; pick a variant from 1 to 3"):
        render(lib, "t/x", context(), lead_id=1, step_key="k", variant=4)


def test_offer_framing_falls_back_to_generic(tmp_path: Path) -> None:
    framed = """\
{# equity leads get their own wording #}
=== variant: equity ===
Equity {{ lead.offer_topic }}
=== variant: purchase, refinance ===
Loan {{ lead.offer_kind }}
=== variant ===
Generic {{ lead.offer_topic }}
"""
    lib = library(tmp_path, {"t/x.sms.j2": framed})

    def body(lead: LeadDetails) -> str:
        return render(lib, "t/x", context(lead), lead_id=1, step_key="k").body

    assert body(ANA) == "Equity home equity estimate"  # classified from the offer text
    assert body(LeadDetails(offer_kind="refinance")) == "Loan refinance"
    assert body(LeadDetails(offer="Purchase")) == "Loan purchase"
    assert body(LeadDetails(offer="Rate quote")) == "Generic rate quote"
    assert body(LeadDetails()) == "Generic home loan"


@pytest.mark.parametrize(
    ("source", "offer", "kind"),
    [
        ("Facebook", "Home Equity Calculator", "equity"),
        ("equity-landing", "", "equity"),
        ("LendingTree", "Rate Quote", "rate-quote"),
        ("Google", "Today's Mortgage Rates", "rate-quote"),
        ("Zillow", "First-time home buyer", "purchase"),
        ("", "PURCHASE", "purchase"),
        ("Aged leads 2024", "Refi", "refinance"),
        ("", "Refinance rate quote", "refinance"),
        ("Aged refinance list", "", "refinance"),
        ("Facebook", "Contact us", "generic"),
        ("", "", "generic"),
        ("corporate site", "refill", "generic"),
    ],
)
def test_classify_offer(source: str, offer: str, kind: str) -> None:
    assert classify_offer(source, offer) == kind


@pytest.mark.parametrize(
    ("name", "text", "line", "problem"),
    [
        ("t/x.sms.j2", "=== variant ===\nhi\n=== varaint ===\nho", 3, "not a variant marker"),
        ("t/x.sms.j2", "=== variant: equitty ===\nhi\n=== variant ===\nho", 1, "unknown offer"),
        ("t/x.sms.j2", "=== variant: equity ===\nhi", 1, "no generic variant"),
        ("t/x.sms.j2", "Hello\n=== variant ===\nhi", 1, "before the first variant"),
        ("t/x.sms.j2", "=== variant ===\n\n=== variant ===\nhi", 1, "variant 1 is empty"),
        ("t/x.email.j2", "=== variant ===\n\nHi there\n", 3, "Subject: line"),
        ("t/x.sms.j2", "=== variant ===\n\nHi {% if x %}\nthere", 4, "Jinja syntax error"),
    ],
)
def test_format_errors_name_the_line(
    tmp_path: Path, name: str, text: str, line: int, problem: str
) -> None:
    lib = library(tmp_path, {name: text})
    with pytest.raises(TemplateError) as caught:
        render(lib, "t/x", context(), lead_id=1, step_key="k")
    assert (caught.value.line, problem in caught.value.problem) == (line, True)


def test_missing_and_ambiguous_templates(tmp_path: Path) -> None:
    lib = library(tmp_path, {"t/x.sms.j2": "hi", "t/x.email.j2": "Subject: hi\nhi"})
    assert lib.names() == ["t/x"]
    with pytest.raises(TemplateError, match="both as a text and as an email"):
        lib.get("t/x")
    with pytest.raises(TemplateError, match=r"t/nope: not found in .*; create"):
        lib.get("t/nope")


def test_a_template_that_is_not_utf8_is_a_template_error(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "x.sms.j2").write_bytes(b"=== variant ===\nHi \xff there\n")
    with pytest.raises(TemplateError, match=r"t/x: cannot be read .*; save .* as UTF-8 text"):
        TemplateLibrary(tmp_path).get("t/x")


def test_render_touch_renders_a_cadence_touch_and_never_raises(tmp_path: Path) -> None:
    lib = library(
        tmp_path,
        {
            "t/x.sms.j2": THREE_VARIANTS,
            "t/undefined.sms.j2": "=== variant ===\nHi {{ lead.nickname }}\n",
            "t/binary.sms.j2": "placeholder",
        },
    )
    (tmp_path / "t" / "binary.sms.j2").write_bytes(b"\xff\xfe\x00")
    officer = Officer(name="Dana Reyes")
    ana = Lead(id=7, first_name="Ana")
    due = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

    def touch(template: str | None, channel: Channel = "text") -> Touch:
        return Touch(1, 7, channel, due, cadence="c", step_key="d1", template=template)

    first = render_touch(lib, officer, touch("t/x"), ana, attempt=1, now=due)
    assert first is not None and first.body.endswith("for Ana.")
    assert render_touch(lib, officer, touch("t/x"), ana, attempt=1, now=due) == first  # stable
    fresh = render_touch(
        lib, officer, touch("t/x"), ana, attempt=2, now=due, sent=Sent((first.body,))
    )
    assert fresh is not None and fresh.body != first.body  # never repeats an earlier text

    problems: dict[str, TemplateError] = {}
    for template in ("t/undefined", "t/undefined", "t/binary", "t/missing"):
        assert (
            render_touch(lib, officer, touch(template), ana, attempt=1, now=due, problems=problems)
            is None
        )
    assert {name: error.rule for name, error in problems.items()} == {
        "t/undefined": "undefined",
        "t/binary": "format",
        "t/missing": "format",
    }
    assert render_touch(lib, officer, touch("t/x", "call"), ana, attempt=1, now=due) is None
    assert (
        render_touch(lib, officer, touch(None), ana, attempt=1, now=due, problems=problems) is None
    )
    assert len(problems) == 3  # a call or a touch without a template is not a problem


def test_shipped_templates_cover_every_cadence_step() -> None:
    lib = TemplateLibrary(SHIPPED)
    assert set(CADENCE_TEMPLATE_NAMES) <= set(lib.names())
    for name in CADENCE_TEMPLATE_NAMES:
        template = lib.get(name)
        assert template.channel == ("text" if name.endswith("text") else "email")
        # At least two; as many as the cadences send it (tests/test_messages_two_years.py).
        assert len(template.variants_for("generic")) >= 2


@pytest.mark.parametrize("name", ["internet-lead/first-text", "internet-lead/first-email"])
@pytest.mark.parametrize("kind", ["equity", "rate-quote", "purchase", "refinance", "generic"])
def test_shipped_first_touches_are_framed_for_every_offer(name: str, kind: str) -> None:
    template = TemplateLibrary(SHIPPED).get(name)
    variants = template.variants_for(kind)
    assert 2 <= len(variants) <= 4
    assert all(kind in variant.offer_kinds for variant in variants)


def test_shipped_equity_first_text_reads_like_a_person() -> None:
    lead = LeadDetails(first_name="Ana", offer="Home Equity Calculator")
    ctx = context(lead, is_first_touch=True)
    bodies = {
        render(
            TemplateLibrary(SHIPPED), "internet-lead/first-text", ctx, lead_id=i, step_key="k"
        ).body
        for i in range(20)
    }
    assert len(bodies) == 2
    for body in bodies:
        assert body.startswith(("Hi Ana, it's Dana", "Hey Ana, Dana"))
        assert "equity" in body and body.count("?") == 1 and body.endswith("Reply STOP to opt out")


def test_importing_messaging_does_not_import_jinja2() -> None:
    code = "import sys, leadchase.messaging; print('jinja2' in sys.modules, 'yaml' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(Path(__file__).parents[1] / "src")},
    )
    assert result.stdout.split() == ["False", "False"]


def test_the_messaging_package_hands_out_each_name_from_its_module() -> None:
    import importlib

    import leadchase.messaging as package

    assert sorted([*package._HOMES, "Rendered", "render"]) == sorted(package.__all__)
    assert package.render is package.render.__globals__["render"]  # the function, not the module
    for name in package._HOMES:
        home = importlib.import_module(f"leadchase.messaging.{package._HOMES[name]}")
        assert getattr(package, name) is getattr(home, name)
    with pytest.raises(AttributeError):
        _ = package.no_such_name


def test_rendering_loads_neither_lint_nor_preview() -> None:
    code = (
        "import sys\n"
        "from leadchase.messaging import TemplateLibrary, render_touch\n"
        "print(','.join(m for m in ('leadchase.messaging.lint', 'leadchase.messaging.preview')"
        " if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_the_library_lists_what_rglob_lists_for_each_suffix(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    for relative in (
        "demo/first.sms.j2",
        "demo/first.email.j2",
        "demo/deeper/note.email.j2",
        "a-b/x.sms.j2",
        "a/x.sms.j2",
        ".hidden/secret.sms.j2",
        "demo/readme.txt",
        "demo/plain.j2",
        "elsewhere/linked.sms.j2",
    ):
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text("Hi", encoding="utf-8")
    (folder / "odd.sms.j2").mkdir()
    (folder / "link").symlink_to(folder / "elsewhere")  # listed, never entered
    expected: dict[str, list[Path]] = {}
    for suffix in (".sms.j2", ".email.j2"):
        for path in sorted(folder.rglob(f"*{suffix}")):
            name = path.relative_to(folder).as_posix()[: -len(suffix)]
            expected.setdefault(name, []).append(path)
    found = TemplateLibrary(folder)._find()
    assert found == expected and list(found) == list(expected)
    assert found["demo/first"] == [folder / "demo/first.sms.j2", folder / "demo/first.email.j2"]
    assert "link/linked" not in found and "demo/plain" not in found


def test_a_late_touch_counts_its_days_to_when_it_goes_out(tmp_path: Path) -> None:
    """A text held three days past its due time says three more days since the reply: the
    day counts are as of when the message goes out, never earlier than it was due."""
    lib = library(tmp_path, {"t/since.sms.j2": "{{ lead.days_since_reply }} days since.\n"})
    replied = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    ana = Lead(id=7, first_name="Ana", replied_at=replied)
    due = replied + timedelta(days=2)
    touch = Touch(1, 7, "text", due, cadence="c", step_key="d3", template="t/since")
    officer = Officer(name="Dana Reyes")

    def body(now: datetime) -> str:
        rendered = render_touch(lib, officer, touch, ana, attempt=2, now=now)
        assert rendered is not None
        return rendered.body

    assert body(due) == "2 days since."
    assert body(due + timedelta(days=3)) == "5 days since."  # late: as of now
    assert body(due - timedelta(days=1)) == "2 days since."  # early (an agenda): as when due
