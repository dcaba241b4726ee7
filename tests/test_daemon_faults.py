"""`leadchase daemon --once` as a process when Twilio refuses the credentials or is down."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from leadchase.errors import EXIT_HALTED, EXIT_HELD
from tests.conftest import PROJECT, Sending, import_leads
from tests.conftest import SF_MORNING as NOW
from tests.test_twilio_channel import closed_port


def daemon_once(sending: Sending, log: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "leadchase", "daemon", "--once", "--log-file", str(log)],
        cwd=PROJECT,
        env={**os.environ, **sending.env(), "LEADCHASE_NOW": NOW.isoformat(), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_bad_twilio_credentials_log_the_documented_critical_line(
    sending: Sending, tmp_path: Path
) -> None:
    import_leads(sending.workspace, NOW, 1)
    log = tmp_path / "daemon.log"

    done = daemon_once(sending, log, TWILIO_AUTH_TOKEN="not-the-real-token")

    assert done.returncode == EXIT_HALTED, done.stderr
    written = log.read_text(encoding="utf-8")
    critical = [line for line in written.splitlines() if " CRITICAL " in line]
    assert len(critical) == 1, written
    assert critical[0].endswith(
        "CRITICAL SENDING HALTED: Twilio rejected the account SID or auth token (20003); check "
        "TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN. Fix it; the daemon keeps running and the next "
        "pass tries again."
    )
    assert "not-the-real-token" not in written and "Traceback" not in written
    assert sending.twilio.sent() == [] and sending.smtp.received == []


def test_twilio_down_the_pass_still_emails_and_says_texts_wait(
    sending: Sending, tmp_path: Path
) -> None:
    import_leads(sending.workspace, NOW, 2)
    log = tmp_path / "daemon.log"

    done = daemon_once(sending, log, LEADCHASE_TWILIO_BASE_URL=f"http://127.0.0.1:{closed_port()}")

    assert done.returncode == EXIT_HELD, done.stderr
    lines = log.read_text(encoding="utf-8").splitlines()
    assert sum(" INFO sent email to lead " in line for line in lines) == 2
    assert any(" INFO send pass: 2 sent, 2 held" in line for line in lines), lines
    (warning,) = [line for line in lines if " WARNING " in line]
    assert "WARNING texts held until the next run: replies could not be checked" in warning
    assert "Traceback" not in done.stderr and not any(" ERROR " in line for line in lines)
    assert len(sending.smtp.received) == 2
