"""At 80 columns every screen keeps a phone number, an email address and a template name whole.

The shipped sample files are imported through the CLI, a lead answers a text through the fake
Twilio, and `today`, `leads`, `show` and `inbox` are rendered as a loan officer's 80-column
terminal (or a pipe) shows them.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from leadchase.cli import app
from tests.conftest import SAMPLES, Sending

runner = CliRunner()
NOW = datetime.fromisoformat("2026-11-28T16:30:00-05:00")  # the demo's moment
SAMPLE_FILES = ("facebook_leads.tsv", "aged_leads_excel.csv", "website_leads.csv")


def _run(*args: str, at: datetime = NOW, width: int = 80, sending: bool = True) -> str:
    env: dict[str, str | None] = {"LEADCHASE_NOW": at.isoformat(), "COLUMNS": str(width)}
    if not sending:  # texts and emails then stay on the agenda as tasks, with their templates
        env |= {name: None for name in ("TWILIO_ACCOUNT_SID", "LEADCHASE_SMTP_HOST")}
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def leads(sending: Sending, tmp_path: Path) -> list[dict[str, Any]]:
    """Every sample lead, imported through the CLI; the first one has answered a text."""
    files = []
    for name in SAMPLE_FILES:
        shutil.copy(SAMPLES / name, tmp_path / name)
        files.append(str(tmp_path / name))
    _run("import", *files)
    everyone: list[dict[str, Any]] = json.loads(_run("leads", "--limit", "1000", "--json"))
    assert len(everyone) > 25
    sending.twilio.clock = lambda: NOW + timedelta(minutes=2)
    sending.twilio.add_inbound(everyone[-1]["phone"], "Sure, what info do you need?")
    _run("sync", at=NOW + timedelta(minutes=3))
    return everyone


def _lines(output: str) -> list[str]:
    lines = output.splitlines()
    too_wide = [line for line in lines if len(line) > 80]
    assert not too_wide, "\n".join(too_wide)
    return lines


def _whole(values: list[str], output: str) -> None:
    lines = _lines(output)
    for value in values:
        assert any(value in line for line in lines), f"{value!r} is not whole on one line"


def test_today_at_80_columns(leads: list[dict[str, Any]]) -> None:
    items = json.loads(_run("today", "--limit", "100", "--json", sending=False))
    output = _run("today", "--limit", "100", sending=False)
    shown = [item["email" if item["channel"] == "email" else "phone"] for item in items]
    _whole([value for value in shown if value], output)
    templates = [item["template"] for item in items if item.get("template")]
    assert templates
    _whole(templates, output)
    assert "“Sure, what info do you need?”" in output


def test_leads_at_80_columns(leads: list[dict[str, Any]]) -> None:
    output = _run("leads", "--limit", "1000")
    _whole([lead[key] for lead in leads for key in ("phone", "email") if lead[key]], output)
    assert f"{len(leads)} of {len(leads)} leads" in output


def test_show_at_80_columns(leads: list[dict[str, Any]]) -> None:
    for lead in leads:
        output = _run("show", str(lead["id"]))
        _whole([value for value in (lead["phone"], lead["email"]) if value], output)
        if lead is not leads[-1]:  # the one who replied is on a cadence of calls only
            assert "internet-lead/" in output or "aged-lead/" in output


def test_inbox_at_80_columns(leads: list[dict[str, Any]]) -> None:
    output = _run("inbox")
    _whole([leads[-1]["phone"], "Sure, what info do you need?"], output)


def test_a_wide_terminal_keeps_the_message_in_its_column(leads: list[dict[str, Any]]) -> None:
    narrow = _run("today", "--channel", "text", "--limit", "1", sending=False)
    wide = _run("today", "--channel", "text", "--limit", "1", width=140, sending=False)
    assert "Say / send" in wide and "Say / send" not in narrow
    header = next(line for line in wide.splitlines() if "Say / send" in line)
    assert len(header) > 80


def test_a_phone_extension_shows_where_the_officer_dials(leads: list[dict[str, Any]]) -> None:
    (kraemer,) = [lead for lead in leads if lead["name"] == "Denise Kraemer"]  # 614-268-9934 x12
    dial = f"{kraemer['phone']} ext. 12"
    _whole([dial], _run("show", str(kraemer["id"])))
    calls = _run("today", "--channel", "call", "--limit", "100", sending=False)
    _whole([dial], calls)
    texts = _run("today", "--channel", "text", "--limit", "100", sending=False)
    assert kraemer["phone"] in texts and dial not in texts  # a text goes to the number alone
    items = json.loads(_run("today", "--channel", "call", "--limit", "100", "--json"))
    assert {item["phone_ext"] for item in items if item["lead_id"] == kraemer["id"]} == {"12"}


def test_a_listing_never_cuts_what_cannot_wrap() -> None:
    import io

    from rich.console import Console
    from rich.text import Text

    from leadchase.cli.listing import Listing

    screen = io.StringIO()
    console = Console(file=screen, width=30, color_system=None)
    listing = Listing(["Lead", "Their time"], long_header="Say")
    email = "bernadette.okafor.realestate@example.com"  # wider than the screen
    when = Text("Mon Mar 2 10:00 AM PST", no_wrap=True)
    listing.add_row(["Bernadette Okafor #24", Text(email, no_wrap=True)], when, long="Hi " * 20)
    console.print(listing, crop=False)
    lines = screen.getvalue().splitlines()
    assert any(email in line for line in lines)
    assert any("Mon Mar 2 10:00 AM PST" in line for line in lines)
    said = [line for line in lines if line.strip().startswith("Hi")]
    assert len(said) > 1 and all(len(line) <= 30 for line in said)  # long text still wraps


@pytest.mark.parametrize("width", [40, 80, 120])
def test_a_listing_in_colour_holds_the_same_characters_as_without(width: int) -> None:
    import io
    import re

    from rich.console import Console
    from rich.text import Text

    from leadchase.cli.listing import Listing

    def printed(colours: bool) -> str:
        screen = io.StringIO()
        console = Console(
            file=screen,
            width=width,
            force_terminal=colours,
            color_system="truecolor" if colours else None,
        )
        listing = Listing(["", "Lead", "Their time"], long_header="Say / send")
        for number in range(3):
            lead = Text("Ann Lee ", style="bold").append(f"#{number}", style="dim")
            listing.add_row(
                Text("NEW", style="bold white on red"),
                [lead, Text("+14155552671", no_wrap=True), Text("Zillow / Refi", style="dim")],
                [Text("Mon Mar 2 10:00 AM PST", no_wrap=True), "new lead, waiting 3 min"],
                long=[Text("Hi Ann, it's Jordan " * 4), Text("internet-lead/first", style="dim")],
            )
        console.print(listing, crop=False)
        return screen.getvalue()

    coloured, plain = printed(colours=True), printed(colours=False)
    assert "\x1b[" in coloured and "\x1b[" not in plain
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain
