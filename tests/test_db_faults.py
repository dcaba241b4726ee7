"""A broken, read-only or full database: one line saying what, that nothing changed, and how.

Real SQLite files, damaged the ways files get damaged (cut short by a bad copy, overwritten,
emptied); `db check` and `db backup` on them; a workspace the user cannot write, in a
subprocess that cannot override file modes (root can, so it gives up that power first).
"""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from leadchase.errors import DatabaseProblem
from leadchase.store.database import Database
from leadchase.store.engine import make_engine
from leadchase.store.migrations import MIGRATIONS, check_migrated, migrate
from leadchase.workspace import Workspace
from tests.conftest import NOW, PHONES, PROJECT, SF_MORNING, Sending, import_leads, query, run

RESTORE = "docs/running.md, Backups"


def _damage(how: str, path: Path) -> None:
    data = path.read_bytes()
    if how == "cut short":  # a copy or a sync that stopped half way
        path.write_bytes(data[: len(data) // 2])
    elif how == "overwritten":
        path.write_bytes(b"PK\x03\x04 not a database at all\n" * 200)
    else:  # emptied: a crash while it was recreated, a full disk
        path.write_bytes(b"")


def _settled(workspace: Workspace) -> Path:
    """The workspace database with its write-ahead log folded in, as after a clean close."""
    path = workspace.default_database
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for extra in ("-wal", "-shm"):
        path.with_name(path.name + extra).unlink(missing_ok=True)
    return path


@pytest.mark.parametrize("how", ["cut short", "overwritten", "emptied"])
def test_a_damaged_database_is_one_line_and_stays_as_it_was(workspace: Workspace, how: str) -> None:
    import_leads(workspace, NOW, 30)
    path = _settled(workspace)
    _damage(how, path)
    before = path.read_bytes()

    for command in (["today"], ["leads"], ["show", "1"], ["import", str(path)], ["send"]):
        result = run(*command, now=NOW)

        assert result.exit_code == 3, (command, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), command
        assert result.stdout == "" and result.stderr.count("\n") == 1, (command, result.output)
        assert f"the database {path} is " in result.stderr
        assert "nothing was changed" in result.stderr and RESTORE in result.stderr
        assert path.read_bytes() == before, command


def test_db_check_says_whether_the_database_is_whole(workspace: Workspace) -> None:
    import_leads(workspace, NOW, 30)
    whole = run("db", "check")
    assert whole.exit_code == 0, whole.output
    every = len(MIGRATIONS)
    assert "integrity: ok" in whole.stdout
    assert f"{every} of {every} migrations applied" in whole.stdout
    document = run("db", "check", "--json")
    assert '"ok": true' in document.stdout

    _damage("cut short", _settled(workspace))
    damaged = run("db", "check")

    assert damaged.exit_code == 1
    assert "integrity: 1 problem" in damaged.stdout
    assert "malformed" in damaged.stdout
    assert damaged.stderr.startswith(f"error: {workspace.default_database} is damaged")
    assert RESTORE in damaged.stderr


def test_db_check_tells_an_older_and_a_newer_schema(tmp_path: Path) -> None:
    older, newer = tmp_path / "older.db", tmp_path / "newer.db"
    engine = make_engine(f"sqlite:///{older}")
    with engine.connect() as connection:
        migrate(connection, upto=MIGRATIONS[0][0])
    engine.dispose()
    Database.open(f"sqlite:///{newer}").close()
    with sqlite3.connect(newer) as connection:
        connection.execute("INSERT INTO schema_migrations VALUES ('999_from_the_future', '')")

    upgradable, future = run("db", "check", str(older)), run("db", "check", str(newer))

    assert upgradable.exit_code == 0, upgradable.output
    assert f"1 of {len(MIGRATIONS)} migrations applied" in upgradable.stdout
    assert f"to apply: {MIGRATIONS[1][0]}" in upgradable.stdout
    assert future.exit_code == 1
    assert "from a newer leadchase: 999_from_the_future" in future.stdout
    assert future.stderr == f"error: {newer} was made by a newer leadchase: use that version\n"
    # Opened read-only, an older database cannot be upgraded: one line, nothing changed.
    with (
        make_engine(f"sqlite:///{older}").connect() as connection,
        pytest.raises(
            DatabaseProblem,
            match=r"needs upgrading .* but is read-only for you: nothing was changed",
        ),
    ):
        check_migrated(connection, str(older))


def test_a_backup_is_private_whole_and_restores_every_lead(
    workspace: Workspace, tmp_path: Path
) -> None:
    import_leads(workspace, NOW, 30)
    before = run("leads", "--json", now=NOW).stdout
    made = run("db", "backup", now=NOW)
    assert made.exit_code == 0, made.output
    (backup,) = (workspace.root / "backups").iterdir()
    assert backup.name == "leadchase-20260302-150000.db"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE((workspace.root / "backups").stat().st_mode) == 0o700
    assert list((workspace.root / "backups").iterdir()) == [backup]  # nothing left beside it
    assert run("db", "check", str(backup)).exit_code == 0

    path = _settled(workspace)
    _damage("overwritten", path)
    assert run("leads", now=NOW).exit_code == 3
    # The restore docs/running.md describes: the damaged file aside, the backup in its place.
    path.rename(tmp_path / "damaged.db")
    shutil.copyfile(backup, path)

    assert run("db", "check").exit_code == 0
    assert run("leads", "--json", now=NOW).stdout == before


def test_a_backup_never_replaces_a_file_or_writes_through_a_link(
    workspace: Workspace, tmp_path: Path
) -> None:
    import_leads(workspace, NOW, 1)
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n", encoding="utf-8")
    planted = tmp_path / "planted.db"
    planted.symlink_to(victim)

    for target in (victim, planted):
        result = run("db", "backup", "--to", str(target))
        assert result.exit_code == 1
        assert result.stderr == (
            f"error: {target} already exists; a backup never replaces a file: choose another name\n"
        )
    assert victim.read_text(encoding="utf-8") == "untouched\n" and planted.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["planted.db", "victim.txt", "ws"]


def test_a_backup_is_taken_while_another_run_writes(workspace: Workspace, tmp_path: Path) -> None:
    import_leads(workspace, NOW, 3)
    writer = sqlite3.connect(workspace.default_database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a send run in the middle of recording
    writer.execute("UPDATE lead SET notes = 'not committed yet'")
    try:
        result = run("db", "backup", "--to", str(tmp_path / "copy.db"))
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("SELECT count(*), max(notes) FROM lead").fetchone() == (3, "")


# -- a workspace this user cannot write -----------------------------------------------------------


def _without_root_override() -> Callable[[], None]:
    """For the child process: file modes apply to it as to any user. Root bypasses them through
    CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (and CAP_FOWNER for chmod), so those leave its
    bounding set before it runs leadchase."""

    def drop() -> None:
        if os.geteuid() != 0:
            return
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2, 3):  # DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER
            if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "cannot drop root's file-mode override")

    return drop


def _leadchase(workspace: Workspace, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "LEADCHASE_HOME": str(workspace.root),
        "LEADCHASE_NOW": SF_MORNING.isoformat(),
    }
    return subprocess.run(
        [sys.executable, "-m", "leadchase", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_without_root_override(),
    )


READING_TOO = (["db", "check"], ["inbox"], ["stats"], ["export", "leads"])


@pytest.mark.parametrize("locked", ["folder", "file"])
def test_reading_commands_work_on_a_read_only_workspace(workspace: Workspace, locked: str) -> None:
    import_leads(workspace, SF_MORNING, 3)
    run("today", now=SF_MORNING)  # a workspace that has been used: its cadences are on record
    path = _settled(workspace)
    before = path.read_bytes()
    path.chmod(0o400)
    if locked == "folder":
        workspace.root.chmod(0o500)
    try:
        today = _leadchase(workspace, "today")
        leads = _leadchase(workspace, "leads")
        show = _leadchase(workspace, "show", "1")
        others = [_leadchase(workspace, *args) for args in READING_TOO]
        log = _leadchase(workspace, "log", "1", "call")
    finally:
        workspace.root.chmod(0o700)
        path.chmod(0o600)

    for result in (today, leads, show, *others):
        assert result.returncode == 0, result.stderr
        assert result.stderr == "", result.args
    assert "Lead A0" in leads.stdout and "Lead A0" in show.stdout and "CALL" in today.stdout
    assert "lead0@example.com" in others[-1].stdout  # the export
    assert log.returncode == 3 and log.stdout == ""
    assert log.stderr == (
        f"error: the database {path} is read-only for you (its file or folder cannot be "
        "written) and this command writes: nothing was changed. Reading commands (today, "
        "leads, show...) work; to change it, fix the permissions or copy the workspace "
        "somewhere you can write\n"
    )
    assert path.read_bytes() == before


# -- a full disk ----------------------------------------------------------------------------------


def test_a_full_disk_during_a_send_is_one_line_and_the_next_run_settles_it(
    sending: Sending,
) -> None:
    """SQLite's max_page_count makes the database "full" at its present size, so the run's
    writes fail with SQLite's own SQLITE_FULL, as on a full disk, through the real stack."""
    import_leads(sending.workspace, SF_MORNING, 12)
    with sqlite3.connect(sending.workspace.default_database) as probe:
        (pages,) = probe.execute("PRAGMA page_count").fetchone()

    def no_room(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(Pool, "connect", no_room)
    try:
        result = run("send", now=SF_MORNING)
    finally:
        event.remove(Pool, "connect", no_room)

    assert result.exit_code == 3, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith(
        "error: the database could not be written (database or disk is full: the disk is full"
    )
    assert result.stderr.count("\n") == 1
    # Space again: the next runs settle what the full disk interrupted and send the rest, once.
    for minutes in (1, 4):
        sending.send(SF_MORNING + timedelta(minutes=minutes))
    for phone in PHONES[:12]:
        assert len(sending.texts_to(phone)) == 1, phone
    assert (
        len(sending.smtp.received) <= 12
    )  # an email the disk stopped being recorded is not resent
    assert query(sending.workspace, "SELECT count(*) FROM touch WHERE status = 'claimed'") == [(0,)]


def _file_size_limit(limit: int) -> Callable[[], None]:
    """For the child: writes past `limit` bytes fail (EFBIG), as writes on a full disk do."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("command", ["import", "export"])
def test_a_full_disk_in_import_and_export_is_one_line(
    workspace: Workspace, tmp_path: Path, command: str
) -> None:
    leads = import_leads(workspace, NOW, 30)
    size = workspace.default_database.stat().st_size
    if command == "import":
        rows = [f"Lead {n},+1415555{3000 + n},l{n}@example.com,CA" for n in range(3000)]
        big = tmp_path / "big.csv"
        big.write_text("name,phone,email,state\n" + "\n".join(rows) + "\n", encoding="utf-8")
        args, limit = ["import", str(big)], size + 50_000
    else:
        args, limit = ["export", "leads", "--out", str(tmp_path / "out.csv")], 2_000
    env = {**os.environ, "LEADCHASE_HOME": str(workspace.root), "LEADCHASE_NOW": NOW.isoformat()}

    done = subprocess.run(
        [sys.executable, "-m", "leadchase", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_file_size_limit(limit),
    )

    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert "free some space and run the command again" in done.stderr
    assert run("leads", "--json").exit_code == 0  # the database is whole
    assert not (tmp_path / "out.csv").exists() and leads.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []
