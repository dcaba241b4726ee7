"""files.py: every file leadchase writes is private, whole, and never written through a link."""

from __future__ import annotations

import csv
import errno
import io
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadchase import files
from leadchase.cli import app
from leadchase.errors import ConfigError, LeadchaseError
from leadchase.files import (
    CsvWriter,
    move_private,
    open_private_append,
    private_file,
    write_private,
)
from leadchase.store.engine import create_private_file
from leadchase.workspace import Workspace
from tests.file_helpers import regular_private, untouched
from tests.file_helpers import victim as victim  # a fixture, used by name

runner = CliRunner()


@pytest.fixture
def tokens(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The temporary-name tokens files.py will draw, in order (so a test can plant a link)."""
    queue = ["planted", "fresh", "spare"]
    monkeypatch.setattr(files, "_token", lambda: queue.pop(0))
    yield queue


def test_links_planted_at_the_target_and_the_temporary_name_are_never_followed(
    tmp_path: Path, victim: Path, tokens: list[str]
) -> None:
    out = tmp_path / "out.csv"
    out.symlink_to(victim)
    planted = tmp_path / ".out.csv.planted.partial"
    planted.symlink_to(victim)
    with private_file(out) as handle:
        handle.write("id,name\n")
    assert untouched(victim)
    assert regular_private(out) and out.read_text(encoding="utf-8") == "id,name\n"
    assert planted.is_symlink()  # left as it was found, never opened
    assert tokens == ["spare"]  # the planted name was passed over for a fresh one
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".out.csv.planted.partial",
        "elsewhere",
        "out.csv",
    ]


def test_an_export_onto_a_planted_link_replaces_the_link(
    workspace: Workspace, tmp_path: Path, victim: Path, tokens: list[str]
) -> None:
    out = tmp_path / "out.csv"
    out.symlink_to(victim)
    (tmp_path / ".out.csv.planted.partial").symlink_to(victim)
    (tmp_path / ".out.csv.partial").symlink_to(victim)  # the name exports once wrote through
    result = runner.invoke(app, ["export", "leads", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert untouched(victim)
    assert regular_private(out)
    assert out.read_text(encoding="utf-8-sig").startswith("id,name,")


def test_a_failed_write_leaves_neither_target_nor_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("the earlier export", encoding="utf-8")
    with pytest.raises(RuntimeError), private_file(out) as handle:
        handle.write("half")
        raise RuntimeError("the database went away")
    assert out.read_text(encoding="utf-8") == "the earlier export"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_folder_as_target_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LeadchaseError, match="is a folder"), private_file(tmp_path):
        pass


def test_keep_existing_keeps_a_file_and_refuses_a_link(tmp_path: Path, victim: Path) -> None:
    settings = tmp_path / "leadchase.toml"
    assert write_private(settings, "first = 1\n", keep_existing=True)
    assert not write_private(settings, "second = 2\n", keep_existing=True)
    assert settings.read_text(encoding="utf-8") == "first = 1\n"
    assert regular_private(settings)
    dangling = tmp_path / "secret"
    dangling.symlink_to(tmp_path / "elsewhere" / "not-yet")
    assert not write_private(dangling, "key\n", keep_existing=True)
    assert not (tmp_path / "elsewhere" / "not-yet").exists()
    linked = tmp_path / "linked"
    linked.symlink_to(victim)
    assert not write_private(linked, "key\n", keep_existing=True)
    assert untouched(victim)


def test_write_private_replaces_whole_and_takes_bytes(tmp_path: Path, victim: Path) -> None:
    target = tmp_path / "template.j2"
    target.symlink_to(victim)
    assert write_private(target, b"Hi {{ first_name }}\r\n")
    assert target.read_bytes() == b"Hi {{ first_name }}\r\n"
    assert regular_private(target) and untouched(victim)


def test_csv_writer_neutralises_every_cell_headers_included() -> None:
    out = io.StringIO(newline="")
    writer = CsvWriter(out)
    writer.writerow(["line", '=HYPERLINK("http://evil","x")', "reason"])
    writer.writerow([7, "+1 305", None, "-2", "@SUM(1)", "\tx", "\rx", "plain"])
    header, row = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert header == ["line", '\'=HYPERLINK("http://evil","x")', "reason"]
    assert row == ["7", "'+1 305", "", "'-2", "'@SUM(1)", "'\tx", "'\rx", "plain"]


def test_an_append_file_is_private_and_refuses_a_link(tmp_path: Path, victim: Path) -> None:
    log = tmp_path / "daemon.log"
    log.write_text("earlier line\n", encoding="utf-8")
    log.chmod(0o644)
    with open_private_append(log) as handle:
        handle.write("next line\n")
    assert log.read_text(encoding="utf-8") == "earlier line\nnext line\n"
    assert regular_private(log)
    linked = tmp_path / "linked.log"
    linked.symlink_to(victim)
    with pytest.raises(OSError) as raised:
        open_private_append(linked)
    assert raised.value.errno == errno.ELOOP
    assert untouched(victim)


def test_a_move_never_replaces_and_leaves_the_file_private(tmp_path: Path) -> None:
    source, taken = tmp_path / "leads.csv", tmp_path / "processed.csv"
    source.write_text("lead file", encoding="utf-8")
    source.chmod(0o644)
    taken.write_text("an earlier file", encoding="utf-8")
    with pytest.raises(FileExistsError):
        move_private(source, taken)
    assert taken.read_text(encoding="utf-8") == "an earlier file" and source.exists()
    target = tmp_path / "free.csv"
    move_private(source, target)
    assert not source.exists() and target.read_text(encoding="utf-8") == "lead file"
    assert regular_private(target)


def test_a_moved_link_stays_a_link_and_its_target_keeps_its_mode(
    tmp_path: Path, victim: Path
) -> None:
    source = tmp_path / "leads.csv"
    source.symlink_to(victim)
    target = tmp_path / "moved.csv"
    move_private(source, target)
    assert target.is_symlink() and not os.path.lexists(source)
    assert untouched(victim)


def test_a_move_without_hard_links_is_a_rename_that_still_never_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_hard_links(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EPERM, "hard links not supported here")

    monkeypatch.setattr(os, "link", no_hard_links)
    source, taken = tmp_path / "leads.csv", tmp_path / "taken.csv"
    source.write_text("lead file", encoding="utf-8")
    taken.write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError):
        move_private(source, taken)
    assert taken.read_text(encoding="utf-8") == "keep me"
    move_private(source, tmp_path / "free.csv")
    assert (tmp_path / "free.csv").read_text(encoding="utf-8") == "lead file"
    assert not source.exists()


def test_the_database_file_is_created_private_and_never_through_a_link(tmp_path: Path) -> None:
    database = tmp_path / "leadchase.db"
    create_private_file(database)
    # Whole from the start: an empty database, never a 0-byte file another process opening it
    # at that moment would take for one that lost its leads.
    assert regular_private(database) and database.stat().st_size > 0
    assert database.read_bytes().startswith(b"SQLite format 3\x00")
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    dangling = tmp_path / "other.db"
    dangling.symlink_to(tmp_path / "elsewhere.db")
    with pytest.raises(ConfigError, match="link to a missing file"):
        create_private_file(dangling)
    assert not (tmp_path / "elsewhere.db").exists()
