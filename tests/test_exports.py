"""`leadchase export`: CSV a spreadsheet cannot be tricked by, JSON as stored, private whole files."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import Generator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from leadchase.context import open_workspace
from leadchase.exports import COLUMNS, write_csv, write_json
from leadchase.importing.pipeline import ImportOptions
from leadchase.importing.service import import_files
from leadchase.lead_work import log_touch
from leadchase.workspace import Workspace
from tests.conftest import SF_MORNING as NOW
from tests.conftest import run

# Storage-heavy: run on SQLite and on PostgreSQL (tests/conftest.py, backend).
pytestmark = pytest.mark.both_backends


@pytest.fixture
def tricky(workspace: Workspace) -> Workspace:
    """A lead whose vendor cells are formulas, and two calls whose notes start with tab and CR."""
    lead_file = workspace.root / "tricky.csv"
    lead_file.write_text(
        "name,phone,email,city,loan_purpose,notes,source\n"
        'José Núñez,4155552671,jose@example.com,"=HYPERLINK(""http://evil"",""x"")",-2+3,'
        "+cmd|' /C calc'!A0,@SUM(1+1)\n",
        encoding="utf-8",
    )
    with open_workspace(workspace.root) as context:
        import_files(context, [lead_file], ImportOptions(), NOW)
        log_touch(context, "1", "call", "talked", "\t=1+1", NOW + timedelta(minutes=5))
        log_touch(context, "1", "call", None, "\r@evil", NOW + timedelta(minutes=9))
    return workspace


def _export(*args: str) -> Any:
    result = run("export", *args)
    assert result.exit_code == 0, result.output
    return result


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_cells_that_would_run_as_formulas_get_an_apostrophe(tricky: Workspace) -> None:
    (lead,) = _csv_rows(_export("leads").stdout)
    assert list(lead) == list(COLUMNS["leads"])
    assert lead["city"] == '\'=HYPERLINK("http://evil","x")'
    assert lead["loan_purpose"] == "'-2+3"
    assert lead["notes"] == "'+cmd|' /C calc'!A0"
    assert lead["source"] == "'@SUM(1+1)"
    assert lead["phone"] == "'+14155552671"  # a leading + is a formula to Excel too
    assert lead["name"] == "José Núñez" and lead["email"] == "jose@example.com"
    assert lead["attempts"] == "2" and lead["text_ok"] == "true" and lead["replied_at"] == ""
    assert lead["imported_at"] == NOW.isoformat()
    calls = [t for t in _csv_rows(_export("touches").stdout) if t["status"] == "done"]
    assert [t["note"] for t in calls] == ["'\t=1+1", "'\r@evil"]
    assert {t["lead_name"] for t in calls} == {"José Núñez"}


def test_json_keeps_every_value_as_stored(tricky: Workspace) -> None:
    (lead,) = json.loads(_export("leads", "--format", "json").stdout)
    assert list(lead) == list(COLUMNS["leads"])
    assert lead["city"] == '=HYPERLINK("http://evil","x")' and lead["phone"] == "+14155552671"
    assert lead["attempts"] == 2 and lead["text_ok"] is True and lead["sources"] == ["@SUM(1+1)"]
    assert lead["contacted_at"] == (NOW + timedelta(minutes=5)).isoformat()
    touches = json.loads(_export("touches", "--format", "json").stdout)
    assert [t["note"] for t in touches if t["status"] == "done"] == ["\t=1+1", "\r@evil"]
    assert all(list(t) == list(COLUMNS["touches"]) for t in touches)
    assert json.loads(_export("messages", "--format", "json").stdout) == []
    assert _export("messages").stdout.strip() == ",".join(COLUMNS["messages"])


def test_a_file_is_private_whole_and_readable_by_excel(tricky: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "leads.csv"
    target.write_text("an older export")
    target.chmod(0o644)
    result = _export("leads", "--out", str(target))
    assert result.stdout == "" and f"Wrote 1 row (leads) to {target}." in result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark, so Excel reads "José" right
    (lead,) = _csv_rows(raw.decode("utf-8-sig"))
    assert lead["name"] == "José Núñez"
    assert [p.name for p in folder.iterdir()] == ["leads.csv"]  # no partial file left behind
    as_json = folder / "touches.json"
    _export("touches", "--format", "json", "-o", str(as_json))
    assert stat.S_IMODE(as_json.stat().st_mode) == 0o600
    assert len(json.loads(as_json.read_text(encoding="utf-8"))) >= 2


def test_a_missing_folder_is_one_line(tricky: Workspace, tmp_path: Path) -> None:
    result = run("export", "leads", "--out", str(tmp_path / "nope" / "x.csv"))
    assert result.exit_code == 1
    assert "does not exist" in result.stderr and "Traceback" not in result.output
    folder = run("export", "leads", "--out", str(tmp_path))
    assert folder.exit_code == 1 and "is a folder" in folder.stderr


def _watched_rows(out: io.StringIO, count: int) -> Iterator[dict[str, Any]]:
    """Rows that check, before each next one is made, that the previous one is already out."""
    for n in range(count):
        if n:
            assert f"row-{n - 1}" in out.getvalue(), "rows were held back instead of streamed"
        yield {"id": n, "name": f"row-{n}"}


@pytest.mark.parametrize("writer", [write_csv, write_json])
def test_rows_are_written_as_they_come(writer: Any) -> None:
    out = io.StringIO()
    # The csv module writes through at once; the JSON writer writes each object as it goes.
    assert writer(_watched_rows(out, 50), ("id", "name"), out) == 50
    assert out.getvalue().count("row-") == 50


def test_the_database_is_read_in_batches(tricky: Workspace) -> None:
    from leadchase.store import reports

    with open_workspace(tricky.root) as context, context.database.reading() as connection:
        rows = reports.export_rows(connection, "touches", COLUMNS["touches"])
        assert isinstance(rows, Generator)  # a cursor walked in batches, not a list
        first = next(rows)
        assert first["lead_name"] == "José Núñez"
        rows.close()  # stopping early lets go of the cursor


def test_empty_exports_are_still_valid() -> None:
    out = io.StringIO()
    assert write_json(iter(()), ("id",), out) == 0 and json.loads(out.getvalue()) == []


def test_umask_cannot_widen_the_file(tricky: Workspace, tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        target = tmp_path / "open.csv"
        _export("leads", "--out", str(target))
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_each_source_in_the_sources_column_is_neutralised(tricky: Workspace) -> None:
    """A list is one cell, "a; b": a CRM that splits it must not get a formula either."""
    (lead,) = _csv_rows(_export("leads").stdout)
    assert lead["sources"] == "'@SUM(1+1)"
    again = tricky.root / "again.csv"
    again.write_text(
        "name,phone,email,source\nJosé Núñez,4155552671,jose@example.com,=1+1\n",
        encoding="utf-8",
    )
    with open_workspace(tricky.root) as context:
        import_files(context, [again], ImportOptions(), NOW)
    (lead,) = _csv_rows(_export("leads").stdout)
    assert lead["sources"] == "'@SUM(1+1); '=1+1"


def test_raw_phones_keeps_e164_numbers_whole_and_nothing_else(tricky: Workspace) -> None:
    (lead,) = _csv_rows(_export("leads", "--raw-phones").stdout)
    assert lead["phone"] == "+14155552671"  # what a CRM import wants
    assert lead["notes"] == "'+cmd|' /C calc'!A0"  # not a phone column: still neutralised
    assert lead["source"] == "'@SUM(1+1)"
    (plain,) = _csv_rows(_export("leads").stdout)
    assert plain["phone"] == "'+14155552671"  # the default stays safe for a spreadsheet


def test_raw_phones_neutralises_a_phone_column_cell_that_is_not_a_phone() -> None:
    out = io.StringIO(newline="")
    rows = [
        {"to_address": "+14155552671", "from_address": "+1 415 555 2671", "body": "+1"},
        {"to_address": "+1=1+1", "from_address": "+cmd|' /C calc'!A0", "body": "-2"},
        {"to_address": "ann@example.com", "from_address": "=1", "body": ""},
    ]
    write_csv(rows, ("to_address", "from_address", "body"), out, raw_phones=True)
    written = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert written[1:] == [
        ["+14155552671", "'+1 415 555 2671", "'+1"],
        ["'+1=1+1", "'+cmd|' /C calc'!A0", "'-2"],
        ["ann@example.com", "'=1", ""],
    ]


def test_every_csv_the_project_writes_goes_through_the_one_neutraliser() -> None:
    """Only files.py makes a csv writer; exports and the rejects file use its CsvWriter."""
    source = Path(__file__).resolve().parents[1] / "src" / "leadchase"
    makers = [
        path.relative_to(source).as_posix()
        for path in source.rglob("*.py")
        if any(
            call in path.read_text(encoding="utf-8")
            for call in ("csv.writer(", "csv.DictWriter(", "writer(")
        )
    ]
    assert makers == ["files.py"]
