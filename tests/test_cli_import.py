"""`leadchase import` end to end on real files and a real SQLite database."""

from __future__ import annotations

import csv
import json
import shutil
import stat
from pathlib import Path

import pytest

from leadchase.workspace import Workspace
from tests.conftest import SAMPLES, query, run

# Storage-heavy: run on SQLite and on PostgreSQL (tests/conftest.py, backend).
pytestmark = pytest.mark.both_backends

NOW = "2026-11-28T10:05:00-05:00"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADCHASE_NOW", NOW)


def _import(*args: str) -> dict:  # type: ignore[type-arg]
    result = run("import", *args, "--json")
    assert result.exit_code == 0, result.output
    document: dict = json.loads(result.stdout)  # type: ignore[type-arg]
    return document


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(SAMPLES / name, target)
    return target


def test_facebook_utf16_export(workspace: Workspace, tmp_path: Path) -> None:
    summary = _import(str(_copy(tmp_path, "facebook_leads.tsv")))
    assert summary["encoding"].startswith("utf-16")
    assert summary["delimiter"] == "\t"
    assert summary["rows"] == 12
    assert summary["merged"] == 1  # Marisol Quintero twice
    assert summary["rejected"] == 1  # Kevin Oduya: no phone, no email
    assert summary["imported"] == 10
    assert summary["email_only"] >= 1  # Priya: invalid phone, good email
    (name, phone, state, zone, source) = query(
        workspace,
        "SELECT name, phone, state, timezone, source FROM lead WHERE email = 'marisol.quintero@example.com'",
    )[0]
    assert (name, phone, state, zone) == (
        "Marisol Quintero",
        "+13058142291",
        "FL",
        "America/New_York",
    )
    assert source == "Home Equity Calculator"
    shouted = query(workspace, "SELECT name FROM lead WHERE email = 'dholloway77@example.net'")
    assert shouted == [("Derrick Holloway",)]
    accented = query(
        workspace, "SELECT first_name, last_name FROM lead WHERE email = 'jose.ramirez@example.com'"
    )
    assert accented == [("José", "Ramírez")]


def test_excel_cp1252_vendor_list(workspace: Workspace, tmp_path: Path) -> None:
    summary = _import(str(_copy(tmp_path, "aged_leads_excel.csv")))
    assert summary["encoding"] in ("cp1252", "latin-1")
    assert summary["rejected"] >= 1
    rows = query(
        workspace,
        "SELECT last_name, zip, state, phone, phone_label, other_phones FROM lead WHERE last_name LIKE 'O%Brien'",
    )
    assert rows, "O’Brien was not imported"
    last_name, zip5, state, phone, label, _others = rows[0]
    assert last_name == "O’Brien"  # the curly apostrophe survived Windows-1252
    assert zip5 == "07030"  # Excel dropped the leading zero; we put it back
    assert state == "NJ"
    assert phone == "+12017924418" and label == "cell"
    two_phones = query(
        workspace, "SELECT phone, other_phones FROM lead WHERE last_name = 'Marchetti'"
    )
    assert two_phones[0][0] == "+15087623391"  # the CELL PHONE column is the textable one
    assert json.loads(two_phones[0][1])[0]["number"] == "+15088532207"


def test_rejects_file_keeps_every_rejected_row_with_a_reason(
    workspace: Workspace, tmp_path: Path
) -> None:
    lead_file = _copy(tmp_path, "aged_leads_excel.csv")
    summary = _import(str(lead_file))
    rejects = Path(summary["rejects_file"])
    assert rejects == tmp_path / "aged_leads_excel.rejects.csv"
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    with rejects.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == summary["rejected"]
    assert all(row["reason"] for row in rows)
    assert all(row["line"].isdigit() for row in rows)
    assert sum(summary["rejected_reasons"].values()) == summary["rejected"]


