"""`leadchase daemon`: a real APScheduler process, a watch folder and the fake Twilio."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from leadchase import dispatch
from leadchase.daemon import DaemonPasses, daemon_logger, plan_daemon, run_daemon
from leadchase.errors import EXIT_BUSY, BusyError, ConfigError, LeadchaseError
from leadchase.workspace import Workspace
from tests.conftest import PROJECT
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, FakeTwilio

# Tuesday 11:00 in California: inside the contact window of a CA lead with a 415 number.
LEADCHASE_NOW = "2026-03-03T11:00:00-08:00"
LEAD_PHONE = "+14155552671"
LEAD_FILE = (
    "first_name,last_name,phone,email,state,lead_date,offer\n"
    f"Ana,Lopez,(415) 555-2671,ana@example.com,CA,{LEADCHASE_NOW},equity calculator\n"
)


def _wait_for(what: str, ready: Callable[[], bool], timeout: float, log: Path) -> None:
    """Poll `ready` every 0.2 s for at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            shown = log.read_text(encoding="utf-8") if log.exists() else "(no log)"
            pytest.fail(f"no {what} within {timeout} s; daemon log:\n{shown}")
        time.sleep(0.2)


def _logged(log: Path, text: str) -> bool:
    return log.exists() and text in log.read_text(encoding="utf-8")


def _drop_settled(folder: Path, staging: Path, name: str, content: str) -> None:
    """Write a lead file elsewhere, then move it in whole, as a finished download is."""
    staging.mkdir(exist_ok=True)
    path = staging / name
    path.write_text(content, encoding="utf-8")
    old = time.time() - 60
    os.utime(path, (old, old))
    path.replace(folder / name)


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio() as running:
        yield running


