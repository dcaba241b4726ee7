"""Sending settings: the environment, the 0600 secrets file, and secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadchase.channels.config import configured_channels, smtp_settings, twilio_settings
from leadchase.config import SmtpSection, TwilioSection, load_settings
from leadchase.errors import ConfigError
from leadchase.settings_background import DaemonSettings
from leadchase.workspace import Workspace
from tests.conftest import run
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, FakeTwilio


def _use_secrets_file(workspace: Workspace, lines: str, mode: int) -> Path:
    secrets = workspace.root / "secrets.env"
    secrets.write_text(lines)
    secrets.chmod(mode)
    settings = workspace.settings_file.read_text().replace('file = ""', 'file = "secrets.env"')
    workspace.settings_file.write_text(settings)
    return secrets


def test_nothing_configured_means_every_automated_step_is_a_task(workspace: Workspace) -> None:
    assert configured_channels(load_settings(workspace)) == frozenset()


def test_secrets_file_must_be_private(workspace: Workspace) -> None:
    _use_secrets_file(workspace, f"TWILIO_AUTH_TOKEN={AUTH_TOKEN}\n", 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        twilio_settings(load_settings(workspace))


def test_environment_wins_over_the_secrets_file(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_secrets_file(
        workspace,
        f"TWILIO_ACCOUNT_SID={ACCOUNT_SID}\nTWILIO_AUTH_TOKEN='{AUTH_TOKEN}'\nTWILIO_FROM={OUR_NUMBER}\n"
        "LEADCHASE_SMTP_PASSWORD=from-file\n",
        0o600,
    )
    settings = load_settings(workspace)
    assert twilio_settings(settings).auth_token == AUTH_TOKEN
    assert configured_channels(settings) == frozenset({"text"})
    monkeypatch.setenv("LEADCHASE_SMTP_PASSWORD", "from-env")
    assert smtp_settings(settings).password == "from-env"
    assert AUTH_TOKEN not in repr(twilio_settings(settings))


def test_bad_smtp_settings_say_what_to_fix(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADCHASE_SMTP_TLS", "maybe")
    with pytest.raises(ConfigError, match="LEADCHASE_SMTP_TLS"):
        smtp_settings(load_settings(workspace))


def test_doctor_checks_twilio_without_sending_or_showing_the_token(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeTwilio() as fake:
        monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
        monkeypatch.setenv("TWILIO_FROM", OUR_NUMBER)
        monkeypatch.setenv("LEADCHASE_TWILIO_BASE_URL", fake.base_url)
        result = run("doctor")
        assert result.exit_code == 0, result.output
        assert "Twilio: credentials work" in result.output
        assert fake.sent() == []
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", "wrong-token-123")
        result = run("doctor")
        assert result.exit_code == 1
        assert "problem  Twilio" in result.output
        assert "wrong-token-123" not in result.output and AUTH_TOKEN not in result.output


def _edit_settings(workspace: Workspace, *changes: tuple[str, str]) -> None:
    text = workspace.settings_file.read_text()
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    workspace.settings_file.write_text(text)


def test_every_table_is_read_into_typed_settings(workspace: Workspace) -> None:
    defaults = load_settings(workspace)
    assert defaults.twilio == TwilioSection()
    assert (defaults.smtp, defaults.daemon) == (SmtpSection(), DaemonSettings())
    _edit_settings(
        workspace,
        ('from_number = ""', 'from_number = "+13055550100"'),
        ("messages_per_second = 1.0", "messages_per_second = 2"),
        ("port = 587", 'port = "2525"'),
        ("require_consent_for_auto_text = false", "require_consent_for_auto_text = true"),
        ('stage_on_reply = "engaged"', 'stage_on_reply = "contacted"'),
        ('file = ""', 'file = " secrets.env "'),
        ("send_every_seconds = 60", "send_every_seconds = 90"),
        ('watch_dir = ""', 'watch_dir = "incoming"'),
    )
    settings = load_settings(workspace)
    assert settings.twilio == TwilioSection("+13055550100", "", 2.0)
    assert settings.smtp == SmtpSection(port="2525")
    assert settings.compliance.require_consent_for_auto_text is True
    assert settings.replies.stage_on_reply == "contacted"
    assert settings.secrets.file == "secrets.env"
    assert settings.daemon == DaemonSettings(90.0, "incoming")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("messages_per_second = 1.0", 'messages_per_second = "fast"'),
            r"leadchase.toml: \[twilio\] messages_per_second must be a number above 0",
        ),
        (
            ("require_consent_for_auto_text = false", 'require_consent_for_auto_text = "no"'),
            r"\[compliance\] require_consent_for_auto_text must be true or false",
        ),
        (
            ('watch_dir = ""', "watch_dir = 5"),
            r'\[daemon\] watch_dir must be a quoted folder path, or "" for none',
        ),
    ],
)
def test_a_setting_of_the_wrong_type_stops_every_command(
    workspace: Workspace, change: tuple[str, str], message: str
) -> None:
    _edit_settings(workspace, change)
    with pytest.raises(ConfigError, match=message):
        load_settings(workspace)
    result = run("leads")
    assert result.exit_code == 3 and "must be" in result.stderr


def test_the_background_tables_keys_are_their_fields_and_built_on_first_read(
    workspace: Workspace,
) -> None:
    from dataclasses import fields

    from leadchase import settings_background
    from leadchase.settings_reader import SECTIONS

    tables = {
        "replies": settings_background.ReplySettings,
        "daemon": settings_background.DaemonSettings,
        "alerts": settings_background.AlertSettings,
        "assign": settings_background.AssignSettings,
        "rates": settings_background.RateSettings,
    }
    for section, table in tables.items():
        assert SECTIONS[section] == tuple(item.name for item in fields(table)), section
    settings = load_settings(workspace)
    assert "alerts" not in vars(settings)  # not built until read
    assert settings.alerts == settings_background.AlertSettings()
    assert settings.alerts is settings.alerts  # built once
    assert (settings.replies, settings.assign, settings.rates) == (
        settings_background.ReplySettings(),
        settings_background.AssignSettings(),
        settings_background.RateSettings(),
    )
