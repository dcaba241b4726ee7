"""`leadchase template list|preview|lint` and the template part of `cadence check`, end to end."""

from __future__ import annotations

import json
from datetime import timedelta

from leadchase.workspace import Workspace
from tests.conftest import SF_MORNING, import_lead, run, run_json

ARRIVAL = SF_MORNING
SOON = ARRIVAL + timedelta(minutes=5)

# A second wording keeps these test templates free of the few-variants warning.
ROBOT_TEXT = (
    "=== variant ===\n"
    "Hi {{ lead.first_name }}, kindly let me know if you still want a quote.\n"
    "=== variant ===\n"
    "Hey {{ lead.first_name }}, still looking at rates?\n"
)
UNDEFINED_TEXT = (
    "=== variant ===\n"
    "Hi {{ first_name }}, it's {{ officer.first_name }}. Still looking?\n"
    "=== variant ===\n"
    "Hey {{ lead.first_name }}, still looking at rates?\n"
)


def test_list_shows_every_template_with_channel_variants_and_framings(
    workspace: Workspace,
) -> None:
    listed = run_json("template", "list", now=SOON)
    assert isinstance(listed, list)
    by_name = {entry["name"]: entry for entry in listed}
    first_text = by_name["internet-lead/first-text"]
    assert first_text["channel"] == "text"
    assert first_text["variants"] == 10
    assert first_text["framings"] == {
        "equity": 2,
        "rate-quote": 2,
        "purchase": 2,
        "refinance": 2,
        "generic": 2,
    }
    assert by_name["nurture/monthly-email"]["channel"] == "email"
    assert all(entry["problem"] is None for entry in listed)

    table = run("template", "list")
    assert table.exit_code == 0, table.output
    assert "internet-lead/first-text" in table.stdout
    assert "equity (2)" in table.stdout


def test_list_marks_a_broken_template_instead_of_failing(workspace: Workspace) -> None:
    (workspace.templates_dir / "custom").mkdir()
    (workspace.templates_dir / "custom" / "bad.sms.j2").write_text("=== varient ===\nHi\n")
    result = run("template", "list")
    assert result.exit_code == 0, result.output
    assert "broken" in result.stdout
    (bad,) = [
        entry for entry in run_json("template", "list", now=SOON) if entry["name"] == "custom/bad"
    ]
    assert "not a variant marker" in bad["problem"]


def test_preview_for_a_real_lead_uses_their_name_and_counts_segments(
    workspace: Workspace,
) -> None:
    lead_id = import_lead(workspace, ARRIVAL, name="Ann Lee", source="Zillow")
    preview = run_json(
        "template", "preview", "internet-lead/first-text", "--lead", "4155552671", now=SOON
    )
    assert isinstance(preview, dict)
    assert preview["lead"] == f"Ann Lee (#{lead_id})"
    assert preview["lead_id"] == lead_id
    assert preview["offer_kind"] == "generic"
    assert [message["variant"] for message in preview["messages"]] == [9, 10]
    for message in preview["messages"]:
        assert message["body"].split(",")[0] in ("Hi Ann", "Hey Ann")
        assert "Jordan" in message["body"]  # the officer's first name from leadchase.toml
        assert message["encoding"] == "GSM-7"
        assert message["characters"] == len(message["body"])
        assert message["segments"] == 1

    text = run("template", "preview", "internet-lead/first-text", "--lead", str(lead_id))
    assert text.exit_code == 0, text.output
    assert f"Ann Lee (#{lead_id})" in text.stdout
    assert "Variant 9" in text.stdout and "Variant 10" in text.stdout
    assert "GSM-7, 1 segment" in text.stdout


def test_preview_for_the_sample_lead_with_an_offer_and_a_variant(workspace: Workspace) -> None:
    purchase = run_json(
        "template", "preview", "internet-lead/first-text", "--offer", "purchase", now=SOON
    )
    assert isinstance(purchase, dict)
    assert purchase["lead"] == "sample lead Ana Silva"
    assert purchase["offer_kind"] == "purchase"
    assert [message["variant"] for message in purchase["messages"]] == [5, 6]
    assert all("Ana" in message["body"] for message in purchase["messages"])

    email = run_json("template", "preview", "internet-lead/first-email", "--variant", "1", now=SOON)
    assert isinstance(email, dict)
    (message,) = email["messages"]
    assert message["subject"] == "Your home equity estimate"
    assert message["body"].startswith("Hi Ana,")
    assert "100 Main Street, Suite 200, Miami, FL 33130" in message["body"]
    assert "segments" not in message

    shown = run("template", "preview", "internet-lead/first-email")
    assert shown.exit_code == 0, shown.output
    assert "Subject: Your home equity estimate" in shown.stdout