def test_every_reject_reason(workspace: Workspace, tmp_path: Path) -> None:
    lead_file = tmp_path / "mixed.csv"
    lead_file.write_text(
        "name,phone,email\n"
        "Good Lead,(415) 555-2671,good@example.com\n"
        "No Contact,,\n"
        "Bad Phone,123,\n"
        "Bad Email,,not-an-email\n"
        "Bad Both,999,nope@\n"
        "Ragged Row,(415) 555-2672,x@example.com,extra\n"
        "Email Only,12,ok@example.com\n"
        "Phone Only,(415) 555-2673,broken@\n",
        encoding="utf-8",
    )
    summary = _import(str(lead_file))
    assert summary["imported"] == 3
    assert summary["rejected_reasons"] == {
        "invalid email and no phone": 1,
        "invalid phone and invalid email": 1,
        "invalid phone and no email": 1,
        "more fields than the header": 1,
        "no phone or email": 1,
    }
    assert summary["email_only"] == 1 and summary["phone_only"] == 1


def test_dedupe_across_files_and_idempotent_reimport(workspace: Workspace, tmp_path: Path) -> None:
    facebook = _copy(tmp_path, "facebook_leads.tsv")
    website = _copy(tmp_path, "website_leads.csv")
    _import(str(facebook))
    first = _import(str(website))
    assert first["merged"] >= 1  # Angela Fitzgerald was in the Facebook file
    sources = query(workspace, "SELECT sources FROM lead WHERE phone = '+19193372604'")
    assert set(json.loads(sources[0][0])) == {"Home Equity Calculator", "website"}
    count = query(workspace, "SELECT count(*) FROM lead")[0][0]
    again = _import(str(website))  # the same bytes: recognised at once, nothing read
    assert again["skipped"] is True and again["already_imported_batch"] is not None
    assert (again["imported"], again["merged"], again["rows"]) == (0, 0, first["rows"])
    forced = _import(str(website), "--force")  # read again: every row merges into its lead
    assert forced["skipped"] is False and forced["imported"] == 0
    assert forced["merged"] == first["imported"] + first["merged"]
    assert query(workspace, "SELECT count(*) FROM lead")[0][0] == count


def test_merge_fills_empty_fields_and_keeps_earliest_date(
    workspace: Workspace, tmp_path: Path
) -> None:
    one = tmp_path / "one.csv"
    one.write_text("name,phone,lead_date\nAnn Lee,415-555-2671,2026-11-20 10:00\n")
    two = tmp_path / "two.csv"
    two.write_text(
        "name,phone,email,city,lead_date\nAnn Lee,(415) 555 2671,ANN@Example.com,Oakland,2026-11-10 09:00\n"
    )
    _import(str(one), "--source", "Zillow")
    summary = _import(str(two), "--source", "Bankrate")
    assert summary["merged"] == 1 and summary["imported"] == 0
    ((email, city, lead_date, sources),) = query(
        workspace, "SELECT email, city, lead_date, sources FROM lead"
    )
    assert email == "ann@example.com" and city == "Oakland"
    assert lead_date.startswith("2026-11-10")
    assert json.loads(sources) == ["Zillow", "Bankrate"]


def test_dry_run_shows_mapping_and_changes_nothing(workspace: Workspace, tmp_path: Path) -> None:
    lead_file = _copy(tmp_path, "aged_leads_excel.csv")
    result = run("import", str(lead_file), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "CELL PHONE" in result.output and "cell_phone" in result.output
    assert "Sample rows" in result.output
    assert query(workspace, "SELECT count(*) FROM lead")[0][0] == 0
    assert not (tmp_path / "aged_leads_excel.rejects.csv").exists()


def test_map_option_overrides_synonyms(workspace: Workspace, tmp_path: Path) -> None:
    lead_file = tmp_path / "odd.csv"
    lead_file.write_text("Who,Digits,Best Time\nAnn Lee,4155552671,evenings\n")
    summary = _import(
        str(lead_file),
        "--map",
        "Who=full_name",
        "--map",
        "Digits=cell_phone",
        "--map",
        "Best Time=notes",
    )
    assert summary["imported"] == 1
    assert query(workspace, "SELECT name, phone, notes FROM lead") == [
        ("Ann Lee", "+14155552671", "evenings")
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00[Content_Types].xml xl/workbook.xml", "xlsx"),
        (b"name,phone\n", "no lead rows"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "is a pdf, not a lead list; export the leads as csv"),
        (b'{"leads": [{"name": "Ann Lee", "phone": "4155552671"}]}', "is json, not a lead list"),
        (b"<!doctype html>\n<html><table><tr><td>Ann</td></tr></table>", "is a web page (html)"),
    ],
)
def test_malformed_files_get_one_line_errors(
    workspace: Workspace, tmp_path: Path, content: bytes, message: str
) -> None:
    lead_file = tmp_path / "bad.csv"
    lead_file.write_bytes(content)
    result = run("import", str(lead_file))
    assert result.exit_code == 1
    assert message in result.output.lower()
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) <= 2


