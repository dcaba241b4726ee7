"""Posted leads through the import pipeline, the listener's token and `daemon --listen` errors.

The HTTP side runs in a real daemon in test_listener.py; here the same code is called in this
process, on a real workspace database, for the cases an HTTP round trip adds nothing to.
"""

from __future__ import annotations

import socket
import stat
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest

from leadchase.context import open_workspace
from leadchase.errors import ConfigError
from leadchase.importing.posted import PostError, leads_of, rows_of, take_post
from leadchase.listener.serve import EXTRA_MISSING, Address, parse_listen
from leadchase.listener.token import (
    ensure_token,
    read_token,
    rotate_token,
    token_matches,
    token_path,
)
from leadchase.workspace import Workspace
from tests.conftest import PROJECT, SF_MORNING, query, run

ANN = {"name": "Ann Lee", "phone": "415 555 2671", "state": "CA"}


def post(workspace: Workspace, leads: list[dict[str, Any]], **options: Any) -> Any:
    with open_workspace(workspace.root) as context:
        return take_post(context, leads, SF_MORNING, **options)


def test_posted_values_become_the_cells_a_file_would_have() -> None:
    header, rows = rows_of(
        [{"phone": 4155552671, "zip": 94103.0, "sms ok": True}, {"email": "b@x.com", "zip": None}]
    )
    assert header == ["phone", "zip", "sms ok", "email"]
    assert [row.fields for row in rows] == [
        ["4155552671", "94103", "yes", ""],
        ["", "", "", "b@x.com"],
    ]
    assert [row.line for row in rows] == [1, 2]
    with pytest.raises(PostError, match="lead 1: field 'tags' holds a list"):
        rows_of([ANN, {"phone": "4155552672", "tags": ["a"]}])


def test_a_body_must_be_a_lead_or_a_list_of_leads() -> None:
    assert leads_of(ANN) == [ANN]
    assert leads_of([ANN, ANN]) == [ANN, ANN]
    for bad in ([], "4155552671", [ANN, 7]):
        with pytest.raises(PostError):
            leads_of(bad)


def test_a_posted_lead_without_a_date_arrived_when_posted_and_starts_its_cadence(
    workspace: Workspace,
) -> None:
    taken = post(workspace, [ANN, {**ANN, "phone": "4155552672", "lead date": "yesterday??"}])
    assert taken.answer.status == 201 and taken.new_leads == 2
    rows = query(workspace, "SELECT lead_date, source, cadence FROM lead ORDER BY id")
    assert rows[0][0] is not None and rows[0][0].startswith("2026-03-02 18:00")
    assert rows[1][0] is None  # a date given but unreadable is not taken as "now"
    assert {row[1:] for row in rows} == {("webhook", "internet-lead")}
    due = query(workspace, "SELECT due_at FROM touch WHERE lead_id = 1 AND channel = 'text'")
    assert due and due[0][0].startswith("2026-03-02 18:00")


@pytest.mark.both_backends
def test_an_idempotency_key_answers_again_without_storing_again(workspace: Workspace) -> None:
    first = post(workspace, [ANN], key="order-1")
    again = post(workspace, [{**ANN, "phone": "4155552680"}], key="order-1")
    assert (again.replayed, again.new_leads, again.answer) == (True, 0, first.answer)
    assert query(workspace, "SELECT count(*) FROM lead") == [(1,)]
    with pytest.raises(PostError, match="Idempotency-Key"):
        post(workspace, [ANN], key="k" * 201)


def test_a_vendor_lead_id_is_a_dedupe_key_within_its_source(workspace: Workspace) -> None:
    first = post(workspace, [{**ANN, "lead_id": "L-1"}], source="Zillow")
    moved = post(workspace, [{**ANN, "phone": "4155552690", "lead_id": "L-1"}], source="zillow")
    assert moved.answer.answer["leads"] == [{"index": 0, "result": "merged", "id": 1}]
    assert first.answer.answer["leads"][0]["id"] == 1
    keys = query(workspace, "SELECT key FROM lead_key WHERE key LIKE 'x:%'")
    assert keys == [("x:zillow:L-1",)]