def test_preview_of_a_text_outside_gsm7_shows_ucs2_and_its_segments(
    workspace: Workspace,
) -> None:
    (workspace.templates_dir / "custom").mkdir()
    # 20 characters with a curly apostrophe, a space and 60 more: 81 > 70, so 2 UCS-2 segments.
    (workspace.templates_dir / "custom" / "curly.sms.j2").write_text(
        "Hi {{ lead.first_name }}, it’s {{ officer.first_name }}. " + "x" * 60 + "\n",
        encoding="utf-8",
    )
    preview = run_json("template", "preview", "custom/curly", now=SOON)
    assert isinstance(preview, dict)
    (message,) = preview["messages"]
    assert message["body"] == "Hi Ana, it’s Jordan. " + "x" * 60
    assert (message["encoding"], message["characters"], message["segments"]) == ("UCS-2", 81, 2)

    text = run("template", "preview", "custom/curly")
    assert text.exit_code == 0, text.output
    assert "81 characters, UCS-2, 2 segments (UCS-2 because of '’')" in text.stdout


def test_preview_mistakes_are_one_line_errors(workspace: Workspace) -> None:
    cases = [
        (["internet-lead/nope"], "not found"),
        (["internet-lead/first-text", "--variant", "11"], "has no variant 11"),
        (["internet-lead/first-text", "--offer", "heloc"], "unknown offer kind 'heloc'"),
        (["internet-lead/first-text", "--lead", "99"], "no lead #99"),
    ]
    for args, message in cases:
        result = run("template", "preview", *args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.output


def test_lint_exits_1_on_errors_and_0_with_only_warnings(workspace: Workspace) -> None:
    clean = run("template", "lint")
    assert clean.exit_code == 0, clean.output
    assert "24 templates checked: 0 errors, 0 warnings" in clean.stdout

    custom = workspace.templates_dir / "custom"
    custom.mkdir()
    (custom / "robot.sms.j2").write_text(ROBOT_TEXT)
    warned = run("template", "lint")
    assert warned.exit_code == 0, warned.output
    assert "robot-speak" in warned.stdout and "custom/robot" in warned.stdout

    (custom / "undefined.sms.j2").write_text(UNDEFINED_TEXT)
    failed = run("template", "lint", "--json")
    assert failed.exit_code == 1, failed.output
    report = json.loads(failed.stdout)
    assert (report["templates"], report["errors"], report["warnings"]) == (26, 1, 1)
    (error,) = [f for f in report["findings"] if f["severity"] == "error"]
    assert error == {
        "template": "custom/undefined",
        "line": 2,
        "severity": "error",
        "rule": "undefined",
        "message": "first_name is not defined",
        "fix": "did you mean lead.first_name?",
    }

    only_named = run("template", "lint", "custom/robot", "--json")
    assert only_named.exit_code == 0, only_named.output
    assert json.loads(only_named.stdout)["templates"] == 1

    table = run("template", "lint", "custom/undefined")
    assert table.exit_code == 1
    assert "undefined" in table.stdout and "lead.first_name" in table.stdout

    unknown = run("template", "lint", "custom/nope")
    assert unknown.exit_code == 1
    assert "custom/nope" in unknown.stderr


def test_cadence_check_reports_errors_in_the_templates_it_uses(workspace: Workspace) -> None:
    valid = run("cadence", "check")
    assert valid.exit_code == 0, valid.output
    assert "templates checked, no errors" in valid.stdout

    # A template no cadence uses does not fail the cadence check.
    (workspace.templates_dir / "custom").mkdir()
    (workspace.templates_dir / "custom" / "unused.sms.j2").write_text(UNDEFINED_TEXT)
    assert run("cadence", "check").exit_code == 0

    followup = workspace.templates_dir / "internet-lead" / "followup-text.sms.j2"
    followup.write_text(UNDEFINED_TEXT)
    broken = run("cadence", "check")
    assert broken.exit_code == 1
    assert "template internet-lead/followup-text line 2" in broken.stderr
    assert "first_name is not defined (undefined)" in broken.stderr
    assert "0 cadence problems, 1 template error;" in broken.stdout
