"""What an import could not use from a row it kept is counted and shown, never dropped in silence.

A lead date the importer cannot read is left empty, and a name that is a spreadsheet formula or
mostly punctuation is kept off the messages; the summary, the dry run and --json say how many
rows that happened to, with a few of the values.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from leadchase.cli import app
from leadchase.workspace import Workspace

runner = CliRunner()
NOW = "2026-11-28T10:05:00-05:00"

ODD_DATES = (
    "name,phone,lead date\n"
    "Ann Lee,(415) 555-2671,yesterday\n"
    "Bob Ray,(415) 555-2672,11/27/2026 9:00 AM\n"
    "Cy Dunn,(415) 555-2673,[bold]TBD[/bold]\n"
    "Di Fox,(415) 555-2674,1/1/1900\n"
    "Ed Gil,(415) 555-2675,yesterday\n"
    "Fay Ho,(415) 555-2676,\n"
)
ODD_NAMES = (
    "name,phone\n"
    "\"=cmd|' /C calc'!A0\",(415) 555-2681\n"
    "@@@!!,(415) 555-2682\n"
    "Ann Lee,(415) 555-2683\n"
    "J. R. Ortiz,(415) 555-2684\n"
)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADCHASE_NOW", NOW)


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def _json(*args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["import", *args, "--json"])
    assert result.exit_code == 0, result.output
    document: dict = json.loads(result.stdout)  # type: ignore[type-arg]
    return document


def _query(workspace: Workspace, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    engine = create_engine(f"sqlite:///{workspace.default_database}")
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text(sql))]
    engine.dispose()
    return rows


def _first_text(lead_id: int) -> str:
    result = runner.invoke(
        app,
        ["template", "preview", "internet-lead/first-text", "--lead", str(lead_id), "--json"],
    )
    assert result.exit_code == 0, result.output
    body: str = json.loads(result.stdout)["messages"][0]["body"]
    return body


def test_unreadable_lead_dates_are_counted_with_samples(
    workspace: Workspace, tmp_path: Path
) -> None:
    summary = _json(str(_write(tmp_path, "dates.csv", ODD_DATES)))
    assert summary["imported"] == 6
    # An empty cell is no date given, not an unreadable one; 1900 is outside 2000-2099.
    assert summary["unreadable_lead_dates"] == 4
    assert summary["unreadable_lead_date_samples"] == ["yesterday", "[bold]TBD[/bold]", "1/1/1900"]
    dates = dict(_query(workspace, "SELECT name, lead_date FROM lead"))
    assert dates["Ann Lee"] is None and dates["Bob Ray"] is not None


def test_unreadable_dates_in_the_summary_and_the_dry_run(
    workspace: Workspace, tmp_path: Path
) -> None:
    lead_file = _write(tmp_path, "dates.csv", ODD_DATES)
    for args in (["--dry-run"], []):
        result = runner.invoke(app, ["import", str(lead_file), *args])
        assert result.exit_code == 0, result.output
        line = next(ln for ln in result.stdout.splitlines() if "lead dates not understood" in ln)
        assert line.replace("│", " ").split()[-1] == "4"
        # Shown as the vendor wrote them: markup in a cell is text, not formatting.
        assert "e.g. 'yesterday', '[bold]TBD[/bold]', '1/1/1900'" in result.stdout


def test_a_clean_file_shows_no_date_or_name_lines(workspace: Workspace, tmp_path: Path) -> None:
    lead_file = _write(
        tmp_path, "clean.csv", "name,phone,lead date\nAnn Lee,4155552671,11/27/2026\n"
    )
    result = runner.invoke(app, ["import", str(lead_file)])
    assert result.exit_code == 0, result.output
    assert "not understood" not in result.stdout and "not used in messages" not in result.stdout
    summary = _json(str(_write(tmp_path, "again.csv", "name,phone\nBo Ray,4155552672\n")))
    assert summary["unreadable_lead_dates"] == 0 and summary["unreadable_lead_date_samples"] == []
    assert summary["odd_names"] == 0 and summary["odd_name_samples"] == []


def test_formula_and_punctuation_names_are_flagged_and_kept_off_messages(
    workspace: Workspace, tmp_path: Path
) -> None:
    summary = _json(str(_write(tmp_path, "names.csv", ODD_NAMES)))
    assert summary["imported"] == 4
    assert summary["odd_names"] == 2
    assert summary["odd_name_samples"] == ["=cmd|' /C calc'!A0", "@@@!!"]
    rows = _query(workspace, "SELECT id, name, first_name, last_name FROM lead ORDER BY id")
    # The officer still sees what the vendor sent; the merge fields stay empty.
    assert [row[1:] for row in rows] == [
        ("=cmd|' /C calc'!A0", "", ""),
        ("@@@!!", "", ""),
        ("Ann Lee", "Ann", "Lee"),
        ("J. R. Ortiz", "J.", "R. Ortiz"),
    ]
    texts = [_first_text(row[0]) for row in rows]
    assert texts[0].startswith("Hi there,") and texts[1].startswith("Hi there,")
    assert texts[2].startswith("Hi Ann,")
    assert not any("cmd" in t or "@@@" in t for t in texts)


def test_odd_names_in_the_summary_and_the_dry_run(workspace: Workspace, tmp_path: Path) -> None:
    lead_file = _write(tmp_path, "names.csv", ODD_NAMES)
    for args in (["--dry-run"], []):
        result = runner.invoke(app, ["import", str(lead_file), *args])
        assert result.exit_code == 0, result.output
        line = next(ln for ln in result.stdout.splitlines() if "not used in messages" in ln)
        assert line.replace("│", " ").split()[-1] == "2"
        assert "e.g. \"=cmd|' /C calc'!A0\", '@@@!!'" in result.stdout


def test_only_the_part_that_is_not_a_name_is_kept_out(workspace: Workspace, tmp_path: Path) -> None:
    lead_file = _write(tmp_path, "parts.csv", "first,last,phone\nAnn,-,4155552671\n")
    summary = _json(str(lead_file))
    assert (summary["odd_names"], summary["odd_name_samples"]) == (1, ["Ann -"])
    assert _query(workspace, "SELECT name, first_name, last_name FROM lead") == [
        ("Ann -", "Ann", "")
    ]


def test_a_later_row_with_a_real_name_fills_the_merge_fields(
    workspace: Workspace, tmp_path: Path
) -> None:
    _json(str(_write(tmp_path, "one.csv", "name,phone\n@@@!!,4155552671\n")))
    _json(str(_write(tmp_path, "two.csv", "name,phone\nann lee,4155552671\n")))
    assert _query(workspace, "SELECT name, first_name, last_name FROM lead") == [
        ("Ann Lee", "Ann", "Lee")
    ]


def test_vendor_text_in_the_dry_run_is_shown_as_written(
    workspace: Workspace, tmp_path: Path
) -> None:
    lead_file = _write(tmp_path, "[b]odd.csv", "name,phone,[/b]notes\nAnn [/i] Lee,4155552671,x\n")
    result = runner.invoke(app, ["import", str(lead_file), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "[b]odd.csv" in result.stdout
    assert "[/b]notes" in result.stdout and "Ann [/i] Lee" in result.stdout


MIXED = (
    b"name,phone\n"
    + "José Núñez,(415) 555-2691\n".encode()
    + "José Ortiz,(415) 555-2692\n".encode("cp1252")
    + "Zoë Park,(415) 555-2693\n".encode()
    + "Renée Ray,(415) 555-2694\n".encode("cp1252")
)


def test_lines_in_another_encoding_are_read_as_it_and_counted(
    workspace: Workspace, tmp_path: Path
) -> None:
    """One UTF-8 row and one Windows-1252 row: José stays José, not JosÃ©, and it is said."""
    lead_file = tmp_path / "mixed.csv"
    lead_file.write_bytes(MIXED)
    summary = _json(str(lead_file), "--dry-run")
    assert summary["encoding"] == "utf-8"
    assert summary["fallback_encoding"] == "cp1252"
    assert summary["fallback_lines"] == 2 and summary["fallback_line_samples"] == [3, 5]
    for args in (["--dry-run"], []):
        result = runner.invoke(app, ["import", str(lead_file), *args])
        assert result.exit_code == 0, result.output
        line = next(ln for ln in result.stdout.splitlines() if "not UTF-8" in ln)
        assert "lines not UTF-8, read as cp1252" in line
        assert line.replace("│", " ").split()[-1] == "2"
        assert "e.g. lines 3, 5" in result.stdout
    names = sorted(name for (name,) in _query(workspace, "SELECT name FROM lead"))
    assert names == ["José Núñez", "José Ortiz", "Renée Ray", "Zoë Park"]


def test_an_all_utf8_file_reports_no_fallback(workspace: Workspace, tmp_path: Path) -> None:
    summary = _json(str(_write(tmp_path, "clean.csv", "name,phone\nJosé,4155552671\n")))
    assert summary["fallback_encoding"] is None and summary["fallback_lines"] == 0
    assert summary["fallback_line_samples"] == []
