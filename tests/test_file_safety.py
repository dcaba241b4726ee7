"""The files leadchase writes from lead data: never through a planted link, private, and safe to
open in a spreadsheet; the files it reads: regular files only."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from leadchase.workspace import Workspace
from tests.conftest import NOW, SF_MORNING, import_lead, run, run_json
from tests.file_helpers import regular_private, untouched
from tests.file_helpers import victim as victim  # a fixture, used by name

HYPERLINK = '=HYPERLINK("http://evil.example","x")'


def _lead_file(folder: Path) -> Path:
    lead_file = folder / "leads.csv"
    lead_file.write_text(
        f'name,phone,email,"{HYPERLINK.replace(chr(34), chr(34) * 2)}"\n'
        "Ann Lee,4155552671,ann@example.com,x\n"
        "=cmd|' /C calc'!A0,123,,y\n",
        encoding="utf-8",
    )
    return lead_file


def test_the_rejects_file_neutralises_the_vendor_header_and_every_cell(
    workspace: Workspace, tmp_path: Path
) -> None:
    summary = run_json("import", str(_lead_file(tmp_path)), now=SF_MORNING)
    rejects = Path(summary["rejects_file"])
    with rejects.open(encoding="utf-8-sig", newline="") as handle:
        header, row = list(csv.reader(handle))
    assert header == ["line", "name", "phone", "email", "'" + HYPERLINK, "reason"]
    assert row[:3] == ["3", "'=cmd|' /C calc'!A0", "123"]
    assert regular_private(rejects)


def test_the_rejects_file_is_never_written_through_a_planted_link(
    workspace: Workspace, tmp_path: Path, victim: Path
) -> None:
    lead_file = _lead_file(tmp_path)
    target = tmp_path / "leads.rejects.csv"
    target.symlink_to(victim)
    (tmp_path / ".leads.rejects.csv.partial").symlink_to(victim)
    summary = run_json("import", str(lead_file), now=SF_MORNING)
    assert summary["rejects_file"] == str(target)
    assert untouched(victim)
    assert regular_private(target)  # the link was replaced by the file, not written through


def test_the_calendar_file_is_never_written_through_a_planted_link(
    workspace: Workspace, tmp_path: Path, victim: Path
) -> None:
    import_lead(workspace, NOW)
    target = tmp_path / "calls.ics"
    target.symlink_to(victim)
    (tmp_path / ".calls.ics.partial").symlink_to(victim)
    result = run("agenda", "--ics", str(target), now=NOW)
    assert result.exit_code == 0, result.output
    assert untouched(victim)
    assert regular_private(target)
    assert target.read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")


@pytest.mark.parametrize("command", [("import",), ("dnc", "import")])
def test_a_named_pipe_is_refused_at_once(
    workspace: Workspace, tmp_path: Path, command: tuple[str, ...]
) -> None:
    fifo = tmp_path / "leads.csv"
    os.mkfifo(fifo)  # opening it to read would wait for a writer forever
    result = run(*command, str(fifo))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {fifo} is a named pipe, not a file; save what it holds to a file and import that"
    ]


def test_a_device_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    link = tmp_path / "zeros.csv"
    link.symlink_to("/dev/zero")  # endless: reading it would never finish
    result = run("import", str(link))
    assert result.exit_code == 1
    assert "is a device, not a file" in result.stderr


def test_the_calendar_file_holds_no_control_character_and_no_injected_line(
    workspace: Workspace, tmp_path: Path
) -> None:
    import_lead(workspace, NOW, name="Ann\x1b[2J Lee", source="Zillow\\nATTENDEE:evil;x")
    target = tmp_path / "calls.ics"
    result = run("agenda", "--ics", str(target), now=NOW)
    assert result.exit_code == 0, result.output
    content = target.read_text(encoding="utf-8")
    assert "\x1b" not in content and "SUMMARY:Call Ann[2J Lee +14155552671" in content
    unfolded = content.replace("\r\n ", "")
    assert not any(line.startswith("ATTENDEE") for line in unfolded.split("\r\n"))
    assert "Source: Zillow\\\\nATTENDEE:evil\\;x" in unfolded  # TEXT escaped, one property