def test_missing_file_and_file_without_contact_columns(
    workspace: Workspace, tmp_path: Path
) -> None:
    result = run("import", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1 and "nope.csv" in result.output
    no_contact = tmp_path / "names.csv"
    no_contact.write_text("first,last\nAnn,Lee\n")
    result = run("import", str(no_contact))
    assert result.exit_code == 1 and "--map" in result.output


def test_failed_file_leaves_no_half_written_batch(workspace: Workspace, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("name,phone\nAnn Lee,4155552671\n")
    broken = tmp_path / "broken.csv"
    # 2,500 good rows (more than one insert batch) and then a quote that is never closed.
    good_rows = "".join(f"Lead {n},415{5550000 + n}\n" for n in range(2_500))
    broken.write_text(f'name,phone\n{good_rows}"Unclosed,4155552673\nCara Diaz,4155552674\n')
    result = run("import", str(good), str(broken))
    assert result.exit_code == 1
    # The good file committed on its own; nothing of the broken one is in the database.
    assert query(workspace, "SELECT name FROM lead") == [("Ann Lee",)]
    assert query(workspace, "SELECT count(*) FROM import_batch")[0][0] == 1


def test_new_leads_start_their_cadence(workspace: Workspace, tmp_path: Path) -> None:
    lead_file = tmp_path / "fresh.csv"
    # 10:03 in Miami: inside the window, so the first text is due the minute the lead arrived.
    lead_file.write_text(
        "name,phone,email,state,lead_date\nAnn Lee,3058142291,ann@example.com,FL,2026-11-28T15:03:00+00:00\n"
    )
    _import(str(lead_file))
    ((cadence, started),) = query(workspace, "SELECT cadence, cadence_started_at FROM lead")
    assert cadence == "internet-lead"
    assert started.startswith("2026-11-28 15:03")
    touches = query(
        workspace, "SELECT channel, step_key, due_at, automated FROM touch ORDER BY channel"
    )
    assert [t[0] for t in touches] == ["call", "email", "text"]
    text_touch = touches[2]
    assert text_touch[1] == "d1-text-1" and text_touch[3] == 1
    # Speed to lead: due the moment the lead reached you (imported two minutes after it came).
    assert text_touch[2].startswith("2026-11-28 15:05")


def test_aged_leads_start_now_on_the_aged_cadence(workspace: Workspace, tmp_path: Path) -> None:
    lead_file = tmp_path / "old.csv"
    lead_file.write_text("name,phone,state,lead_date\nAnn Lee,4155552671,CA,3/14/2025 9:05 AM\n")
    _import(str(lead_file))
    ((cadence, started),) = query(workspace, "SELECT cadence, cadence_started_at FROM lead")
    assert cadence == "aged-lead"
    assert started.startswith("2026-11-28 15:05")


def test_cadence_option_and_unknown_cadence(workspace: Workspace, tmp_path: Path) -> None:
    lead_file = tmp_path / "fresh.csv"
    lead_file.write_text("name,phone\nAnn Lee,4155552671\n")
    result = run("import", str(lead_file), "--cadence", "nope")
    assert result.exit_code == 1 and "no cadence named 'nope'" in result.output
    _import(str(lead_file), "--cadence", "nurture")
    assert query(workspace, "SELECT cadence FROM lead") == [("nurture",)]


def test_first_text_waits_for_the_contact_window(workspace: Workspace, tmp_path: Path) -> None:
    lead_file = tmp_path / "early.csv"
    # 07:03 in San Francisco: before the 09:00 window, so the first text waits until 09:00 local.
    lead_file.write_text(
        "name,phone,state,lead_date\nAnn Lee,4155552671,CA,2026-11-28T15:03:00+00:00\n"
    )
    _import(str(lead_file))
    ((due,),) = query(workspace, "SELECT due_at FROM touch WHERE channel = 'text'")
    assert due.startswith("2026-11-28 17:00")


def test_source_map_in_settings_picks_the_cadence(workspace: Workspace, tmp_path: Path) -> None:
    settings = workspace.settings_file.read_text()
    settings = settings.replace(
        "[cadence.by_source]\n",
        '[cadence.by_source]\n"Old Vendor" = "internet-lead"\n"Drip List" = "nurture"\n',
    )
    workspace.settings_file.write_text(settings)
    lead_file = tmp_path / "mixed.csv"
    lead_file.write_text(
        "name,phone,lead_date,vendor\n"
        "Ann Lee,4155552671,3/14/2025 9:05 AM,old vendor\n"  # aged, but mapped to the default cadence
        "Bob Ray,4155552672,11/28/2026 9:00 AM,Drip List\n"
    )
    _import(str(lead_file))
    assert query(workspace, "SELECT name, cadence FROM lead ORDER BY id") == [
        ("Ann Lee", "internet-lead"),
        ("Bob Ray", "nurture"),
    ]


def test_a_clean_import_removes_an_old_rejects_file(workspace: Workspace, tmp_path: Path) -> None:
    lead_file = tmp_path / "leads.csv"
    lead_file.write_text("name,phone\nAnn Lee,4155552671\nNo Contact,\n")
    first = _import(str(lead_file))
    assert Path(first["rejects_file"]).exists()
    lead_file.write_text("name,phone\nAnn Lee,4155552671\n")
    second = _import(str(lead_file))
    assert second["rejects_file"] is None
    assert not Path(first["rejects_file"]).exists()


def test_rejects_file_cells_and_headers_cannot_run_as_formulas(
    workspace: Workspace, tmp_path: Path
) -> None:
    lead_file = tmp_path / "evil.csv"
    lead_file.write_text(
        'name,phone,"=HYPERLINK(""http://evil"",""x"")"\nAnn Lee,4155552671,ok\n=1+1,,@SUM(1)\n',
        encoding="utf-8",
    )
    rejects = Path(_import(str(lead_file))["rejects_file"])
    with rejects.open(encoding="utf-8-sig", newline="") as handle:
        header, row = list(csv.reader(handle))
    assert header == ["line", "name", "phone", '\'=HYPERLINK("http://evil","x")', "reason"]
    assert row == ["3", "'=1+1", "", "'@SUM(1)", "no phone or email"]


def test_two_email_columns_use_the_first_that_is_not_empty(
    workspace: Workspace, tmp_path: Path
) -> None:
    lead_file = tmp_path / "twice.csv"
    lead_file.write_text(
        "name,email,city,email\n"
        "Ann Lee,,Austin,ann@example.com\n"
        "Bob Ray,bob@example.com,Waco,bob.other@example.com\n"
        "Cy Dunn,,Dallas,\n",
        encoding="utf-8",
    )
    dry = run("import", str(lead_file), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "email (when 'email' is empty)" in dry.stdout
    summary = _import(str(lead_file))
    assert (summary["imported"], summary["rejected"]) == (2, 1)
    assert sorted(query(workspace, "SELECT name, email FROM lead")) == [
        ("Ann Lee", "ann@example.com"),
        ("Bob Ray", "bob@example.com"),
    ]
