"""Issue #13, messages that listen: what a template knows about the lead and what it already got.

Each "what was seen" of the issue is reproduced here against the real rendering path.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from leadchase.context import open_workspace
from leadchase.messaging import LeadDetails, TemplateLibrary, classify_offer, lead_details
from leadchase.messaging.context import MessageContext, offer_name, template_variables
from leadchase.messaging.render import render_variant
from leadchase.store import sending
from leadchase.store.records import Lead, Sent
from leadchase.workspace import Workspace
from tests.conftest import PROJECT, SAMPLE_OFFICER, SF_MORNING, agenda_at, import_lead, log_touch_at

SHIPPED = TemplateLibrary(PROJECT / "templates")
OFFICER = SAMPLE_OFFICER
DUE = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


def test_the_loan_purpose_frames_a_rate_quote_or_unclassified_lead() -> None:
    """Issue #13: Loan Purpose = Refinance was ignored ("Is this for a purchase or a refinance?")."""
    assert classify_offer("LendingTree", "Rate quote", "Refinance") == "refinance"
    assert classify_offer("Zillow", "", "Purchase") == "purchase"
    assert classify_offer("Zillow", "", "Cash-Out") == "equity"
    # The offer the lead used is the stronger signal.
    assert classify_offer("Facebook", "Home Equity Calculator", "Refinance") == "equity"
    assert classify_offer("Zillow", "", "") == "generic"


def test_the_offer_the_lead_used_is_named() -> None:
    """Issue #13: a Facebook buyer's-guide lead got "Thanks for your home buying request"."""
    kind = classify_offer("Facebook", "First Time Buyer Guide Form", "")
    assert kind == "purchase"
    assert offer_name("Facebook", "First Time Buyer Guide Form", kind) == "home buyer's guide"
    assert offer_name("", "Home Equity Calculator", "equity") == "home equity calculator"
    assert offer_name("LendingTree", "Rate quote", "rate-quote") == ""
    lead = LeadDetails(first_name="Bo", source="Facebook", offer="First Time Buyer Guide Form")
    variables = template_variables(MessageContext(lead, OFFICER), kind)
    for name in ("internet-lead/first-text", "internet-lead/first-email"):
        template = SHIPPED.get(name)
        for variant in template.variants_for(kind):
            _, body = render_variant(SHIPPED, template, variant, variables)
            assert "home buyer's guide" in body, body
            assert "home buying request" not in body


def test_a_stored_lead_tells_templates_whether_we_ever_talked() -> None:
    never = lead_details(Lead(id=1, lead_date=DUE - timedelta(days=20)), DUE)
    assert (never.ever_talked, never.ever_replied, never.days_since_reply) == (False, False, None)
    assert never.days_since_arrival == 20
    called = lead_details(Lead(id=1, contacted_at=DUE - timedelta(days=3)), DUE)
    assert called.ever_talked and not called.ever_replied
    replied = lead_details(
        Lead(id=1, contacted_at=DUE - timedelta(days=9), replied_at=DUE - timedelta(days=9)), DUE
    )
    assert replied.ever_talked and replied.ever_replied and replied.days_since_reply == 9
    variables = template_variables(MessageContext(replied, OFFICER), "generic")
    assert variables["lead"]["ever_talked"] is True
    assert variables["lead"]["days_since_reply"] == 9
    assert lead_details(Lead(id=1, replied_at=DUE)).days_since_reply is None  # no time given


def test_the_equity_first_text_never_asks_for_what_the_file_held() -> None:
    """Issue #13: the first text asked for "the address and rough loan balance" the file held."""
    lead = LeadDetails(
        first_name="Ana",
        offer="Home Equity Calculator",
        address="12 Oak St",
        loan_amount=240_000,
        property_value=500_000,
    )
    variables = template_variables(MessageContext(lead, OFFICER), "equity")
    for name in ("internet-lead/first-text", "internet-lead/first-email"):
        template = SHIPPED.get(name)
        for variant in template.variants:
            _, body = render_variant(SHIPPED, template, variant, variables)
            lowered = body.casefold()
            assert "address" not in lowered and "balance" not in lowered, body
            assert "owe" not in lowered.split(), body
    without = template_variables(
        MessageContext(replace(lead, address="", loan_amount=0), OFFICER), "equity"
    )
    asked = [
        render_variant(SHIPPED, template, variant, without)[1]
        for template in [SHIPPED.get("internet-lead/first-text")]
        for variant in template.variants
        if "equity" in variant.offer_kinds
    ]
    assert any("address" in body for body in asked)  # still asked when the file lacked it


def test_sent_to_reads_every_body_and_subject_the_lead_got(workspace: Workspace) -> None:
    lead = import_lead(workspace, SF_MORNING)
    rows = [("email", "Hi", "one", "sent"), ("text", None, "two", "failed"),
            ("text", None, "three", "delivered"), ("email", "Again", "four", "sent by hand")]  # fmt: skip
    with open_workspace(workspace.root) as context:
        with context.database.writing() as connection:
            for number, (channel, subject, body, status) in enumerate(rows):
                sending.add_message(
                    connection,
                    {"lead_id": lead, "direction": "out", "channel": channel, "subject": subject,
                     "body": body, "status": status, "created_at": SF_MORNING + timedelta(minutes=number)},
                )  # fmt: skip
            sending.add_message(
                connection,
                {"lead_id": lead, "direction": "in", "channel": "text", "body": "inbound",
                 "status": "received", "created_at": SF_MORNING},
            )  # fmt: skip
        with context.database.reading() as connection:
            got = sending.sent_to(connection, lead)
    assert got == Sent(bodies=("one", "three", "four"), subjects=("Hi", "Again"))


def test_an_email_logged_by_hand_is_never_repeated_by_the_next_one(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Issue #13: emails were never checked against earlier emails."""
    folder = workspace.templates_dir / "internet-lead"
    (folder / "first-email.email.j2").write_text(
        "=== variant ===\nSubject: Hello\nHi {{ lead.first_name }}.\n{{ email_footer }}\n"
    )
    (folder / "day1-email.email.j2").write_text(
        "=== variant ===\nSubject: Hello\nHi again.\n{{ email_footer }}\n"
        "=== variant ===\nSubject: Bye\nHi {{ lead.first_name }}.\n{{ email_footer }}\n"
        "=== variant ===\nSubject: Later\nOne more.\n{{ email_footer }}\n"
    )
    lead = import_lead(workspace, SF_MORNING)
    (first,) = agenda_at(workspace, SF_MORNING + timedelta(minutes=1), ("email",)).items
    assert first.subject == "Hello"
    log_touch_at(workspace, str(lead), "email", SF_MORNING + timedelta(minutes=2))
    (second,) = agenda_at(workspace, SF_MORNING + timedelta(hours=8), ("email",)).items
    assert second.template == "internet-lead/day1-email"
    # Neither the subject "Hello" nor the body "Hi Ann." again: the one fresh wording.
    assert second.subject == "Later"