@pytest.mark.both_backends
def test_a_dropped_lead_gets_its_first_text_and_sigterm_stops_cleanly(
    workspace: Workspace, fake: FakeTwilio, tmp_path: Path
) -> None:
    watch, log = tmp_path / "incoming", tmp_path / "daemon.log"
    env = {
        **os.environ,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": OUR_NUMBER,
        "LEADCHASE_TWILIO_BASE_URL": fake.base_url,
        "LEADCHASE_NOW": LEADCHASE_NOW,
    }
    # The first pass fails twice: a 500 (retried within the pass), then a configuration error
    # that halts it. The daemon must keep running and send on a later pass.
    fake.fail_next_creates(500, 20500)
    fake.fail_next_creates(400, 21606)
    command = [sys.executable, "-m", "leadchase", "daemon", "--every", "1", "--watch", str(watch)]
    process = subprocess.Popen(
        [*command, "--log-file", str(log)],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(
            "start", lambda: process.poll() is not None or _logged(log, "daemon started"), 20, log
        )
        assert process.poll() is None, process.communicate()
        _drop_settled(watch, tmp_path / "downloads", "fb_leads.csv", LEAD_FILE)
        _wait_for("first text", lambda: bool(fake.sent()), 30, log)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    (text,) = fake.sent()
    assert (text["to"], text["from"]) == (LEAD_PHONE, OUR_NUMBER)
    assert "Ana" in text["body"]
    assert (watch / "processed" / "fb_leads.csv").exists()
    lines = log.read_text(encoding="utf-8").splitlines()
    assert any("imported fb_leads.csv: 1 new" in line for line in lines)
    assert any("SENDING HALTED" in line and "21606" in line for line in lines)
    assert any(f"sent text to lead 1 ({text['sid']})" in line for line in lines)
    assert any("SIGTERM received" in line for line in lines)
    assert lines[-1].endswith("INFO daemon stopped")
    assert AUTH_TOKEN not in log.read_text(encoding="utf-8")
    assert "Traceback" not in stderr


def test_settings_give_the_defaults_and_flags_override_them(workspace: Workspace) -> None:
    settings = workspace.settings_file.read_text(encoding="utf-8")
    workspace.settings_file.write_text(
        settings.replace("send_every_seconds = 60", "send_every_seconds = 120").replace(
            'watch_dir = ""', 'watch_dir = "incoming"'
        ),
        encoding="utf-8",
    )
    plan = plan_daemon(workspace.root, None, None)
    assert (plan.send_every, plan.watch_dir) == (120.0, workspace.root / "incoming")
    assert plan.watch_dir is not None and plan.watch_dir.is_dir()
    flagged = plan_daemon(workspace.root, 5, workspace.root / "other")
    assert (flagged.send_every, flagged.watch_dir) == (5.0, workspace.root / "other")


def test_a_bad_interval_in_the_settings_is_a_config_error(workspace: Workspace) -> None:
    settings = workspace.settings_file.read_text(encoding="utf-8")
    workspace.settings_file.write_text(
        settings.replace("send_every_seconds = 60", "send_every_seconds = 0"), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"\[daemon\] send_every_seconds must be"):
        plan_daemon(workspace.root, None, None)


@pytest.mark.parametrize(
    ("problem", "level", "message", "traceback", "code"),
    [
        (BusyError("locked"), "WARNING", "another run is sending; skipped", False, EXIT_BUSY),
        (
            LeadchaseError("bad thing; fix it"),
            "ERROR",
            "send pass failed: bad thing; fix it",
            False,
            1,
        ),
        (KeyError("bug"), "ERROR", "send pass failed (a bug: please report it)", True, 1),
        (
            sqlite3.OperationalError("database or disk is full"),
            "ERROR",
            "send pass failed: the database could not be written (database or disk is full",
            False,
            3,
        ),
    ],
)
def test_a_failing_send_pass_is_logged_and_not_fatal(
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    problem: Exception,
    level: str,
    message: str,
    traceback: bool,
    code: int,
) -> None:
    def failing(*args: object, **kwargs: object) -> None:
        raise problem

    monkeypatch.setattr(dispatch, "send_pass", failing)
    passes = DaemonPasses(plan_daemon(workspace.root, None, None), logging.getLogger("t.daemon"))
    with caplog.at_level(logging.INFO, logger="t.daemon"):
        assert passes.send() == code
    (record,) = caplog.records
    assert (record.levelname, record.getMessage().startswith(message)) == (level, True)
    assert (record.exc_info is not None) == traceback


@pytest.fixture
def _root_logging() -> Iterator[None]:
    """daemon_logger configures the process's root logger; put it back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("_root_logging")
def test_secrets_never_reach_the_log(tmp_path: Path) -> None:
    log_file = tmp_path / "daemon.log"
    log = daemon_logger(log_file, ("s3cret-token",))
    try:
        raise RuntimeError("auth s3cret-token refused")
    except RuntimeError:
        log.exception("send pass failed with s3cret-token")
    written = log_file.read_text(encoding="utf-8")
    assert "s3cret-token" not in written
    assert "send pass failed with ***" in written and "auth *** refused" in written
    assert written.split()[2] == "ERROR"  # time, level, message


@pytest.mark.usefixtures("_root_logging")
def test_the_log_file_is_private_and_never_written_through_a_link(tmp_path: Path) -> None:
    log_file = tmp_path / "daemon.log"
    daemon_logger(log_file).warning("a lead's number")
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n", encoding="utf-8")
    planted = tmp_path / "planted.log"
    planted.symlink_to(victim)
    with pytest.raises(ConfigError, match="cannot open log file"):
        daemon_logger(planted)
    assert victim.read_text(encoding="utf-8") == "untouched\n"


@pytest.mark.usefixtures("_root_logging")
@pytest.mark.both_backends
def test_once_imports_the_watch_folder_then_sends(workspace: Workspace, tmp_path: Path) -> None:
    watch, log = tmp_path / "incoming", tmp_path / "once.log"
    watch.mkdir()
    _drop_settled(watch, tmp_path / "downloads", "leads.csv", LEAD_FILE)
    code = run_daemon(workspace.root, send_every=None, watch_dir=watch, once=True, log_file=log)
    assert code == 0
    assert (watch / "processed" / "leads.csv").exists()
    assert "imported leads.csv: 1 new, 0 merged, 0 rejected" in log.read_text(encoding="utf-8")


@pytest.mark.usefixtures("_root_logging")
def test_once_names_a_file_too_fresh_to_import(workspace: Workspace, tmp_path: Path) -> None:
    watch, log = tmp_path / "incoming", tmp_path / "once.log"
    watch.mkdir()
    fresh = watch / "just saved.csv"
    fresh.write_text(LEAD_FILE, encoding="utf-8")
    soon = time.time() + 3600  # "just now", however slowly this test runs
    os.utime(fresh, (soon, soon))
    assert (
        run_daemon(workspace.root, send_every=None, watch_dir=watch, once=True, log_file=log) == 0
    )
    written = log.read_text(encoding="utf-8")
    assert "INFO not imported yet: just saved.csv was still changing at this scan" in written
    assert "the next pass picks it up" in written
    assert (watch / "just saved.csv").exists() and not (watch / "processed").exists()
    old = time.time() - 60
    os.utime(watch / "just saved.csv", (old, old))
    assert (
        run_daemon(workspace.root, send_every=None, watch_dir=watch, once=True, log_file=log) == 0
    )
    assert "imported just saved.csv: 1 new" in log.read_text(encoding="utf-8")


def test_a_file_still_being_written_is_named_once_not_every_scan(
    workspace: Workspace, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    watch = tmp_path / "incoming"
    watch.mkdir()
    copying = watch / "copying.csv"
    copying.write_text(LEAD_FILE, encoding="utf-8")
    soon = time.time() + 3600
    os.utime(copying, (soon, soon))
    passes = DaemonPasses(plan_daemon(workspace.root, None, watch), logging.getLogger("t.daemon"))
    with caplog.at_level(logging.INFO, logger="t.daemon"):
        assert passes.watch() == 0
        assert passes.watch() == 0
    waiting = [r.getMessage() for r in caplog.records if "not imported yet" in r.getMessage()]
    assert waiting == [
        "not imported yet: copying.csv was still changing at this scan (a copy or download in "
        "progress?); the next pass picks it up"
    ]
