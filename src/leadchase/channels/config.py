"""Sending settings: leadchase.toml, overridden by the environment; secrets never leave memory.

A channel is "configured" when its settings are complete. Until then its automated steps stay on
the agenda as manual tasks, so a user without Twilio or SMTP still gets the whole playbook.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from leadchase.config import Settings, missing_details
from leadchase.errors import ConfigError

DEFAULT_TWILIO_BASE_URL = "https://api.twilio.com"
# The listener's Twilio webhooks (listener/twilio_hooks.py), under LEADCHASE_PUBLIC_URL.
INBOUND_PATH = "/twilio/sms"
STATUS_PATH = "/twilio/status"


@dataclass(frozen=True)
class TwilioSettings:
    """Twilio as sends use it: [twilio] with the environment and the secrets file over it."""

    account_sid: str = ""
    auth_token: str = field(default="", repr=False)
    from_number: str = ""
    messaging_service_sid: str = ""
    base_url: str = DEFAULT_TWILIO_BASE_URL
    messages_per_second: float = 1.0
    public_url: str = ""  # the listener's address as Twilio reaches it, no trailing "/"

    @property
    def status_callback(self) -> str | None:
        """Where Twilio posts a sent text's delivery statuses; None without a public URL."""
        return f"{self.public_url}{STATUS_PATH}" if self.public_url else None

    @property
    def configured(self) -> bool:
        return bool(
            self.account_sid
            and self.auth_token
            and (self.from_number or self.messaging_service_sid)
        )

    @property
    def missing(self) -> tuple[str, ...]:
        """What a half-done setup lacks, by the names to set; () when complete or not begun."""
        given = (self.account_sid, self.auth_token, self.from_number, self.messaging_service_sid)
        if not any(given):
            return ()
        wanted = (
            ("TWILIO_ACCOUNT_SID", self.account_sid),
            ("TWILIO_AUTH_TOKEN", self.auth_token),
            (
                "TWILIO_FROM ([twilio] from_number) or TWILIO_MESSAGING_SERVICE_SID",
                self.from_number or self.messaging_service_sid,
            ),
        )
        return tuple(name for name, value in wanted if not value)


@dataclass(frozen=True)
class SmtpSettings:
    """SMTP as sends use it: [smtp] with the environment and the secrets file over it."""

    host: str = ""
    port: int = 587
    user: str = ""
    password: str = field(default="", repr=False)
    tls: str = "starttls"
    from_address: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.host and self.from_address) and not self.missing

    @property
    def missing(self) -> tuple[str, ...]:
        """What a half-done setup lacks, by the names to set; () when complete or not begun.
        A login needs both halves: a password without a user is as unfinished as the reverse."""
        if not any((self.host, self.from_address, self.user, self.password)):
            return ()
        wanted = (
            ("LEADCHASE_SMTP_HOST ([smtp] host)", self.host),
            ("LEADCHASE_SMTP_FROM ([smtp] from_address)", self.from_address),
            ("LEADCHASE_SMTP_USER ([smtp] user)", self.user or not self.password),
            ("LEADCHASE_SMTP_PASSWORD", self.password or not self.user),
        )
        return tuple(name for name, value in wanted if not value)


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
        public_url=_public_url(_lookup(env, secrets, "LEADCHASE_PUBLIC_URL", section.public_url)),
    )


def _public_url(value: str) -> str:
    """The public URL without its trailing "/"; Twilio refuses a callback that is not http(s)."""
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if value and (parts.scheme not in ("https", "http") or not parts.netloc or parts.query):
        raise ConfigError(
            f"public URL {value!r} is not an address like https://leads.example.com; "
            "fix LEADCHASE_PUBLIC_URL or [twilio] public_url"
        )
    return value.rstrip("/")


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


def why_not_send(settings: Settings, channels: Collection[str]) -> str | None:
    """Why no automated message may go out yet, in one line; None when nothing is missing.

    Your details sign every message, so they must be there once any channel is set up; a
    channel set up halfway is a mistake to fix, not a channel to leave quietly unused.
    """
    problems = []
    for channel, missing in (
        ("Twilio", twilio_settings(settings).missing),
        ("SMTP", smtp_settings(settings).missing),
    ):
        if missing:
            problems.append(f"{channel} is partly set up: missing {', '.join(missing)}")
    officer = missing_details(settings)
    if officer and (channels or problems):
        problems.append(f"{officer}, and every automated message is signed with them")
    if not problems:
        return None
    return "; ".join(problems) + "; fill them in (docs/configuration.md)"


def configured_channels(settings: Settings) -> frozenset[str]:
    """The channels the tool sends itself; automated steps of the others are manual tasks."""
    channels = set()
    if twilio_settings(settings).configured:
        channels.add("text")
    if smtp_settings(settings).configured:
        channels.add("email")
    return frozenset(channels)
