"""Mapping vendor headers onto lead fields: synonyms, phone order, conflicts, --map overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadchase.errors import LeadchaseError
from leadchase.importing.headers import (
    LEAD_FIELDS,
    RAW_ONLY,
    HeaderMap,
    PhoneColumn,
    map_headers,
    normalise_header,
)
from leadchase.importing.reader import open_rows, sniff

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def field_of(header: str) -> str:
    """The field one vendor header maps to, next to an email column so the file is usable."""
    return map_headers([header, "Email"]).describe()[0][1]


def test_case_and_punctuation_do_not_matter() -> None:
    spellings = ["Full Name", "full_name", "FULLNAME", "Full-Name", " full.name "]
    assert {normalise_header(s) for s in spellings} == {"fullname"}
    assert {field_of(s) for s in spellings} == {"full_name"}


@pytest.mark.parametrize(
    ("field", "headers"),
    [
        ("full_name", ["full_name", "Name", "Contact Name"]),
        ("first_name", ["first_name", "FNAME", "First", "Given Name"]),
        ("last_name", ["last_name", "LNAME", "Surname"]),
        ("phone", ["phone", "phone_number", "Phone #", "Telephone", "Tel", "Primary Phone",
                   "Best Phone"]),
        ("cell_phone", ["CELL PHONE", "cell", "Mobile", "Mobile Phone", "cell_phone", "Wireless"]),
        ("home_phone", ["HOME PHONE"]),
        ("work_phone", ["WORK PHONE", "Business Phone"]),
        ("email", ["email", "EMAIL ADDRESS", "E-mail", "email_address"]),
        ("address", ["Address", "Street", "Street Address", "Address1", "Property Address"]),
        ("city", ["CITY"]),
        ("state", ["ST", "State", "Province", "Property State"]),
        ("zip", ["zip", "ZIP CODE", "zipcode", "Postal", "Postal Code", "Property Zip",
                 "zip_code"]),
        ("lead_date", ["created_time", "Lead Date", "DATE ADDED", "Date", "Created", "Created At",
                       "Timestamp", "Date Created"]),
        ("source", ["source", "Vendor", "form_name", "Campaign", "campaign_name", "Lead Source",
                    "Provider"]),
        ("offer", ["Offer", "Value Proposition", "Product", "Lead Type", "Offer Type"]),
        ("loan_purpose", ["Loan Purpose", "Purpose", "Loan Type"]),
        ("loan_amount", ["Loan Amount", "Requested Amount", "Desired Loan Amount",
                         "Mortgage Balance", "Current Balance"]),
        ("property_value", ["Property Value", "Home Value", "Estimated Value",
                            "what_is_your_home_value?", "what_is_your_estimated_home_value?",
                            "what's your current home value (approx)?"]),
        ("credit_rating", ["Credit", "Credit Rating", "Credit Score", "how_is_your_credit_score?"]),
        ("consent_url", ["TrustedForm Cert URL", "Jornaya LeadID", "LeadiD Token",
                         "Universal LeadID"]),
        ("consent_at", ["Consent Date"]),
        ("consent_text", ["TCPA Consent"]),
        ("consent_ip", ["IP Address", "ip"]),
        ("external_id", ["id"]),
        ("notes", ["Notes", "Comments"]),
    ],
)  # fmt: skip
def test_vendor_spellings_map_to_lead_fields(field: str, headers: list[str]) -> None:
    assert [field_of(h) for h in headers] == [field] * len(headers)


def test_unrecognised_columns_are_kept_in_raw_only() -> None:
    mapping = map_headers(["Email", "ad_name", "Best Time To Call"])
    assert mapping.unknown == (1, 2)
    assert mapping.describe() == [
        ("Email", "email"),
        ("ad_name", RAW_ONLY),
        ("Best Time To Call", RAW_ONLY),
    ]


def test_phones_are_ordered_for_texting() -> None:
    header = ["Work Phone", "Home Phone", "Phone 2", "Phone1", "Phone", "Alt Phone", "Mobile"]
    mapping = map_headers(header)
    assert [(p.label, p.kind) for p in mapping.phones] == [
        ("Mobile", "cell"),
        ("Phone", "other"),
        ("Phone1", "other"),
        ("Phone 2", "other"),
        ("Alt Phone", "other"),
        ("Home Phone", "home"),
        ("Work Phone", "work"),
    ]
    assert mapping.fields == {}
    assert mapping.unknown == ()


def test_a_repeated_phone_header_renamed_by_the_reader_is_still_a_phone() -> None:
    mapping = map_headers(["Phone", "Phone (2)"])
    assert mapping.phones == (
        PhoneColumn(0, "Phone", "other"),
        PhoneColumn(1, "Phone (2)", "other"),
    )


def test_the_first_column_wins_a_single_field_and_the_rest_stay_raw() -> None:
    mapping = map_headers(["Email", "E-mail Address", "Name", "Full Name"])
    assert mapping.fields == {"email": 0, "full_name": 2}
    assert mapping.unknown == (1, 3)


def test_a_repeated_header_is_read_when_the_first_is_empty() -> None:
    """Two "email" columns (the reader names the second "email (2)"): a row whose email is only
    in the second is not rejected; the first non-empty one is the lead's."""
    mapping = map_headers(["email", "Name", "email (2)", "EMAIL", "phone"])
    assert mapping.fields == {"email": 0, "full_name": 1}
    assert mapping.fallbacks == {"email": (2, 3)}
    assert mapping.unknown == ()
    assert mapping.describe() == [
        ("email", "email"),
        ("Name", "full_name"),
        ("email (2)", "email (when 'email' is empty)"),
        ("EMAIL", "email (when 'email' is empty)"),
        ("phone", "phone"),
    ]


