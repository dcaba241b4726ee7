"""Loan details: read from a vendor's columns, set by hand with `set`, shown, given to templates."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from leadchase.context import open_workspace
from leadchase.importing.headers import map_headers
from leadchase.importing.pipeline import ImportOptions
from leadchase.importing.service import import_files
from leadchase.lead_fields import FieldValueError, birthday, clean, loan_term_years, note_rate
from leadchase.messaging.context import MessageContext, template_variables
from leadchase.messaging.details import lead_details
from leadchase.store import leads as lead_store
from leadchase.workspace import Workspace
from tests.conftest import NOW, SF_MORNING, import_lead, query, run, run_json


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Note Rate", "note_rate"),
        ("Current Rate", "note_rate"),
        ("INTEREST_RATE", "note_rate"),
        ("Closing Date", "closing_date"),
        ("Close Date", "closing_date"),
        ("Funded Date", "closing_date"),
        ("Birthday", "birthday"),
        ("DOB", "birthday"),
        ("Date of Birth", "birthday"),
        ("Co-Borrower", "co_borrower_name"),
        ("Loan Term", "loan_term_years"),
    ],
)
def test_header_synonyms_for_the_loan_details(header: str, field: str) -> None:
    mapping = map_headers(["Name", "Phone", header])
    assert mapping.describe()[2] == (header, field)


def test_cleaners_read_rates_terms_and_dates_as_people_write_them() -> None:
    assert note_rate("6.125") == 6.125
    assert note_rate(" 6.5 % ") == 6.5
    assert note_rate("0.0625") == 6.25  # a spreadsheet's fraction
    assert loan_term_years("15 Year Fixed") == 15
    assert loan_term_years("360") == 30  # months
    assert loan_term_years("180 months") == 15
    assert clean("closing_date", "3/5/2021") == date(2021, 3, 5)
    assert clean("closing_date", "March 5, 2021") == date(2021, 3, 5)
    assert clean("closing_date", "2021-03-05") == date(2021, 3, 5)
    today = date(2026, 3, 2)
    assert birthday("3/5/85", today) == date(1985, 3, 5)
    assert birthday("3/5/45", today) == date(1945, 3, 5)  # not 2045: nobody is born later
    assert clean("note_rate", "") is None
    assert clean("loan_term_years", " ") == 30
    for wrong in (
        lambda: note_rate("abc"),
        lambda: note_rate("65"),
        lambda: loan_term_years("7 months"),
        lambda: clean("closing_date", "soon"),
        lambda: birthday("2027-01-01", today),
    ):
        with pytest.raises(FieldValueError):
            wrong()


def test_import_reads_the_details_and_counts_the_ones_it_cannot(workspace: Workspace) -> None:
    lead_file = Path(workspace.root) / "past-clients.csv"
    lead_file.write_text(
        "Name,Phone,State,Note Rate,Close Date,DOB,Co-Borrower,Loan Term\n"
        "Ann Lee,4155552671,CA,7.25%,6/15/2023,3/5/85,bob   lee,15 yr\n"
        "Cy Moe,4155552672,CA,abc,someday,,,\n",
        encoding="utf-8",
    )
    with open_workspace(workspace.root) as context:
        (result,) = import_files(context, [lead_file], ImportOptions(), NOW)
    assert result.imported == 2 and result.rejected == 0
    assert result.unreadable_details == 2
    assert result.unreadable_detail_samples == ["note rate: abc", "closing date: someday"]
    rows = query(
        workspace,
        "SELECT note_rate, closing_date, birthday, co_borrower_name, loan_term_years "
        "FROM lead ORDER BY id",
    )
    assert rows == [
        (7.25, "2023-06-15", "1985-03-05", "bob lee", 15),
        (None, None, None, "", 30),
    ]
    # The unreadable cell is still there, in the vendor's row.
    shown = run_json("show", "4155552672", now=NOW)
    assert shown["lead"]["raw"]["Note Rate"] == "abc"


def test_set_writes_cleaned_values_and_puts_the_change_on_the_timeline(
    workspace: Workspace,
) -> None:
    lead = import_lead(workspace, SF_MORNING)
    later = SF_MORNING + timedelta(hours=1)
    result = run(
        "set", str(lead), "note_rate=6.875%", "Closing-Date=6/15/2023", "birthday=3/5/85",
        "co_borrower_name=Bob Lee", "loan_term_years=15 years", now=later,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "note rate is now 6.875%" in result.output
    assert "closing date is now 2023-06-15" in result.output
    with open_workspace(workspace.root) as context, context.database.reading() as connection:
        stored = lead_store.get(connection, lead)
    assert stored is not None
    assert (stored.note_rate, stored.closing_date, stored.birthday) == (
        6.875,
        date(2023, 6, 15),
        date(1985, 3, 5),
    )
    assert (stored.co_borrower_name, stored.loan_term_years) == ("Bob Lee", 15)
    document = run_json("show", str(lead), now=later)
    details = [e["text"] for e in document["timeline"] if e["text"].startswith("details:")]
    assert details == [
        "details: note rate 6.875% (was (empty)); closing date 2023-06-15 (was (empty)); "
        "birthday 1985-03-05 (was (empty)); co borrower name Bob Lee (was (empty)); "
        "loan term years 15 (was 30)"
    ]
    shown = run("show", str(lead), now=later)
    assert "Note rate" in shown.output and "6.875%" in shown.output
    assert "Co-borrower" in shown.output and "15 years" in shown.output
    # The same value again changes nothing and adds no line.
    again = run("set", str(lead), "note_rate=6.875", now=later)
    assert "nothing changed" in again.output
    # An empty value clears the field.
    assert run("set", str(lead), "note_rate=", now=later).exit_code == 0
    assert query(workspace, "SELECT note_rate FROM lead") == [(None,)]


def test_set_refuses_unknown_fields_and_bad_values_and_changes_nothing(
    workspace: Workspace,
) -> None:
    lead = import_lead(workspace, SF_MORNING)
    typo = run("set", str(lead), "note_rte=6.5", now=SF_MORNING)
    assert typo.exit_code == 1
    assert "unknown field 'note_rte'; did you mean note_rate?" in typo.output
    bad = run("set", str(lead), "birthday=1985-03-05", "note_rate=lots", now=SF_MORNING)
    assert bad.exit_code == 1 and "note_rate: 'lots' is not a rate" in bad.output
    shape = run("set", str(lead), "6.5", now=SF_MORNING)
    assert shape.exit_code == 1 and "is not field=value" in shape.output
    assert query(workspace, "SELECT note_rate, birthday FROM lead") == [(None, None)]


def test_templates_see_the_details_with_fallbacks(workspace: Workspace) -> None:
    lead = import_lead(workspace, SF_MORNING)
    with open_workspace(workspace.root) as context:
        officer = context.settings.officer
        with context.database.reading() as connection:
            bare = lead_store.get(connection, lead)
    assert bare is not None
    empty = template_variables(MessageContext(lead_details(bare), officer), "generic")["lead"]
    assert (empty["note_rate"], empty["closing_date"]) == ("your current rate", "your closing")
    assert empty["given"]["note_rate"] == "" and empty["loan_term_years"] == "30"
    run("set", str(lead), "note_rate=7.25", "closing_date=2023-06-15", "birthday=1985-03-05",
        "co_borrower_name=Bob Lee", now=SF_MORNING)  # fmt: skip
    with open_workspace(workspace.root) as context, context.database.reading() as connection:
        full = lead_store.get(connection, lead)
    assert full is not None
    seen = template_variables(MessageContext(lead_details(full), officer), "generic")["lead"]
    assert seen["note_rate"] == "7.25%"
    assert (seen["closing_date"], seen["closing_year"]) == ("June 15, 2023", "2023")
    assert seen["birthday"] == "March 5"  # never the year
    assert seen["co_borrower_first_name"] == "Bob"
