"""A workspace wired to the fake Twilio server and a real SMTP server, and leads to send to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from leadchase.context import open_workspace
from leadchase.dispatch import SendResult, send_pass
from leadchase.importing.pipeline import ImportOptions
from leadchase.importing.service import import_files
from leadchase.workspace import Workspace
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, FakeTwilio
from tests.smtp_server import SmtpTestServer

# Valid San Francisco numbers (415 + exchanges phonenumbers accepts).
PHONES = [f"+1415555{2600 + n:04d}" for n in range(40)]


@dataclass
class Sending:
    workspace: Workspace
    twilio: FakeTwilio
    smtp: SmtpTestServer

    def env(self) -> dict[str, str]:
        return {
            "LEADCHASE_HOME": str(self.workspace.root),
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM": OUR_NUMBER,
            "LEADCHASE_TWILIO_BASE_URL": self.twilio.base_url,
            "LEADCHASE_SMTP_HOST": "127.0.0.1",
            "LEADCHASE_SMTP_PORT": str(self.smtp.port),
            "LEADCHASE_SMTP_TLS": "none",
            "LEADCHASE_SMTP_FROM": "jordan@example.com",
        }

    def send(self, now: datetime, **kwargs: object) -> SendResult:
        with open_workspace(self.workspace.root) as context:
            return send_pass(context, now, sleep=lambda _s: None, **kwargs)  # type: ignore[arg-type]

    def texts_to(self, phone: str) -> list[str]:
        return [m["body"] for m in self.twilio.sent() if m["to"] == phone]


@pytest.fixture
def sending(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sending]:
    settings = workspace.settings_file.read_text()
    # Tests do not wait a second between texts; pacing itself is tested with a fake clock.
    workspace.settings_file.write_text(
        settings.replace("messages_per_second = 1.0", "messages_per_second = 500.0")
    )
    with FakeTwilio() as twilio, SmtpTestServer() as smtp:
        wired = Sending(workspace, twilio, smtp)
        for name, value in wired.env().items():
            monkeypatch.setenv(name, value)
        yield wired


def import_leads(
    workspace: Workspace, now: datetime, count: int, *, state: str = "CA", name: str = "Lead"
) -> Path:
    """`count` fresh leads arriving at `now`, each with a phone and an email."""
    lead_file = workspace.root / f"leads-{count}-{now:%H%M%S}.csv"
    rows = [
        f"{name} {chr(65 + n % 26)}{n},{PHONES[n]},lead{n}@example.com,{state},94103,{now.isoformat()},Zillow"
        for n in range(count)
    ]
    lead_file.write_text("name,phone,email,state,zip,lead_date,source\n" + "\n".join(rows) + "\n")
    with open_workspace(workspace.root) as context:
        import_files(context, [lead_file], ImportOptions(), now)
    return lead_file
