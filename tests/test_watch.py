"""The watch folder: settled lead files are imported and filed; half-copied and hidden ones wait."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import pytest

from leadchase.context import Context
from leadchase.watch import FileLook, free_name, scan_watch_folder, settled_files
from leadchase.workspace import Workspace
from tests.conftest import NOW, query

WALL = 1_800_000_000.0  # the filesystem clock the tests pretend it is
LEADS = (
    "first_name,last_name,phone,email,state,lead_date\n"
    "Ana,Lopez,(415) 555-2671,ana@example.com,CA,2026-03-02 06:55\n"
    "Ben,Carter,(919) 337-2604,ben@example.net,NC,2026-03-02 09:12\n"
    "No,Contact,,,TX,2026-03-02 09:30\n"
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    watched = tmp_path / "incoming"
    watched.mkdir()
    return watched


def _drop(folder: Path, name: str, content: str | bytes, age: float = 60.0) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    os.utime(path, (WALL - age, WALL - age))
    return path


def _lead_names(workspace: Workspace) -> list[str]:
    return [name for (name,) in query(workspace, "SELECT name FROM lead ORDER BY id")]


def test_a_dropped_file_is_imported_and_moved_with_its_rejects(
    context: Context, folder: Path, workspace: Workspace
) -> None:
    _drop(folder, "fb_leads.csv", LEADS)
    (result,) = scan_watch_folder(context, folder, NOW, wall_time=WALL)
    assert (result.file, result.outcome) == ("fb_leads.csv", "imported")
    assert (result.imported, result.rejected) == (2, 1)
    assert result.moved_to == folder / "processed" / "fb_leads.csv"
    assert result.moved_to.read_text(encoding="utf-8") == LEADS
    assert result.rejects_file == folder / "processed" / "fb_leads.rejects.csv"
    assert "no phone or email" in result.rejects_file.read_text(encoding="utf-8-sig")
    assert sorted(p.name for p in folder.iterdir()) == ["processed"]
    assert _lead_names(workspace) == ["Ana Lopez", "Ben Carter"]
    assert scan_watch_folder(context, folder, NOW, wall_time=WALL) == []


def test_a_second_file_with_the_same_name_gets_a_timestamp(context: Context, folder: Path) -> None:
    _drop(folder, "leads.tsv", LEADS.replace(",", "\t"))
    scan_watch_folder(context, folder, NOW, wall_time=WALL)
    # The same leads in a new export (one more column): read again, deduplicated.
    _drop(folder, "leads.tsv", LEADS.replace(",", "\t").replace("\n", "\tx\n"))
    (again,) = scan_watch_folder(context, folder, NOW, wall_time=WALL)
    assert again.moved_to.name == "leads-20260302T150000.tsv"
    assert again.imported == 0  # the same leads: deduplicated, not imported twice
    assert again.rejects_file == again.moved_to.with_name("leads-20260302T150000.rejects.csv")
    assert again.rejects_file.exists()


def test_a_malformed_file_goes_to_failed_with_its_error(
    context: Context, folder: Path, workspace: Workspace
) -> None:
    _drop(folder, "export.csv", b"PK\x03\x04 not really a workbook")
    _drop(folder, "good.csv", LEADS, age=30.0)
    failed, imported = scan_watch_folder(context, folder, NOW, wall_time=WALL)
    assert (failed.file, failed.outcome) == ("export.csv", "failed")
    assert failed.moved_to == folder / "failed" / "export.csv"
    assert failed.error is not None and "Excel workbook" in failed.error
    error_file = folder / "failed" / "export.csv.error.txt"
    assert error_file.read_text(encoding="utf-8") == failed.error + "\n"
    for private in (error_file, failed.moved_to, imported.moved_to):  # they hold lead data
        assert stat.S_IMODE(private.lstat().st_mode) == 0o600, private
    assert "\n" not in failed.error
    assert imported.outcome == "imported"  # one bad file does not stop the others
    assert _lead_names(workspace) == ["Ana Lopez", "Ben Carter"]


def _zip(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in members:
            archive.writestr(member, "<x/>")
    return buffer.getvalue()


XLSX = _zip("[Content_Types].xml", "xl/workbook.xml")
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("Leads Nov.xlsx", XLSX, "is an Excel workbook (.xlsx)"),
        ("leads.XLSM", XLSX, "is an Excel workbook (.xlsx)"),
        ("aged.xls", OLE2, "is an Excel 97-2003 workbook (.xls)"),
    ],
)
def test_a_workbook_goes_to_failed_with_how_to_convert_it(
    context: Context, folder: Path, name: str, content: bytes, kind: str
) -> None:
    _drop(folder, name, content)
    (failed,) = scan_watch_folder(context, folder, NOW, wall_time=WALL)
    assert (failed.file, failed.outcome) == (name, "failed")
    assert failed.moved_to == folder / "failed" / name
    error = (folder / "failed" / f"{name}.error.txt").read_text(encoding="utf-8")
    assert f"{kind}; open it in Excel and save it as CSV" in error
    assert not (folder / name).exists()


def test_hidden_partial_and_other_files_are_left_alone(context: Context, folder: Path) -> None:
    left_alone = [
        _drop(folder, ".fb_leads.csv", LEADS),
        _drop(folder, "~$fb_leads.csv", LEADS),
        _drop(folder, "copying.csv", LEADS, age=0.5),
        _drop(folder, "notes.pdf", LEADS),
        _drop(folder, "old.rejects.csv", LEADS),
        _drop(folder, "~$Leads Nov.xlsx", b"Excel's lock file"),
    ]
    assert scan_watch_folder(context, folder, NOW, wall_time=WALL) == []
    assert all(path.exists() for path in left_alone)
    assert not (folder / "processed").exists()


def test_a_file_still_growing_between_two_looks_waits(folder: Path) -> None:
    looks: dict[str, FileLook] = {}
    path = _drop(folder, "slow_download.csv", LEADS[:40])
    assert settled_files(folder, WALL, looks) == [path]  # first look: quiet for a minute
    _drop(folder, "slow_download.csv", LEADS, age=30.0)  # grew again after a stall
    assert settled_files(folder, WALL, looks) == []
    assert settled_files(folder, WALL, looks) == [path]  # unchanged since the last look


def test_files_are_taken_oldest_first(folder: Path) -> None:
    newer = _drop(folder, "a.csv", LEADS, age=10.0)
    older = _drop(folder, "b.txt", LEADS, age=20.0)
    assert settled_files(folder, WALL) == [older, newer]


def test_free_name_counts_up_when_the_timestamp_is_taken(tmp_path: Path) -> None:
    for name in ("x.csv", "x-20260302T150000.csv"):
        (tmp_path / name).touch()
    assert free_name(tmp_path, "x.csv", NOW) == tmp_path / "x-20260302T150000-2.csv"
    assert free_name(tmp_path, "y.csv", NOW) == tmp_path / "y.csv"