def test_source_prefers_a_source_column_then_form_name_then_campaign_name() -> None:
    mapping = map_headers(["campaign_name", "form_name", "Vendor", "email"])
    assert mapping.fields["source"] == 2
    assert mapping.unknown == (0, 1)
    assert map_headers(["campaign_name", "form_name", "email"]).fields["source"] == 1


def test_overrides_rename_ignore_and_beat_synonyms() -> None:
    header = ["Contact #", "Email", "Backup Email", "Name", "Misc"]
    overrides = {"contact  #": "Cell Phone", "backup email": "email", "NAME": "ignore"}
    mapping = map_headers(header, overrides)
    assert mapping.phones == (PhoneColumn(0, "Contact #", "cell"),)
    assert mapping.fields == {"email": 2}
    assert mapping.unknown == (1, 3, 4)


def test_an_override_to_an_unknown_field_lists_the_valid_ones() -> None:
    with pytest.raises(LeadchaseError) as caught:
        map_headers(["Email", "Best Time"], {"Best Time": "call_time"})
    message = str(caught.value)
    assert "unknown field 'call_time'" in message
    assert all(field in message for field in LEAD_FIELDS)
    assert "ignore" in message
    assert "\n" not in message


def test_an_override_for_a_header_not_in_the_file_names_the_headers() -> None:
    with pytest.raises(LeadchaseError, match=r"no column 'Mobile #'.*'Email', 'Name'"):
        map_headers(["Email", "Name"], {"Mobile #": "cell_phone"})


def test_a_file_without_a_phone_or_email_column_suggests_map() -> None:
    with pytest.raises(LeadchaseError) as caught:
        map_headers(["Name", "Contact Number", "Zip"])
    message = str(caught.value)
    assert "'Name', 'Contact Number', 'Zip'" in message
    assert "--map" in message
    assert map_headers(["Name", "Contact Number"], {"Contact Number": "phone"}).phones


def test_an_email_only_file_is_usable() -> None:
    assert map_headers(["Email"]) == HeaderMap(
        fields={"email": 0}, phones=(), unknown=(), assignments=(("Email", "email"),)
    )


def read_header(name: str) -> list[str]:
    path = SAMPLES / name
    with open_rows(path, sniff(path)) as lead_file:
        return lead_file.header


def test_the_facebook_sample_maps_its_export_columns() -> None:
    mapping = map_headers(read_header("facebook_leads.tsv"))
    named = {field: read_header("facebook_leads.tsv")[i] for field, i in mapping.fields.items()}
    assert named == {
        "external_id": "id",
        "lead_date": "created_time",
        "source": "form_name",
        "full_name": "full_name",
        "email": "email",
        "state": "state",
        "zip": "zip_code",
        "property_value": "what_is_your_estimated_home_value?",
    }
    assert [p.label for p in mapping.phones] == ["phone_number"]


def test_the_excel_sample_maps_every_column() -> None:
    mapping = map_headers(read_header("aged_leads_excel.csv"))
    assert mapping.unknown == ()
    assert [(p.label, p.kind) for p in mapping.phones] == [
        ("CELL PHONE", "cell"),
        ("HOME PHONE", "home"),
    ]
    assert set(mapping.fields) == {
        "first_name", "last_name", "address", "city", "state", "zip", "email", "lead_date",
        "loan_amount", "source",
    }  # fmt: skip
