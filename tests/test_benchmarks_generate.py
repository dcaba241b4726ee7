"""The synthetic lead-file generator behind `make bench`: deterministic, realistic, messy on purpose."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from benchmarks.generate import (
    BAD_PHONES,
    DEFAULT_END,
    FACEBOOK_HEADER,
    STATE_NAMES,
    STATE_ZONES,
    VENDOR_HEADER,
    generate,
    main,
)

ROWS = 2_000


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, [dict(zip(header, row, strict=True)) for row in reader]


def _valid_phone(text: str) -> str | None:
    """The E.164 form of a US number as phonenumbers sees it, or None."""
    try:
        number = phonenumbers.parse(text.removeprefix("p:"), "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _valid_email(text: str) -> str | None:
    local, at, domain = text.strip().partition("@")
    return text.strip().lower() if at and local and "." in domain else None


@pytest.fixture(scope="module")
def vendor_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gen") / "leads.csv"
    generate(path, ROWS, seed=7)
    return path


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path, vendor_file: Path) -> None:
    again, other = tmp_path / "again.csv", tmp_path / "other.csv"
    generate(again, ROWS, seed=7)
    generate(other, ROWS, seed=8)

    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    assert digest(again) == digest(vendor_file)
    assert digest(other) != digest(vendor_file)


@pytest.mark.parametrize("rows", [0, 1, 137])
def test_writes_the_requested_number_of_rows(tmp_path: Path, rows: int) -> None:
    path = tmp_path / "leads.csv"
    stats = generate(path, rows)
    header, records = _read(path)
    assert header == VENDOR_HEADER
    assert len(records) == rows == stats.rows


def test_every_well_formed_phone_is_valid_for_phonenumbers(vendor_file: Path) -> None:
    _, records = _read(vendor_file)
    phones = [
        r[column]
        for r in records
        for column in ("CELL PHONE", "HOME PHONE")
        if r[column] and r[column] not in BAD_PHONES
    ]
    assert len(phones) > ROWS * 0.9
    assert [p for p in phones if _valid_phone(p) is None] == []
    # Vendors write the same number many ways; all of them show up.
    shapes = {p[0] if p[0] in "(+1" else "digit" for p in phones}
    assert shapes == {"(", "+", "1", "digit"}
    assert any("." in p for p in phones)


def test_includes_duplicates_by_phone_and_by_email_in_another_form(vendor_file: Path) -> None:
    _, records = _read(vendor_file)
    by_phone = Counter(p for r in records if (p := _valid_phone(r["CELL PHONE"])))
    by_email = Counter(e for r in records if (e := _valid_email(r["EMAIL ADDRESS"])))
    phone_dupes = [p for p, n in by_phone.items() if n > 1]
    email_dupes = [e for e, n in by_email.items() if n > 1]
    assert phone_dupes and email_dupes
    # A duplicate is written differently from its original at least some of the time.
    raw_phones = {r["CELL PHONE"] for r in records if _valid_phone(r["CELL PHONE"]) in phone_dupes}
    assert len(raw_phones) > len(phone_dupes)
    raw_emails = {r["EMAIL ADDRESS"] for r in records if _valid_email(r["EMAIL ADDRESS"])}
    assert len({e.lower() for e in raw_emails}) < len(raw_emails)
    extra_rows = sum(by_phone.values()) - len(by_phone) + sum(by_email.values()) - len(by_email)
    assert 0.03 * ROWS < extra_rows < 0.10 * ROWS


def test_includes_rows_with_no_usable_phone_or_email(vendor_file: Path) -> None:
    _, records = _read(vendor_file)
    unusable = [
        r
        for r in records
        if not any(_valid_phone(r[c]) for c in ("CELL PHONE", "HOME PHONE"))
        and not _valid_email(r["EMAIL ADDRESS"])
    ]
    assert 0.01 * ROWS < len(unusable) < 0.04 * ROWS


def test_looks_like_a_vendor_export(vendor_file: Path) -> None:
    _, records = _read(vendor_file)
    first_names = [r["FNAME"].strip() for r in records]
    assert any(n.isupper() for n in first_names)
    assert any(n.istitle() for n in first_names)
    dates = [r["DATE ADDED"] for r in records]
    assert all(d.endswith((" AM", " PM")) for d in dates)
    years = {d.split()[0].split("/")[2] for d in dates}
    assert years <= {"2024", "2025", "2026"} and len(years) >= 2
    assert {r["ST"] for r in records} >= {"FL", "TX", "Florida"}


def test_facebook_style_and_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "fb.csv"
    main([str(path), "--rows", "300", "--seed", "3", "--style", "facebook"])
    assert "300 rows" in capsys.readouterr().out
    header, records = _read(path)
    assert header == FACEBOOK_HEADER
    assert len(records) == 300
    phones = [r["phone_number"] for r in records if r["phone_number"].startswith("p:")]
    assert phones and all(_valid_phone(p) for p in phones)


def test_unknown_style_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="style 'excel'"):
        generate(tmp_path / "x.csv", 1, style="excel")


def _vendor_moments(records: list[dict[str, str]]) -> list[datetime]:
    """Each row's DATE ADDED as a moment, read in its state's zone the way the import reads it."""
    by_name = {name.lower(): code for code, name in STATE_NAMES.items()}
    moments = []
    for record in records:
        state = by_name.get(record["ST"].lower(), record["ST"].upper())
        wall = datetime.strptime(record["DATE ADDED"], "%m/%d/%Y %I:%M %p")
        moments.append(wall.replace(tzinfo=ZoneInfo(STATE_ZONES[state])))
    return moments


def test_fresh_leads_all_came_in_within_the_last_hour(tmp_path: Path) -> None:
    path = tmp_path / "fresh.csv"
    stats = generate(path, ROWS, seed=7, fresh=True)
    _, records = _read(path)
    moments = _vendor_moments(records)
    # Written to the minute, so the earliest reads as up to a minute over the hour.
    assert all(DEFAULT_END - timedelta(minutes=61) < m <= DEFAULT_END for m in moments)
    assert len(set(moments)) > 30
    # Only the dates change character: the mess is still there.
    assert stats.duplicates > 0 and stats.rejects > 0


def test_default_lead_dates_span_two_years_and_none_is_in_the_future(vendor_file: Path) -> None:
    _, records = _read(vendor_file)
    moments = _vendor_moments(records)
    assert max(moments) <= DEFAULT_END
    assert min(moments) < DEFAULT_END - timedelta(days=600)


def test_fresh_facebook_leads_and_the_fresh_option(tmp_path: Path) -> None:
    path = tmp_path / "fb.csv"
    main([str(path), "--rows", "200", "--style", "facebook", "--fresh"])
    _, records = _read(path)
    created = [datetime.strptime(r["created_time"], "%Y-%m-%dT%H:%M:%S%z") for r in records]
    assert all(DEFAULT_END - timedelta(hours=1) < c <= DEFAULT_END for c in created)
