"""Cadence files that are wrong: every validation message names the file, the step and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadchase.cadence import Problem, check_cadences, load_cadences
from leadchase.errors import CadenceError
from tests.conftest import make_cadence_folder


def problems_in(tmp_path: Path, text: str, *, template_names: set[str] | None = None) -> list[str]:
    folder = make_cadence_folder(tmp_path, {"demo.yaml": text})
    return [str(problem) for problem in check_cadences(folder, template_names=template_names)]


# ---------------------------------------------------------------- every validation message

STEP = "cadences/demo.yaml, step"

CASES = {
    "unknown channel": (
        "steps:\n  - days: 3-10\n    sms: 1\n",
        f"{STEP} 'days: 3-10': unknown channel 'sms' (use call, text or email)",
    ),
    "unknown key in a channel": (
        "steps:\n  - day: 1\n    text: {count: 1, tempalte: x}\n",
        f"{STEP} 'day: 1': unknown key 'tempalte' in text "
        "(use count, template, templates, automated, at, say, expires_after)",
    ),
    "unknown key in the file": (
        "stepz: []\nsteps:\n  - day: 1\n    call: 1\n",
        "cadences/demo.yaml: unknown key 'stepz' "
        "(use name, description, automated, min_gap, steps, taper)",
    ),
    "text with a comma in a flow mapping": (
        "steps:\n  - day: 1\n    call: {count: 1, say: Hi, how are you}\n",
        f"{STEP} 'day: 1': unknown key 'how are you' in call (quote text with commas)",
    ),
    "day above 730": (
        "steps:\n  - day: 731\n    call: 1\n",
        f"{STEP} 'day: 731': day 731 is out of range (use 1 to 730)",
    ),
    "day 0": (
        "steps:\n  - day: 0\n    call: 1\n",
        f"{STEP} 'day: 0': day 0 is out of range (use 1 to 730)",
    ),
    "day that is not a number": (
        "steps:\n  - day: first\n    call: 1\n",
        f"{STEP} 'day: first': day 'first' is not a day number (use 1 to 730)",
    ),
    "range past 730": (
        "steps:\n  - days: 700-800\n    call: 1\n",
        f"{STEP} 'days: 700-800': day 800 is out of range (use 1 to 730)",
    ),
    "backwards range": (
        "steps:\n  - days: 10-3\n    call: 1\n",
        f"{STEP} 'days: 10-3': days '10-3' runs backwards (write 3-10)",
    ),
    "malformed range": (
        "steps:\n  - days: 3..10\n    call: 1\n",
        f"{STEP} 'days: 3..10': days '3..10' is not a day range (write e.g. 3-10 or [3, 5, 8])",
    ),
    "day listed twice": (
        "steps:\n  - days: [3, 5, 3]\n    call: 1\n",
        f"{STEP} 'days: [3, 5, 3]': days must list each day once (e.g. days: [3, 5, 8])",
    ),
    "count 0": (
        "steps:\n  - day: 1\n    text: 0\n",
        f"{STEP} 'day: 1': text count '0' is out of range (use 1 to 10, or leave text out)",
    ),
    "count 11": (
        "steps:\n  - day: 1\n    call: {count: 11}\n",
        f"{STEP} 'day: 1': call count '11' is out of range (use 1 to 10, or leave call out)",
    ),
    "call marked automated": (
        "steps:\n  - day: 1\n    call: {count: 1, automated: true}\n",
        f"{STEP} 'day: 1': calls cannot be automated: the tool never dials (remove automated)",
    ),
    "call automated for the whole file": (
        "automated: [call, text]\nsteps:\n  - day: 1\n    call: 1\n",
        "cadences/demo.yaml: calls cannot be automated: the tool never dials (remove call)",
    ),
    "call with a template": (
        "steps:\n  - day: 1\n    call: {template: x}\n",
        f"{STEP} 'day: 1': calls take a talking point (say: ...), not a template",
    ),
    "two steps for the same day and channel": (
        "steps:\n  - days: 3-10\n    text: 1\n  - day: 5\n    text: 1\n    call: 1\n",
        f"{STEP} 'day: 5': text on day 5 is already planned by step 'days: 3-10' "
        "(give each day and channel one step)",
    ),
    "taper overlapping a step": (
        "steps:\n  - days: 10-14\n    email: 1\ntaper:\n  days: [12, 14, 30]\n  email: 1\n",
        f"{STEP} 'taper': email on day 12, 14 is already planned by step 'days: 10-14' "
        "(give each day and channel one step)",
    ),
    "name not matching the file": (
        "name: other\nsteps:\n  - day: 1\n    call: 1\n",
        "cadences/demo.yaml: name 'other' does not match the file name (make them equal)",
    ),
    "empty file": (
        "",
        "cadences/demo.yaml: the file is empty (see docs/cadences.md for the format)",
    ),
    "no steps": (
        "name: demo\ndescription: nothing yet\n",
        "cadences/demo.yaml: the cadence has no steps (add a steps: list with at least one day)",
    ),
    "steps not a list": (
        "steps:\n  day: 1\n",
        "cadences/demo.yaml: steps must be a list, one '- day: ...' per step",
    ),
    "step without a day": (
        "steps:\n  - text: 1\n",
        f"{STEP} 'step 1': give the step one of day: 4, days: 3-10, days: [3, 5, 8] or from: closing_date with years: 1",
    ),
    "step with a day and nothing else": (
        "steps:\n  - day: 4\n",
        f"{STEP} 'day: 4': the step plans nothing (add call, text or email)",
    ),
    "time of day with am/pm": (
        "steps:\n  - day: 2\n    text: {at: 9:30am}\n",
        f"{STEP} 'day: 2': time '9:30am' is not HH:MM "
        "(use 24-hour time like 09:30, morning, midday, afternoon, evening, or arrival on day 1)",
    ),
    "time of day past midnight": (
        "steps:\n  - day: 2\n    text: {at: '25:00'}\n",
        f"{STEP} 'day: 2': time '25:00' is not HH:MM "
        "(use 24-hour time like 09:30, morning, midday, afternoon, evening, or arrival on day 1)",
    ),
    "part of the day that is not one": (
        "steps:\n  - day: 2\n    call: {at: noon}\n",
        f"{STEP} 'day: 2': time 'noon' is not HH:MM "
        "(use 24-hour time like 09:30, morning, midday, afternoon, evening, or arrival on day 1)",
    ),
    "min_gap that is not a length of time": (
        "min_gap: 3 hours\nsteps:\n  - day: 1\n    call: 2\n",
        "cadences/demo.yaml: min_gap '3 hours' is not a length of time (use e.g. 90m, 3h or 2d)",
    ),
    "min_gap too long for a day": (
        "min_gap: 1d\nsteps:\n  - day: 1\n    call: 2\n",
        "cadences/demo.yaml: min_gap '1d' is out of range (use more than 0 and at most 12 h)",
    ),
    "expires_after on a call": (
        "steps:\n  - day: 1\n    call: {expires_after: 1d}\n",
        f"{STEP} 'day: 1': expires_after only applies to automated touches; this call is a "
        "task for you (remove expires_after)",
    ),
    "expires_after that is not a length of time": (
        "automated: [text]\nsteps:\n  - day: 1\n    text: {expires_after: soon}\n",
        f"{STEP} 'day: 1': text expires_after 'soon' is not a length of time "
        "(use e.g. 90m, 3h or 2d)",
    ),
    "expires_after of nothing": (
        "automated: [email]\nsteps:\n  - day: 1\n    email: {expires_after: 0h}\n",
        f"{STEP} 'day: 1': email expires_after '0h' is out of range "
        "(use more than 0 and at most 730 days)",
    ),
    "arrival after day 1": (
        "steps:\n  - day: 2\n    text: {at: arrival}\n",
        f"{STEP} 'day: 2': 'arrival' only works on day 1 (give text a time like 09:30)",
    ),
    "arrival not first": (
        "steps:\n  - day: 1\n    text: {count: 2, at: ['08:00', arrival]}\n",
        f"{STEP} 'day: 1': 'arrival' can only be the first text time of the day",
    ),
    "more times than touches": (
        "steps:\n  - day: 1\n    email: {at: ['09:00', '15:00']}\n",
        f"{STEP} 'day: 1': email has 2 times for 1 touch (one per touch)",
    ),
    "templates not one per touch": (
        "steps:\n  - day: 1\n    text: {count: 3, templates: [a, b]}\n",
        f"{STEP} 'day: 1': text has 2 templates for 3 touches "
        "(give one per touch, or one template: for all)",
    ),
    "template and templates": (
        "steps:\n  - day: 1\n    text: {template: a, templates: [b]}\n",
        f"{STEP} 'day: 1': text has both template and templates (keep one)",
    ),
    "automated that is not true or false": (
        "steps:\n  - day: 1\n    text: {automated: maybe}\n",
        f"{STEP} 'day: 1': text automated must be true or false, not 'maybe'",
    ),
    "duplicate key": (
        "steps:\n  - day: 1\n    text: 1\n    text: 2\n",
        "cadences/demo.yaml: 'text' appears twice (line 4; keep one)",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_mistake_is_reported_with_file_step_and_fix(tmp_path: Path, case: str) -> None:
    text, expected = CASES[case]
    assert problems_in(tmp_path, text) == [expected]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = "steps:\n  - day: 1\n    text: 1\n   email: 1\n"
    (problem,) = problems_in(tmp_path, text)
    assert problem.startswith("cadences/demo.yaml: YAML syntax error at line 4, column 4: ")
    assert problem.endswith("(check the indentation and quote text that contains ': ' or ' #')")


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    folder = make_cadence_folder(tmp_path, {})
    (folder / "demo.yaml").write_bytes(b"description: caf\xe9\n")
    assert [str(p) for p in check_cadences(folder)] == [
        "cadences/demo.yaml: the file is not UTF-8 text (save it as UTF-8)"
    ]


def test_unusable_file_name(tmp_path: Path) -> None:
    folder = make_cadence_folder(
        tmp_path, {"Internet Lead.yaml": "steps:\n  - day: 1\n    call: 1\n"}
    )
    assert [str(p) for p in check_cadences(folder)] == [
        "cadences/Internet Lead.yaml: 'Internet Lead' is not a usable name "
        "(rename the file: a-z, 0-9, -)"
    ]


def test_missing_templates_are_reported_when_the_template_list_is_given(tmp_path: Path) -> None:
    text = """\
        automated: [text, email]
        steps:
          - day: 1
            text: {template: demo/frist-text}
            email: 1
        """
    assert problems_in(tmp_path, text, template_names={"demo/first-text"}) == [
        f"{STEP} 'day: 1': template 'demo/frist-text' does not exist "
        "(add it under templates/ or fix the name)",
        f"{STEP} 'day: 1': template 'demo/email' (the default for an automated email without "
        "template:) does not exist (add it under templates/ or fix the name)",
    ]


def test_template_names_are_not_checked_without_a_list(tmp_path: Path) -> None:
    assert problems_in(tmp_path, "steps:\n  - day: 1\n    text: {template: nowhere}\n") == []


def test_duplicate_cadence_names_across_files(tmp_path: Path) -> None:
    step = "steps:\n  - day: 1\n    call: 1\n"
    folder = make_cadence_folder(tmp_path, {"demo.yaml": step, "demo.yml": step})
    loaded = load_cadences(folder)
    assert [str(p) for p in loaded.problems] == [
        "cadences/demo.yml: 'demo' is already defined by cadences/demo.yaml "
        "(keep one of the two files)"
    ]
    assert loaded.cadences["demo"].source_file == folder / "demo.yaml"


def test_every_problem_in_a_file_is_reported_not_only_the_first(tmp_path: Path) -> None:
    text = "steps:\n  - day: 0\n    call: 1\n  - days: 3-10\n    sms: 1\n    text: 0\n"
    assert problems_in(tmp_path, text) == [
        f"{STEP} 'day: 0': day 0 is out of range (use 1 to 730)",
        f"{STEP} 'days: 3-10': unknown channel 'sms' (use call, text or email)",
        f"{STEP} 'days: 3-10': text count '0' is out of range (use 1 to 10, or leave text out)",
    ]


def test_problem_without_a_step_names_only_the_file() -> None:
    assert str(Problem("cadences/x.yaml", None, "boom")) == "cadences/x.yaml: boom"
    assert str(Problem("cadences/x.yaml", "days: 3-10", "boom")) == (
        "cadences/x.yaml, step 'days: 3-10': boom"
    )


def test_missing_folder_is_a_cadence_error(tmp_path: Path) -> None:
    with pytest.raises(CadenceError, match="not found"):
        load_cadences(tmp_path / "nowhere")


# ---------------------------------------------------------------- a broken file hides nothing


def test_broken_file_does_not_stop_the_others_from_loading(tmp_path: Path) -> None:
    folder = make_cadence_folder(
        tmp_path,
        {
            "alpha.yaml": "steps:\n  - day: 1\n    call: 1\n",
            "broken.yaml": "steps:\n  - day: 1\n   text: [\n",
            "zulu.yaml": "steps:\n  - day: 2\n    text: {automated: false}\n",
        },
    )
    loaded = load_cadences(folder)
    assert sorted(loaded.cadences) == ["alpha", "zulu"]
    assert len(loaded.problems) == 1
    assert loaded.problems[0].file == "cadences/broken.yaml"
    assert "YAML syntax error at line 3" in loaded.problems[0].message


def test_file_with_a_problem_is_left_out_entirely(tmp_path: Path) -> None:
    folder = make_cadence_folder(
        tmp_path, {"demo.yaml": "steps:\n  - day: 1\n    call: 1\n    sms: 1\n"}
    )
    loaded = load_cadences(folder)
    assert loaded.cadences == {}
    assert len(loaded.problems) == 1
