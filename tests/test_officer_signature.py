"""The officer as leads read them: the phone as people write it, the Equal Housing line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from leadchase.cli import app
from leadchase.config import Officer
from leadchase.workspace import Workspace

runner = CliRunner()


def _first_email() -> str:
    result = runner.invoke(app, ["template", "preview", "internet-lead/first-email", "--json"])
    assert result.exit_code == 0, result.output
    body: str = json.loads(result.stdout)["messages"][0]["body"]
    return body


def _set_officer(workspace: Workspace, old: str, new: str) -> None:
    settings = workspace.settings_file.read_text(encoding="utf-8")
    assert old in settings
    workspace.settings_file.write_text(settings.replace(old, new, 1), encoding="utf-8")


def test_a_new_workspace_signs_emails_with_a_national_phone_and_equal_housing(
    workspace: Workspace,
) -> None:
    body = _first_email()
    assert "+13055550123" not in body
    assert (
        "Jordan Rivera, Rivera Home Loans\n"
        "(305) 555-0123\n"
        "100 Main Street, Suite 200, Miami, FL 33130\n"
        "Equal Housing Opportunity\n\n"
        "Rather not get these emails?"
    ) in body


@pytest.mark.parametrize(
    ("setting", "line"),
    [('"lender"', "Equal Housing Lender"), ('"opportunity"', "Equal Housing Opportunity")],
)
def test_the_equal_housing_line_is_chosen_in_the_settings(
    workspace: Workspace, setting: str, line: str
) -> None:
    _set_officer(workspace, 'equal_housing = "opportunity"', f"equal_housing = {setting}")
    assert f"Miami, FL 33130\n{line}\n\n" in _first_email()


@pytest.mark.parametrize("without", ['equal_housing = ""', ""])  # off, or an older workspace
def test_without_the_setting_the_footer_has_no_equal_housing_line(
    workspace: Workspace, without: str
) -> None:
    _set_officer(workspace, 'equal_housing = "opportunity"', without)
    body = _first_email()
    assert "Equal Housing" not in body and "Miami, FL 33130\n\nRather not" in body


def test_an_unknown_equal_housing_value_says_what_to_write(workspace: Workspace) -> None:
    _set_officer(workspace, 'equal_housing = "opportunity"', 'equal_housing = "yes"')
    result = runner.invoke(app, ["template", "preview", "internet-lead/first-email"])
    assert result.exit_code == 3
    assert '[officer] equal_housing must be "opportunity", "lender" or ""' in result.output


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("+13055550123", "(305) 555-0123"),
        ("305.555.0123", "(305) 555-0123"),
        ("(305) 555-0123 x12", "(305) 555-0123 ext. 12"),
        ("+44 20 7946 0958", "+44 20 7946 0958"),
        ("call the front desk", "call the front desk"),
        ("[your phone]", "[your phone]"),  # no digit: shown as typed, phonenumbers not asked
        ("1-800-FLOWERS", "(800) 356-9377"),  # letters with digits are still a number
        ("", ""),
    ],
)
def test_the_officer_phone_is_shown_as_people_write_it(typed: str, shown: str) -> None:
    assert Officer(phone=typed).phone_for_people == shown
