"""Sending settings: leadchase.toml, overridden by the environment; secrets never leave memory.

A channel is "configured" when its settings are complete. Until then its automated steps stay on
the agenda as manual tasks, so a user without Twilio or SMTP still gets the whole playbook.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from leadchase.config import Settings
from leadchase.errors import ConfigError

DEFAULT_TWILIO_BASE_URL = "https://api.twilio.com"


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str = ""
    auth_token: str = field(default="", repr=False)
    from_number: str = ""
    messaging_service_sid: str = ""
    base_url: str = DEFAULT_TWILIO_BASE_URL
    messages_per_second: float = 1.0

    @property
    def configured(self) -> bool:
        return bool(
            self.account_sid
            and self.auth_token
            and (self.from_number or self.messaging_service_sid)
        )


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""
    port: int = 587
    user: str = ""
    password: str = field(default="", repr=False)
    tls: str = "starttls"
    from_address: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.host and self.from_address)


def read_secrets_file(settings: Settings) -> dict[str, str]:
    """KEY=value lines from the secrets file named in leadchase.toml; it must be private (0600)."""
    name = settings.secrets.file
    if not name:
        return {}
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = settings.workspace.root / path
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(
            f"cannot read secrets file {path}: {error.strerror}; fix [secrets] file"
        ) from None
    if mode & 0o077:
        raise ConfigError(
            f"secrets file {path} is readable by others (mode {mode:o}); run `chmod 600 {path}`"
        )
    values = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and not key.startswith("#"):
            values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def _lookup(
    env: Mapping[str, str], secrets: Mapping[str, str], name: str, fallback: str = ""
) -> str:
    return (env.get(name) or secrets.get(name) or fallback).strip()


def twilio_settings(settings: Settings, env: Mapping[str, str] | None = None) -> TwilioSettings:
    env = os.environ if env is None else env
    secrets = read_secrets_file(settings)
    section = settings.twilio
    return TwilioSettings(
        account_sid=_lookup(env, secrets, "TWILIO_ACCOUNT_SID"),
        auth_token=_lookup(env, secrets, "TWILIO_AUTH_TOKEN"),
        from_number=_lookup(env, secrets, "TWILIO_FROM", section.from_number),
        messaging_service_sid=_lookup(
            env, secrets, "TWILIO_MESSAGING_SERVICE_SID", section.messaging_service_sid
        ),
        base_url=_lookup(env, secrets, "LEADCHASE_TWILIO_BASE_URL", DEFAULT_TWILIO_BASE_URL).rstrip(
            "/"
        ),
        messages_per_second=section.messages_per_second,
    )


def smtp_settings(settings: Settings, env: Mapping[str, str] | None = None) -> SmtpSettings:
    env = os.environ if env is None else env
    secrets = read_secrets_file(settings)
    section = settings.smtp
    port_text = _lookup(env, secrets, "LEADCHASE_SMTP_PORT", section.port)
    tls = _lookup(env, secrets, "LEADCHASE_SMTP_TLS", section.tls).lower()
    if not port_text.isdigit():
        raise ConfigError(
            f"SMTP port {port_text!r} is not a number; set LEADCHASE_SMTP_PORT or [smtp] port"
        )
    if tls not in ("none", "starttls", "ssl"):
        raise ConfigError(
            f"SMTP tls {tls!r} is not one of none, starttls, ssl; fix LEADCHASE_SMTP_TLS or [smtp] tls"
        )
    return SmtpSettings(
        host=_lookup(env, secrets, "LEADCHASE_SMTP_HOST", section.host),
        port=int(port_text),
        user=_lookup(env, secrets, "LEADCHASE_SMTP_USER", section.user),
        password=_lookup(env, secrets, "LEADCHASE_SMTP_PASSWORD"),
        tls=tls,
        from_address=_lookup(env, secrets, "LEADCHASE_SMTP_FROM", section.from_address),
    )


def configured_channels(settings: Settings) -> frozenset[str]:
    """The channels the tool sends itself; automated steps of the others are manual tasks."""
    channels = set()
    if twilio_settings(settings).configured:
        channels.add("text")
    if smtp_settings(settings).configured:
        channels.add("email")
    return frozenset(channels)
