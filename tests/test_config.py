"""Sending settings: the environment, the 0600 secrets file, and secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadchase.channels.config import configured_channels, smtp_settings, twilio_settings
from leadchase.config import load_settings
from leadchase.errors import ConfigError
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
