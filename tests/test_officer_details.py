"""Your details and your providers before anything goes out: nothing is signed with a stranger's
name, and a half-done Twilio or SMTP setup says exactly what it lacks."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from leadchase.workspace import Workspace
from tests.conftest import SF_MORNING as NOW
from tests.conftest import Sending, import_lead, import_leads, run, today_by_channel
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN

REQUIRED = "name, company, phone, postal_address"


def _blank_officer(workspace: Workspace, *keys: str) -> None:
    text = workspace.settings_file.read_text()
    for key in keys:
        text, found = re.subn(rf"(?m)^{key} = .*$", f'{key} = ""', text, count=1)
        assert found, key
    workspace.settings_file.write_text(text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_init_writes_empty_officer_details_each_with_a_comment(tmp_path: Path) -> None:
    assert run("init", str(tmp_path / "office")).exit_code == 0
    text = (tmp_path / "office" / "leadchase.toml").read_text()
    officer = tomllib.loads(text)["officer"]
    for key in ("name", "company", "phone", "email", "postal_address", "nmls"):
        assert officer[key] == "", key
        lines = text.splitlines()
        line = lines.index(f'{key} = ""')
        assert lines[line - 1].startswith("# "), f"{key} has no comment above it"


def test_doctor_names_the_empty_details_and_warns_about_nmls(tmp_path: Path) -> None:
    run("init", str(tmp_path / "office"))
    settings_file = tmp_path / "office" / "leadchase.toml"
    result = run("--home", str(tmp_path / "office"), "doctor")
    assert result.exit_code == 1
    words = _one_line(result.stdout)
    assert f"problem your details: [officer] {REQUIRED} are empty in {settings_file}" in words
    assert "note NMLS: [officer] nmls is empty" in words


def test_doctor_is_content_once_the_details_are_filled_in(workspace: Workspace) -> None:
    result = run("doctor")
    words = _one_line(result.stdout)
    assert result.exit_code == 0, result.output
    assert "ok your details: Jordan Rivera, Rivera Home Loans" in words
    assert "note NMLS" in words  # the test officer has no NMLS id


def test_send_refuses_until_the_details_are_real(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 2)
    _blank_officer(sending.workspace, "company", "phone")
    message = f"[officer] company, phone are empty in {sending.workspace.settings_file}"
    result = run("send", now=NOW)
    assert result.exit_code == 5
    assert message in _one_line(result.stderr) and len(result.stderr.strip().splitlines()) == 1
    assert sending.twilio.sent() == [] and sending.smtp.received == []
    assert "Nothing due" not in result.stdout  # refused, not idle
    dry = run("send", "--dry-run", "--json", now=NOW)
    assert dry.exit_code == 5
    assert message in _one_line(dry.stderr)
    shown = json.loads(dry.stdout)
    assert shown["would_send"] == 4 and message in shown["halted"]
    assert sending.twilio.sent() == [] and sending.smtp.received == []


def test_once_filled_in_the_email_footer_carries_the_nmls(sending: Sending) -> None:
    text = sending.workspace.settings_file.read_text().replace('nmls = ""', 'nmls = "1234567"')
    sending.workspace.settings_file.write_text(text)
    import_leads(sending.workspace, NOW, 1)
    result = run("send", now=NOW)
    assert result.exit_code == 0, result.output
    (email,) = sending.smtp.received
    assert "Jordan Rivera, Rivera Home Loans (NMLS 1234567)" in email.message.get_content()
    assert "NMLS" not in sending.twilio.sent()[0]["body"]
    doctor = _one_line(run("doctor").stdout)
    assert "ok NMLS: 1234567" in doctor


@pytest.mark.parametrize(
    ("environment", "channel", "missing"),
    [
        (
            {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN},
            "Twilio",
            "TWILIO_FROM ([twilio] from_number) or TWILIO_MESSAGING_SERVICE_SID",
        ),
        ({"TWILIO_FROM": "+13055550100"}, "Twilio", "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN"),
        ({"LEADCHASE_SMTP_HOST": "127.0.0.1"}, "SMTP", "LEADCHASE_SMTP_FROM ([smtp] from_address)"),
        (
            {"LEADCHASE_SMTP_PASSWORD": "s3cret", "LEADCHASE_SMTP_FROM": "me@example.com"},
            "SMTP",
            "LEADCHASE_SMTP_HOST ([smtp] host), LEADCHASE_SMTP_USER ([smtp] user)",
        ),
    ],
)
def test_partial_sending_settings_name_what_is_missing(
    workspace: Workspace, environment: dict[str, str], channel: str, missing: str
) -> None:
    import_leads(workspace, NOW, 1)
    doctor = run("doctor", env=environment)
    assert doctor.exit_code == 1
    assert f"problem {channel}: partly set up: missing {missing}" in _one_line(doctor.stdout)
    send = run("send", now=NOW, env=environment)
    assert send.exit_code == 5
    assert f"{channel} is partly set up: missing {missing}" in _one_line(send.stderr)
    assert "s3cret" not in send.output + doctor.output and AUTH_TOKEN not in send.output


def test_a_partial_channel_stops_the_other_channel_too(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 1)
    result = run("send", now=NOW, env={"TWILIO_FROM": ""})
    assert result.exit_code == 5 and "TWILIO_FROM" in result.stderr
    assert sending.smtp.received == []


def test_nothing_set_up_sends_nothing_and_asks_for_nothing(tmp_path: Path) -> None:
    run("init", str(tmp_path / "office"))
    result = run("--home", str(tmp_path / "office"), "send", now=NOW)
    assert result.exit_code == 0, result.output
    assert "Sending is not configured" in result.stdout


def test_messages_to_send_by_hand_show_what_to_fill_in_for_empty_details(
    workspace: Workspace,
) -> None:
    _blank_officer(workspace, "name", "company", "phone", "postal_address")
    import_lead(workspace, NOW, name="Carla Ruiz")
    items = today_by_channel(now=NOW)
    text, email = items["text"]["message"], items["email"]["message"]
    assert text.startswith(
        (
            "Hi Carla, it's [your name] with [your company].",
            "Hey Carla, [your name] at [your company] here.",
        )
    )
    assert "[your phone]" in email and "[your postal address]" in email
    assert " with ." not in text and "it's with" not in text
