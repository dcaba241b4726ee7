"""Cadence files: the format, its expansion into steps, stable step keys, the stage map."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from leadchase.cadence import DEFAULT_STAGE_MAP, STAGES, Cadence, load_cadences
from leadchase.errors import CadenceError
from tests.conftest import make_cadence_folder, touches_per_day


def load_one(tmp_path: Path, text: str) -> Cadence:
    loaded = load_cadences(make_cadence_folder(tmp_path, {"demo.yaml": text}))
    assert loaded.problems == ()
    return loaded.cadences["demo"]


# ---------------------------------------------------------------- format and expansion


def test_range_list_and_taper_expand_into_one_step_per_day(tmp_path: Path) -> None:
    cadence = load_one(
        tmp_path,
        """\
        steps:
          - days: 3-10
            call: 1
          - days: [12, 20]
            call: 1
        taper:
          days: [12, 40]
          text: 1
          email: 1
        """,
    )
    assert [step.day for step in cadence.steps] == [3, 4, 5, 6, 7, 8, 9, 10, 12, 20, 40]
    day12 = next(step for step in cadence.steps if step.day == 12)
    assert [touch.channel for touch in day12.touches] == ["call", "text", "email"]
    assert touches_per_day(cadence, 40) == {"call": 0, "text": 1, "email": 1}
    assert cadence.attempts_in_first(10) == 8
    assert cadence.attempts_in_first(12) == 11


def test_compact_and_full_forms(tmp_path: Path) -> None:
    cadence = load_one(
        tmp_path,
        """\
        name: demo
        description: A demo
        automated: [text]
        steps:
          - day: 1
            call: {count: 2, say: "Ask about the quote, keep it short"}
            text: {count: 3, templates: [demo/a, demo/b, demo/c], at: [arrival, 15:00]}
            email: 1
          - day: 2
            text: {at: 9:30, automated: no}
            email: {template: demo/mail, automated: yes}
        """,
    )
    assert cadence.name == "demo" and cadence.description == "A demo"
    day1 = {touch.step_key: touch for touch in cadence.touches() if touch.day == 1}
    assert day1["d1-call-2"].say == "Ask about the quote, keep it short"
    assert not day1["d1-call-1"].automated and day1["d1-call-1"].template is None
    assert day1["d1-text-1"].on_arrival and day1["d1-text-1"].at is None
    assert day1["d1-text-2"].at == time(15, 0) and not day1["d1-text-2"].on_arrival
    assert day1["d1-text-3"].at is None and day1["d1-text-3"].template == "demo/c"
    assert day1["d1-email-1"].automated is False and day1["d1-email-1"].template is None
    day2 = {touch.step_key: touch for touch in cadence.touches() if touch.day == 2}
    # 9:30 unquoted is the number 570 to YAML 1.1; the loader reads what was typed.
    assert day2["d2-text-1"].at == time(9, 30) and day2["d2-text-1"].automated is False
    assert day2["d2-email-1"].automated and day2["d2-email-1"].template == "demo/mail"


def test_automated_touch_without_template_gets_the_default_name(tmp_path: Path) -> None:
    cadence = load_one(
        tmp_path, "automated: [text, email]\nsteps:\n  - day: 4\n    text: 2\n    email: 1\n"
    )
    assert [touch.template for touch in cadence.touches()] == [
        "demo/text",
        "demo/text",
        "demo/email",
    ]


def test_step_keys_are_stable_when_the_file_is_edited(tmp_path: Path) -> None:
    before = load_one(
        tmp_path / "before",
        "steps:\n  - day: 1\n    text: 2\n    call: 1\n  - days: 3-4\n    email: 1\n",
    )
    after = load_one(
        tmp_path / "after",
        """\
        description: edited - templates, times, order and a new day
        steps:
          - days: 3-4
            email: {template: new/email, at: '10:00'}
          - day: 1
            call: {count: 1, say: "new talking point"}
            text: {count: 2, templates: [x, y]}
          - day: 2
            email: 1
        """,
    )
    keys_before = [touch.step_key for touch in before.touches()]
    keys_after = {touch.step_key for touch in after.touches()}
    assert keys_before == ["d1-call-1", "d1-text-1", "d1-text-2", "d3-email-1", "d4-email-1"]
    assert set(keys_before) <= keys_after
    assert keys_after - set(keys_before) == {"d2-email-1"}


# ---------------------------------------------------------------- stage map


SHIPPED_STAGE_CADENCES = (
    "internet-lead", "engaged", "pre-approved", "under-contract", "closed", "nurture", "lost",
)  # fmt: skip


def test_stage_map_defaults_when_there_is_no_stages_file(tmp_path: Path) -> None:
    files = {f"{name}.yaml": "steps:\n  - day: 1\n    call: 1\n" for name in SHIPPED_STAGE_CADENCES}
    loaded = load_cadences(make_cadence_folder(tmp_path, files, stages=None))
    assert loaded.problems == ()
    assert loaded.stage_map == DEFAULT_STAGE_MAP
    assert loaded.stage_map.names == STAGES
    assert loaded.stage_map.cadence_for("new") == "internet-lead"
    assert loaded.stage_map.cadence_for("dead") is None
    assert loaded.for_stage("engaged") is loaded.cadences["engaged"]
    assert loaded.for_stage("application") is None


def test_stage_map_naming_a_missing_or_broken_cadence(tmp_path: Path) -> None:
    folder = make_cadence_folder(
        tmp_path,
        {"broken.yaml": "steps: 3\n"},
        stages="new: internet-leads\nnurture: broken\nengaged: ~\ncontacted: none\n"
        "Won Big: none\nlost: {cadence: none, colour: red}\n",
    )
    loaded = load_cadences(folder)
    assert [str(problem) for problem in loaded.problems] == [
        "cadences/broken.yaml: steps must be a list, one '- day: ...' per step",
        "cadences/stages.yaml: 'Won Big' is not a usable stage name (use a-z, 0-9 and -)",
        "cadences/stages.yaml: unknown key 'colour' in stage 'lost' "
        "(use cadence, meaning, funnel, reasons, quiet_after_days)",
        "cadences/stages.yaml: stage 'new' uses 'internet-leads', which does not exist "
        "(add internet-leads.yaml or map 'new' to another cadence)",
        "cadences/stages.yaml: stage 'nurture' uses 'broken', which did not load "
        "(fix the problems reported for it)",
    ]
    # A stage whose cadence is missing gets none, so nothing ever looks up a missing name; a
    # shipped stage the file leaves out goes without when its cadence is not in the folder.
    assert {stage: loaded.stage_map.cadence_for(stage) for stage in STAGES} == dict.fromkeys(STAGES)


def test_default_stage_map_reports_cadences_missing_from_the_folder(tmp_path: Path) -> None:
    loaded = load_cadences(make_cadence_folder(tmp_path, {}, stages=None))
    assert str(loaded.problems[0]) == (
        "cadences/stages.yaml: stage 'new' uses 'internet-lead' by default, which does not exist "
        "(add internet-lead.yaml or map 'new' to another cadence)"
    )
    assert [problem.message.split("'")[1] for problem in loaded.problems] == [
        "new", "contacted", "engaged", "pre-approved", "under-contract", "closed", "nurture",
        "lost",
    ]  # fmt: skip


def test_stages_file_in_the_older_form_keeps_working_with_the_new_stages(tmp_path: Path) -> None:
    """A workspace made before stages.yaml listed meanings: `stage: cadence` lines, seven
    stages. The shipped stages it leaves out take their place in the order."""
    old = (
        "new: internet-lead\ncontacted: engaged\nengaged: engaged\napplication: none\n"
        "closed: none\ndead: none\nnurture: nurture\n"
    )
    files = {f"{name}.yaml": "steps:\n  - day: 1\n    call: 1\n" for name in SHIPPED_STAGE_CADENCES}
    loaded = load_cadences(make_cadence_folder(tmp_path, files, stages=old))
    assert loaded.problems == ()
    stages = loaded.stage_map
    assert stages.names == (
        "new", "contacted", "engaged", "application", "pre-approved", "under-contract",
        "closed", "dead", "nurture", "lost",
    )  # fmt: skip
    assert stages.cadence_for("closed") is None  # as the file says
    assert stages.cadence_for("pre-approved") == "pre-approved"  # its cadence is there
    assert stages.get("lost").reasons == (
        "rate",
        "competitor",
        "credit",
        "not ready",
        "unreachable",
    )
    assert stages.progression() == stages.names[:7]


def test_a_stages_file_may_add_its_own_stage_and_order(tmp_path: Path) -> None:
    files = {"nurture.yaml": "steps:\n  - day: 1\n    call: 1\n"}
    stages = (
        "new: none\ncontacted: none\nengaged: {cadence: none, quiet_after_days: 10}\n"
        "appraisal:\n  cadence: nurture\n  meaning: waiting on the appraisal\n"
        "nurture: none\n"
    )
    loaded = load_cadences(make_cadence_folder(tmp_path, files, stages=stages))
    assert loaded.problems == ()
    names = loaded.stage_map.names
    # In the file's order; the shipped stages it leaves out go right after their predecessor.
    assert names == (
        "new", "contacted", "engaged", "application", "pre-approved", "under-contract",
        "closed", "appraisal", "nurture", "lost", "dead",
    )  # fmt: skip
    assert loaded.stage_map.get("appraisal").meaning == "waiting on the appraisal"
    assert loaded.stage_map.get("engaged").quiet_after_days == 10
    assert loaded.stage_map.parse(" Appraisal ") == "appraisal"


def test_unknown_stage_lookup_is_a_cadence_error() -> None:
    with pytest.raises(CadenceError, match="unknown stage 'won'"):
        DEFAULT_STAGE_MAP.cadence_for("won")
