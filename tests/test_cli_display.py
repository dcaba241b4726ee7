"""Hostile lead data on the terminal: escape sequences and Rich markup are shown, never run.

A lead file, an inbound text or a vendor header is written by someone else. Whatever it holds,
every command prints it as the characters it is: no ESC or BEL byte of the data reaches the
terminal (display.py makes them visible), and "[link=...]" is printed as written, not turned
into a link.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from leadchase.cli import common
from leadchase.daemon import daemon_logger
from leadchase.display import json_text, plain, printable, without_controls
from leadchase.workspace import Workspace
from tests.conftest import PHONES, SF_MORNING, Sending, import_lead, run

CLEAR = "\x1b[2J\x1b[H"  # clears the screen
TITLE = "\x1b]0;owned\x07"  # sets the window title (an OSC sequence ended by BEL)
LINK = "[link=http://evil.example]click[/link]"  # Rich markup for a hyperlink
NAME = f"{CLEAR}Eve{TITLE} Stone"
SOURCE = f"[b]Zillow[/b]{CLEAR}"
LATER = SF_MORNING + timedelta(minutes=10)


def _assert_inert(output: str) -> None:
    """Nothing in `output` that a terminal would act on came from the data."""
    for sequence in ("\x1b[2J", "\x1b[H", "\x1b]0;", "\x07", "\x1b]8;"):
        assert sequence not in output, (sequence, output)


def _plain_output(output: str) -> None:
    """Written without a terminal: no escape byte at all."""
    _assert_inert(output)
    assert "\x1b" not in output, output


@pytest.fixture
def hostile(workspace: Workspace) -> Iterator[tuple[int, int]]:
    """A lead whose name holds escape sequences and one whose name is Rich markup."""
    eve = import_lead(workspace, SF_MORNING, name=NAME, source=SOURCE)
    link = import_lead(
        workspace,
        SF_MORNING,
        name=f"{LINK} Bob",
        phone=PHONES[1],
        email="bob@example.com",
        source=LINK,
    )
    yield eve, link


COMMANDS = [
    ("show", "{eve}"),
    ("show", "{link}"),
    ("leads",),
    ("today",),
    ("agenda",),
    ("cadence", "preview", "{eve}"),
    ("cadence", "preview", "{link}"),
    ("template", "preview", "internet-lead/first-text", "--lead", "{eve}"),
    ("template", "preview", "internet-lead/first-text", "--lead", "{link}"),
    ("stats", "--since", "all"),
    ("log", "{eve}", "call"),
    ("stage", "{link}", "contacted"),
    ("snooze", "{eve}", "1d"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_no_escape_sequence_or_markup_from_a_lead_reaches_the_screen(
    hostile: tuple[int, int], command: tuple[str, ...]
) -> None:
    eve, link = hostile
    args = [part.format(eve=eve, link=link) for part in command]
    result = run(*args, now=LATER)
    assert result.exit_code == 0, result.output
    _plain_output(result.stdout + result.stderr)
    if f"{link}" in args or command in (("leads",), ("today",), ("agenda",)):
        assert LINK in result.stdout  # the markup is shown as written, so not a link


def test_a_hostile_lead_is_shown_with_its_control_characters_visible(
    hostile: tuple[int, int],
) -> None:
    eve, _ = hostile
    shown = run("show", str(eve), now=LATER).stdout
    assert "␛[2J␛[HEve␛]0;owned␇ Stone" in shown.splitlines()[0]
    assert "[b]Zillow[/b]␛[2J␛[H" in shown  # the source: markup and escapes both as written


def test_stats_show_a_source_as_written(hostile: tuple[int, int]) -> None:
    result = run("stats", "--since", "all", "--source", LINK, now=LATER)
    assert result.exit_code == 0, result.output
    assert f"from {LINK}" in result.stdout
    assert "[b]Zillow[/b]" in run("stats", "--since", "all", now=LATER).stdout


def test_the_import_dry_run_shows_names_headers_and_file_names_as_written(
    workspace: Workspace, tmp_path: Path
) -> None:
    lead_file = tmp_path / "[bold red]leads.csv"
    lead_file.write_text(
        f"name,phone,email,{LINK}\x1b[2J\n"
        f"{NAME},4155552671,eve@example.com,x\n"
        f"{LINK} Bob,{PHONES[1]},bob@example.com,y\n",
        encoding="utf-8",
    )
    for args in (("--dry-run",), ()):
        result = run("import", str(lead_file), *args, now=SF_MORNING)
        assert result.exit_code == 0, result.output
        _plain_output(result.stdout + result.stderr)
    dry = run("import", str(lead_file), "--dry-run", now=SF_MORNING).stdout
    assert "[bold red]leads.csv" in dry
    assert f"{LINK}␛[2J" in dry  # the vendor's header, in the column mapping
    assert f"{LINK} Bob" in dry and "␛[2J␛[HEve␛]0;owned␇" in dry  # the sample rows


def test_a_forced_terminal_gets_styles_but_nothing_from_the_data(
    hostile: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal Rich writes its own escape codes (bold, colours, links); the data adds none."""
    for name, stderr in (("out", False), ("err", True)):
        console = type(getattr(common, name))(
            stderr=stderr, force_terminal=True, color_system="truecolor", width=200, emoji=False
        )
        monkeypatch.setattr(common, name, console)
    eve, link = hostile
    for args in (("today",), ("show", str(eve)), ("show", str(link)), ("leads",)):
        result = run(*args, now=LATER)
        assert result.exit_code == 0, result.output
        assert "\x1b[1m" in result.stdout  # Rich's bold: the console did write as to a terminal
        _assert_inert(result.stdout + result.stderr)
        assert "http://evil.example" not in result.stdout.replace(LINK, "")


