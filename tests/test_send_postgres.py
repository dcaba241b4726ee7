"""Send runs on a shared PostgreSQL: runs on several machines never send the same touch.

Four `leadchase send` processes start at once against one database with 2,000 due texts; the
one sending is killed mid-run. The advisory lock lets one run send at a time, the server drops
a dead run's lock with its connection, and the next run reconciles the dead run's claims
against Twilio as on SQLite. Every text reaches the fake Twilio exactly once.
"""

from __future__ import annotations

import shutil
import signal
import zlib
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from leadchase.context import open_workspace
from leadchase.dispatch import send_lock
from leadchase.errors import BusyError
from leadchase.importing.pipeline import ImportOptions
from leadchase.importing.service import import_files
from tests.conftest import SF_MORNING as NOW
from tests.conftest import Sending, query, run, wait_for
from tests.test_send import _send_process

pytestmark = pytest.mark.postgres

TEXTS = 2000
# The machine (application_name) whose session holds the send lock (store/database.py).
SEND_LOCK_HOLDER = (
    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "  # noqa: S608
    f"WHERE l.locktype = 'advisory' AND l.granted AND l.objid = {zlib.crc32(b'leadchase send')}"
    # This run's database only: another test run may share the server.
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


def _atlanta_leads(folder: Path, count: int) -> Path:
    """`count` leads with a phone and no email, arrived in the minutes before NOW."""
    rows = ["name,phone,state,zip,lead_date,source"]
    for n in range(count):
        arrived = (NOW - timedelta(minutes=10, seconds=n)).isoformat()
        rows.append(f"Avery Lead{n:04d},+1404234{n:04d},GA,30303,{arrived},Home Equity Calc")
    path = folder / f"atlanta-{count}.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_four_send_processes_and_a_kill_send_each_text_once(sending: Sending) -> None:
    leads = _atlanta_leads(sending.workspace.root, TEXTS)
    with open_workspace(sending.workspace.root) as context:
        (imported,) = import_files(context, [leads], ImportOptions(), NOW)
    assert imported.imported == TEXTS
    # Four machines: each run has a workspace folder of its own (so no file lock is shared),
    # all naming the one database, and says which machine it is in pg_stat_activity.
    processes = []
    for machine in range(4):
        home = sending.workspace.root.parent / f"machine-{machine}"
        shutil.copytree(sending.workspace.root, home, ignore=shutil.ignore_patterns("*.csv"))
        processes.append(
            _send_process(sending, NOW, home=home, env={"PGAPPNAME": f"machine-{machine}"})
        )
    # Kill the run holding the send lock once a tenth of the texts are out: it may die between
    # a claim and its record.
    wait_for(lambda: len(sending.twilio.sent()) >= TEXTS // 10, seconds=120)
    (holder,) = query(sending.workspace, SEND_LOCK_HOLDER)
    victim = processes[int(holder[0].removeprefix("machine-"))]
    victim.send_signal(signal.SIGKILL)
    sent_before_the_kill = len(sending.twilio.sent())
    outcomes = [process.communicate(timeout=300) for process in processes]
    assert victim.returncode == -signal.SIGKILL
    for process, (_out, err) in zip(processes, outcomes, strict=True):
        # 0: sent (or found nothing left); 4: waited its turn too long and sent nothing.
        assert process is victim or process.returncode in (0, 4), err
    assert sent_before_the_kill < TEXTS  # the kill came mid-run
    # Later passes settle what the killed run left claimed (a text may still be in flight).
    for minutes in (4, 8):
        sending.send(NOW + timedelta(minutes=minutes))
    sent = Counter(m["to"] for m in sending.twilio.sent())
    assert len(sent) == TEXTS and set(sent.values()) == {1}
    assert query(sending.workspace, "SELECT count(*) FROM touch WHERE status = 'claimed'") == [(0,)]
    assert query(
        sending.workspace,
        "SELECT count(DISTINCT touch_id) FROM message WHERE channel = 'text' AND status <> 'claimed'",
    ) == [(TEXTS,)]


def test_a_send_run_on_another_machine_waits_for_the_one_sending(sending: Sending) -> None:
    other_machine = sending.workspace.root.parent / "other-machine"
    shutil.copytree(sending.workspace.root, other_machine)
    with (
        open_workspace(other_machine) as context,
        send_lock(context, wait=0),
        pytest.raises(BusyError, match="another send run"),
    ):
        sending.send(NOW, lock_wait=0.2)
    assert run("send", now=NOW).exit_code == 0  # let go when its block ended
