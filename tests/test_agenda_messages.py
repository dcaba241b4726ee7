"""The agenda shows what to send for text and email tasks, rendered for each lead."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from leadchase.messaging import lead_details, whole_dollars
from leadchase.store.records import Lead
from leadchase.workspace import Workspace
from tests.conftest import SF_MORNING, import_lead, run, today_by_channel

ARRIVAL = SF_MORNING  # 10:00 in San Francisco
SOON = ARRIVAL + timedelta(minutes=5)


def _today(*args: str) -> dict[str, dict[str, Any]]:
    return today_by_channel(*args, now=SOON)


def test_first_text_and_email_are_rendered_for_the_lead(workspace: Workspace) -> None:
    import_lead(workspace, ARRIVAL, name="Ann Lee", source="Zillow")
    items = _today()
    text, email, call = items["text"], items["email"], items["call"]
    assert text["template"] == "internet-lead/first-text"
    assert text["message"].split(",")[0] in ("Hi Ann", "Hey Ann")
    assert "Jordan" in text["message"]  # the officer's first name
    assert "Reply STOP to opt out" in text["message"]
    assert text["subject"] is None
    assert email["subject"] in ("Your home loan request", "Got your request")
    assert "100 Main Street, Suite 200, Miami, FL 33130" in email["message"]
    assert call["message"] is None and call["subject"] is None
    # Stable: the same lead at the same step always gets the same wording.
    assert _today()["text"]["message"] == text["message"]

    table = run("today", now=SOON)
    assert table.exit_code == 0, table.output
    assert text["message"].split(".")[0] in " ".join(table.stdout.replace("│", " ").split())
    assert f"Subject: {email['subject']}" in table.stdout


def test_the_text_is_framed_for_the_offer_the_lead_asked_about(workspace: Workspace) -> None:
    import_lead(workspace, ARRIVAL, name="Ann Lee", source="Home Equity Calculator")
    message = _today("--channel", "text")["text"]["message"]
    assert "home equity" in message


def test_a_broken_wording_hides_only_the_messages_that_would_use_it(
    workspace: Workspace,
) -> None:
    first_text = workspace.templates_dir / "internet-lead" / "first-text.sms.j2"
    first_text.write_text(
        "=== variant: equity ===\nHi {{ lead.nickname }}\n"
        "=== variant ===\nHi {{ lead.first_name }}, it's Jordan. Reply STOP to opt out\n"
    )
    # The lead whose wording is broken comes first on the agenda (she asked last: in the first
    # hour, newest first).
    equity = import_lead(workspace, ARRIVAL, name="Ann Lee", source="Home Equity Calculator")
    generic = import_lead(
        workspace,
        ARRIVAL - timedelta(minutes=2),
        phone="4155550123",
        email="bea@example.com",
        name="Bea Cruz",
    )
    result = run("today", "--json", "--channel", "text", now=SOON)
    assert result.exit_code == 0, result.output
    messages = {item["lead_id"]: item["message"] for item in json.loads(result.stdout)}
    assert list(messages) == [equity, generic]
    assert messages == {equity: None, generic: "Hi Bea, it's Jordan. Reply STOP to opt out"}
    assert result.stderr.count("warning:") == 1
    assert "internet-lead/first-text line 2" in " ".join(result.stderr.split())


def test_a_broken_template_shows_a_warning_and_its_name(workspace: Workspace) -> None:
    import_lead(workspace, ARRIVAL)
    first_text = workspace.templates_dir / "internet-lead" / "first-text.sms.j2"
    first_text.write_text("=== variant ===\nHi {{ lead.first_name\n")
    result = run("today", "--json", now=SOON)
    assert result.exit_code == 0, result.output
    items = {item["channel"]: item for item in json.loads(result.stdout)}
    assert items["text"]["message"] is None
    assert items["text"]["suggestion"] == "internet-lead/first-text"
    assert items["email"]["subject"]  # the other templates still render
    assert "warning: template internet-lead/first-text line 2: Jinja syntax error" in (
        " ".join(result.stderr.split())
    )

    table = run("today", "--channel", "text", now=SOON)
    assert table.exit_code == 0, table.output
    assert "internet-lead/first-text" in table.stdout
    assert table.stderr.count("warning:") == 1


@pytest.mark.parametrize(
    ("text", "dollars"),
    [
        ("350000", 350_000),
        ("$350,000", 350_000),
        ("350,000.00", 350_000),
        ("350k", 350_000),
        ("$1.2M", 1_200_000),
        ("", 0),
        ("300000-350000", 0),
        ("ask me", 0),
    ],
)
def test_vendor_amounts_become_whole_dollars(text: str, dollars: int) -> None:
    assert whole_dollars(text) == dollars


def test_a_stored_lead_becomes_template_details() -> None:
    details = lead_details(
        Lead(
            id=1,
            first_name=" Ann ",
            last_name="Lee",
            city="",
            state="CA",
            source="Zillow",
            offer="",
            loan_amount="$350,000",
            property_value="",
        )
    )
    assert (details.first_name, details.city, details.state) == ("Ann", "", "CA")
    assert (details.loan_amount, details.property_value, details.loan_purpose) == (350_000, 0, "")