def test_an_all_rejected_post_rolls_back_but_keeps_its_rejects_file(workspace: Workspace) -> None:
    taken = post(workspace, [{"name": "No Way", "phone": "12"}], key="bad-1")
    assert taken.answer.status == 422
    assert query(workspace, "SELECT count(*) FROM import_batch") == [(0,)]
    assert query(workspace, "SELECT count(*) FROM intake_request") == [(0,)]
    (rejects,) = (workspace.root / "rejects").iterdir()
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    lines = rejects.read_text(encoding="utf-8-sig").splitlines()
    assert lines == ["line,name,phone,reason", "1,No Way,12,invalid phone and no email: phone '12'"]


def test_init_makes_a_private_token_and_rotate_replaces_it(tmp_path: Any) -> None:
    target = tmp_path / "new"
    result = run("init", str(target))
    assert result.exit_code == 0, result.output
    assert "created .leadchase-listener-token" in result.output
    assert stat.S_IMODE(token_path(target).stat().st_mode) == 0o600
    shown = run("--home", str(target), "token", "show")
    assert shown.exit_code == 0 and shown.stdout.strip() == read_token(target)
    rotated = run("--home", str(target), "token", "rotate")
    assert rotated.exit_code == 0
    assert read_token(target) != shown.stdout.strip()
    assert read_token(target) not in rotated.output  # only `token show` prints it
    assert not ensure_token(target)  # init again keeps the token senders already have


def test_a_workspace_without_a_token_is_told_how_to_get_one(workspace: Workspace) -> None:
    result = run("token", "show")
    assert result.exit_code == 3
    assert "no listener token yet" in result.output and "leadchase token rotate" in result.output
    rotate_token(workspace.root)
    token_path(workspace.root).chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        read_token(workspace.root)


def test_only_the_bearer_token_itself_matches() -> None:
    assert token_matches("s3cret", "Bearer s3cret")
    assert token_matches("s3cret", "bearer  s3cret ")
    for header in (None, "", "s3cret", "Basic s3cret", "Bearer s3cre", "Bearer s3cret2"):
        assert not token_matches("s3cret", header)


def test_listen_addresses() -> None:
    assert parse_listen("127.0.0.1:8787") == Address("127.0.0.1", 8787)
    assert parse_listen("8787") == Address("127.0.0.1", 8787)
    assert str(parse_listen("[::1]:9000")) == "[::1]:9000"
    for bad in ("localhost", "1.2.3.4:http", ":80", "[::1]9000", "1.2.3.4:70000"):
        with pytest.raises(ConfigError, match="--listen"):
            parse_listen(bad)


def _daemon(
    workspace: Workspace, *args: str, prelude: str = ""
) -> subprocess.CompletedProcess[str]:
    code = f"{prelude}\nimport sys\nfrom leadchase.cli import main\nsys.argv = ['leadchase', *sys.argv[1:]]\nmain()"
    return subprocess.run(
        [sys.executable, "-c", code, "--home", str(workspace.root), "daemon", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_taken_port_a_missing_extra_and_once_are_one_line_errors(workspace: Workspace) -> None:
    ensure_token(workspace.root)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = _daemon(workspace, "--listen", f"127.0.0.1:{port}")
    assert busy.returncode == 3
    assert busy.stderr.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use; stop what uses "
        "that port or choose another with --listen"
    ]
    blocked = "import sys\nsys.modules['uvicorn'] = None"
    missing = _daemon(workspace, "--listen", "127.0.0.1:0", prelude=blocked)
    assert missing.returncode == 3
    assert "pip install 'leadchase[serve]'" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    # Without python-multipart Starlette loads, but could read no form: refused up front too.
    no_forms = "import sys\nsys.modules['python_multipart'] = sys.modules['multipart'] = None"
    formless = _daemon(workspace, "--listen", "127.0.0.1:0", prelude=no_forms)
    assert formless.returncode == 3
    assert formless.stderr.strip().splitlines() == [f"error: {EXTRA_MISSING}"]
    once = run("daemon", "--listen", "127.0.0.1:0", "--once")
    assert once.exit_code == 3 and "drop --once" in once.output


def test_the_clock_of_a_post_is_the_one_given(workspace: Workspace) -> None:
    later = SF_MORNING + timedelta(hours=1)
    with open_workspace(workspace.root) as context:
        take_post(context, [ANN], later)
    assert query(workspace, "SELECT imported_at FROM lead")[0][0].startswith("2026-03-02 19:00")