def test_an_inbound_text_is_shown_as_written_in_sync_and_inbox(sending: Sending) -> None:
    lead = import_lead(sending.workspace, SF_MORNING, name=f"{LINK} Bob", phone=PHONES[0])
    body = f"{CLEAR}call me{TITLE} \x1b]8;;http://evil.example\x1b\\here\x1b]8;;\x1b\\ {LINK}"
    sending.twilio.add_inbound(PHONES[0], body)
    synced = run("sync", now=LATER)
    assert synced.exit_code == 0, synced.output
    _plain_output(synced.stdout + synced.stderr)
    assert f"{LINK} Bob #{lead}" in synced.stdout
    inbox = run("inbox", now=LATER)
    assert inbox.exit_code == 0, inbox.output
    _plain_output(inbox.stdout + inbox.stderr)
    assert LINK in inbox.stdout and "␛[2J␛[Hcall me␛]0;owned␇" in inbox.stdout
    today = run("today", now=LATER)
    _plain_output(today.stdout)
    assert "call me" in today.stdout
    # --json keeps the text exactly, as JSON escapes.
    (entry,) = json.loads(run("inbox", "--json", now=LATER).stdout)
    assert entry["body"] == body


def test_an_error_naming_outside_text_shows_it_as_written(
    workspace: Workspace, tmp_path: Path
) -> None:
    missing = tmp_path / f"{CLEAR}[bold red]leads.csv"  # named by a vendor or a watch folder
    result = run("import", str(missing))
    assert result.exit_code == 1
    _plain_output(result.stderr)
    assert "␛[2J␛[H[bold red]leads.csv: no such file" in result.stderr


def test_json_output_escapes_what_a_terminal_would_act_on(workspace: Workspace) -> None:
    name = "Ren\u00e9e \x9b2J \u202eevil\x7f"  # C1 CSI, a right-to-left override, DEL
    lead = import_lead(workspace, SF_MORNING, name=name)
    result = run("show", str(lead), "--json", now=LATER)
    for raw in ("\x9b", "\u202e", "\x7f"):
        assert raw not in result.stdout
    assert "\\u009b2J" in result.stdout and "Renée" in result.stdout  # accents stay as they are
    assert json.loads(result.stdout)["lead"]["name"] == name


def test_printable_makes_every_control_character_visible_one_for_one() -> None:
    controls = "".join(chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0)))
    bidi = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    shown = printable(controls + bidi)
    assert len(shown) == len(controls + bidi)
    assert shown.count("\n") == 1 and shown.isprintable() is False
    assert shown.replace("\n", "").isprintable()
    assert shown[0x1B] == "␛" and shown[0x07] == "␇" and shown[0x09] == " "
    text = "José O’Brien 👩‍👩‍👧 日本\nline two"  # ZWJ emoji and accents are not controls
    assert printable(text) is text
    assert printable(None) == "" and printable(350000) == "350000"
    styled = plain(f"{LINK}\x1b", "bold")
    assert styled.plain == f"{LINK}␛" and styled.style == "bold"


def test_without_controls_drops_them_from_messages() -> None:
    assert without_controls(f"Hi {CLEAR}Eve{TITLE},\r\nthanks\tso much") == (
        "Hi [2J[HEve]0;owned,\nthanks so much"
    )
    assert without_controls("Hi \u202eEve\x9b") == "Hi Eve"


def test_json_text_keeps_the_document() -> None:
    document = {"name": "a\x9bb\u202ec\x7f é", "n": [1, "\x1b"]}
    text = json_text(json.dumps(document, ensure_ascii=False))
    assert text.isascii() is False and all(c not in text for c in "\x9b\u202e\x7f\x1b")
    assert json.loads(text) == document


def test_the_daemon_log_shows_control_characters_visible(tmp_path: Path) -> None:
    log_file = tmp_path / "daemon.log"
    log = daemon_logger(log_file)
    try:
        log.warning("imported %s", f"{CLEAR}leads.csv")
        written = log_file.read_text(encoding="utf-8")
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            if handler.get_name() == "leadchase-daemon":
                root.removeHandler(handler)
                handler.close()
    assert "\x1b" not in written and "imported ␛[2J␛[Hleads.csv" in written


def test_an_export_shown_on_a_terminal_is_printable_and_a_pipe_gets_the_data(
    hostile: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    piped = run("export", "leads")
    assert piped.exit_code == 0, piped.output
    assert NAME in piped.stdout  # a pipe or a file gets every character as stored
    monkeypatch.setenv("FORCE_COLOR", "1")  # Rich's own test for "standard output is a terminal"
    for args in (("export", "leads"), ("export", "leads", "--format", "json")):
        shown = run(*args)
        assert shown.exit_code == 0, shown.output
        _plain_output(shown.stdout)
        assert "␛[2J␛[HEve" in shown.stdout or "\\u001b[2J" in shown.stdout
