"""Finding a lead the way a loan officer types it: #7, any phone format, a name without accents."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from typer.testing import CliRunner

from leadchase.cli import app
from leadchase.lead_search import lead_number, name_pattern, phone_digits
from leadchase.workspace import Workspace
from tests.conftest import import_lead

runner = CliRunner()
NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
ENV = {"LEADCHASE_NOW": NOW.isoformat()}


def _found(*search: str) -> list[str]:
    result = runner.invoke(app, ["leads", "--json", *search], env=ENV)
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return [lead["name"] for lead in found]


@pytest.fixture
def people(workspace: Workspace) -> dict[str, int]:
    return {
        name: import_lead(workspace, NOW, name=name, phone=phone, email=email)
        for name, phone, email in (
            ("José Jiménez", "(305) 555-0124", "jose@example.com"),
            ("Ann Jimenez", "4155552671", "ann@example.com"),
            ("Zoë Ångström", "2065550142", "zoe@example.com"),
        )
    }


def test_a_lead_is_its_hash_number_on_every_command(people: dict[str, int]) -> None:
    lead = people["Ann Jimenez"]
    shown = runner.invoke(app, ["show", f"#{lead}", "--json"], env=ENV)
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["lead"]["name"] == "Ann Jimenez"
    logged = runner.invoke(app, ["log", f"#{lead}", "call", "--outcome", "talked"], env=ENV)
    assert logged.exit_code == 0, logged.output
    assert f"(#{lead})" in logged.stdout
    assert _found("--search", f"#{lead}") == ["Ann Jimenez"]
    missing = runner.invoke(app, ["show", "#99"], env=ENV)
    assert missing.exit_code == 1 and "no lead #99" in missing.output


def test_search_by_phone_in_any_format(people: dict[str, int]) -> None:
    for typed in ("(305) 555-0124", "305-555-0124", "+1 305.555.0124", "5550124"):
        assert _found("--search", typed) == ["José Jiménez"], typed


def test_search_by_name_ignores_accents_and_case(people: dict[str, int]) -> None:
    assert sorted(_found("--search", "jimenez")) == ["Ann Jimenez", "José Jiménez"]
    assert sorted(_found("--search", "JIMÉNEZ")) == ["Ann Jimenez", "José Jiménez"]
    assert _found("--search", "jose jim") == ["José Jiménez"]
    assert _found("--search", "angstrom") == ["Zoë Ångström"]
    assert _found("--search", "zoe@") == ["Zoë Ångström"]


def test_an_unknown_stage_is_an_error_that_names_the_stages(people: dict[str, int]) -> None:
    result = runner.invoke(app, ["leads", "--stage", "bogus"], env=ENV)
    assert result.exit_code == 1
    assert "unknown stage 'bogus'; use one of new, contacted, engaged" in result.stderr
    assert _found("--stage", "New") == list(reversed(people))


def test_stage_echoes_the_stage_it_stored(people: dict[str, int]) -> None:
    result = runner.invoke(app, ["stage", str(people["Ann Jimenez"]), " Contacted"], env=ENV)
    assert result.exit_code == 0, result.output
    assert "is now contacted;" in result.stdout
    assert _found("--stage", "contacted") == ["Ann Jimenez"]


def test_the_reference_rules() -> None:
    assert lead_number("#7") == lead_number(" 7 ") == lead_number("# 7") == 7
    assert lead_number("3055550124") is None  # a phone number, not an id
    assert lead_number("#3055550124") == 3055550124
    assert lead_number("ann@example.com") is None and lead_number("#") is None
    assert phone_digits("(305) 555-0124") == "3055550124"
    assert phone_digits("Ann 305") is None and phone_digits("12") is None
    assert (
        name_pattern("Jiménez")
        == name_pattern("jimenez")
        == "(?i)j[iìíîïī]m[eèéêëēęě][nñń][eèéêëēęě][zźżž]"
    )
    assert name_pattern("o'neil.") == "(?i)[oòóôõöøō]\\'[nñń][eèéêëēęě][iìíîïī]l\\."
