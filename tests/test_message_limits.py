"""What a lead's data can do to a message: merge fields are capped, control characters dropped,
and a text too long to send is held and said so, never sent as 15 segments."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from leadchase.messaging.context import FIELD_LIMITS, capped
from leadchase.messaging.details import whole_dollars
from leadchase.workspace import Workspace
from tests.conftest import PHONES, SF_MORNING, Sending, import_lead, run, run_json

LONG_NAME = "Maximiliano" + "x" * 1989  # a 2,000-character "first name" from a vendor file


def _settings(workspace: Workspace, old: str, new: str) -> None:
    text = workspace.settings_file.read_text(encoding="utf-8")
    assert old in text
    workspace.settings_file.write_text(text.replace(old, new, 1), encoding="utf-8")


def _first_text(workspace: Workspace, body: str) -> None:
    """The workspace's first text to a new lead, one wording for every offer."""
    path = Path(workspace.root) / "templates" / "internet-lead" / "first-text.sms.j2"
    path.write_text(f"=== variant ===\n{body}\n", encoding="utf-8")


def test_a_merge_field_is_capped_in_the_text_that_is_sent(sending: Sending) -> None:
    import_lead(sending.workspace, SF_MORNING, name=f"{LONG_NAME} Lee")
    result = sending.send(SF_MORNING)
    (text,) = sending.texts_to("+14155552671")
    assert len(text) < 320, len(text)  # was 2,153 characters in 15 segments
    assert f"Hi {LONG_NAME[:40]}," in text or f"Hey {LONG_NAME[:40]}," in text
    assert [item.result for item in result.items if item.channel == "text"] == ["sent"]


def test_capped_cuts_at_a_word_where_it_can() -> None:
    assert capped("first_name", "Ann") == "Ann"
    assert capped("first_name", "x" * 100) == "x" * FIELD_LIMITS["first_name"]
    long_city = "San Buenaventura de las Montañas del Norte Alto"  # 47 characters
    assert capped("city", long_city) == "San Buenaventura de las Montañas del"
    assert len(capped("offer", "Home equity " * 20)) <= 60


def test_control_characters_never_reach_a_text_or_an_email_subject(sending: Sending) -> None:
    email = Path(sending.workspace.root) / "templates" / "internet-lead" / "first-email.email.j2"
    email.write_text(
        "=== variant ===\nSubject: For {{ lead.first_name }}\t\u202eyou\n"
        "Hi {{ lead.first_name }},\n\n{{ email_footer }}\n",
        encoding="utf-8",
    )
    import_lead(sending.workspace, SF_MORNING, name="Evelyn\x1b[2J\x07\x9b Lee")
    sending.send(SF_MORNING)
    (text,) = sending.texts_to("+14155552671")
    assert "Evelyn[2J," in text
    assert not any(char in text for char in "\x1b\x07\x9b")
    (received,) = sending.smtp.received
    assert received.message["Subject"] == "For Evelyn[2J you"
    assert "\x1b" not in received.message.get_content()


def test_a_text_over_the_segment_limit_is_held_and_reported(sending: Sending) -> None:
    _settings(sending.workspace, "max_segments = 10", "max_segments = 2")
    _first_text(sending.workspace, "Hi {{ lead.first_name }}, " + "a few words more " * 20)
    import_lead(sending.workspace, SF_MORNING)
    dry = run_json("send", "--dry-run", now=SF_MORNING)
    (held,) = [item for item in dry["items"] if item["channel"] == "text"]
    assert held["result"] == "held"
    assert held["reason"] == "the text is 3 segments; [twilio] max_segments is 2"
    shown = run("send", now=SF_MORNING)
    assert shown.exit_code == 0, shown.output
    assert "the text is 3 segments; [twilio] max_segments is 2" in shown.stdout
    assert "held" in shown.stdout
    assert sending.twilio.sent() == []


def test_the_agenda_says_a_text_is_too_long_to_send(workspace: Workspace) -> None:
    _settings(workspace, "max_segments = 10", "max_segments = 2")
    _first_text(workspace, "Hi {{ lead.first_name }}, " + "a few words more " * 20)
    import_lead(workspace, SF_MORNING)
    today = run("today", "--channel", "text", now=SF_MORNING)
    assert "too long to send: the text is 3 segments" in today.stdout
    (task,) = run_json("today", "--channel", "text", now=SF_MORNING)
    assert task["warning"] == "too long to send: the text is 3 segments; [twilio] max_segments is 2"


def test_a_text_over_1600_characters_is_held_whatever_the_segment_limit(sending: Sending) -> None:
    _settings(sending.workspace, "max_segments = 10", "max_segments = 20")
    _first_text(sending.workspace, "Hi {{ lead.first_name }}, " + "x" * 1650)
    import_lead(sending.workspace, SF_MORNING)
    result = sending.send(SF_MORNING)
    (held,) = [item for item in result.items if item.channel == "text"]
    assert (held.result, held.reason) == (
        "held",
        "the text is 1,658 characters; Twilio refuses more than 1,600",
    )
    assert sending.twilio.sent() == []
    later = sending.send(SF_MORNING + timedelta(minutes=5))  # still held, never sent
    assert [i.result for i in later.items if i.channel == "text"] == ["held"]


def test_template_preview_says_a_text_is_too_long(workspace: Workspace) -> None:
    _settings(workspace, "max_segments = 10", "max_segments = 1")
    shown = run("template", "preview", "internet-lead/first-text", "--variant", "1")
    assert shown.exit_code == 0, shown.output
    assert "too long to send: the text is 2 segments; [twilio] max_segments is 1" in shown.stdout
    document = json.loads(
        run("template", "preview", "internet-lead/first-text", "--variant", "1", "--json").stdout
    )
    assert document["messages"][0]["held"] == "the text is 2 segments; [twilio] max_segments is 1"


def test_max_segments_must_be_a_whole_number_above_zero(workspace: Workspace) -> None:
    _settings(workspace, "max_segments = 10", "max_segments = 0")
    result = run("today")
    assert result.exit_code == 3
    assert "[twilio] max_segments must be a whole number, 1 or more" in result.stderr


def test_a_long_name_in_the_preview_is_capped(workspace: Workspace) -> None:
    lead = import_lead(workspace, SF_MORNING, name=f"{LONG_NAME} Lee", phone=PHONES[2])
    document = run_json("template", "preview", "internet-lead/first-text", "--lead", str(lead))
    for message in document["messages"]:
        assert message["characters"] < 320 and message["segments"] <= 3
        assert message["held"] is None


def test_an_amount_no_loan_has_reads_as_not_given() -> None:
    assert whole_dollars("$350,000") == 350_000 and whole_dollars("1.2M") == 1_200_000
    assert whole_dollars("9" * 400) == 0  # once an OverflowError that stopped `today`
    assert whole_dollars("$2,000,000,000") == 0
