"""Cadence files: the format, every validation message, expansion, step keys, shipped cadences."""

from __future__ import annotations

from collections import Counter
from datetime import time
from pathlib import Path
from textwrap import dedent

import pytest

from leadchase.cadence import (
    DEFAULT_STAGE_MAP,
    STAGES,
    Cadence,
    Problem,
    check_cadences,
    load_cadences,
)
from leadchase.errors import CadenceError

SHIPPED = Path(__file__).resolve().parents[1] / "cadences"

# The templates the shipped cadences use; the templates engineer writes exactly these.
SHIPPED_TEMPLATES = {
    "internet-lead/first-text",
    "internet-lead/followup-text",
    "internet-lead/taper-text",
    "internet-lead/first-email",
    "internet-lead/day1-email",
    "internet-lead/followup-email",
    "internet-lead/taper-email",
    "aged-lead/first-text",
    "aged-lead/followup-text",
    "aged-lead/followup-email",
    "nurture/monthly-email",
    "nurture/checkin-text",
}

# Maps every stage to no cadence, so single-file tests only see the problems of their file.
NO_STAGES = "new: none\ncontacted: none\nengaged: none\nnurture: none\n"


def make_folder(tmp_path: Path, files: dict[str, str], stages: str | None = NO_STAGES) -> Path:
    folder = tmp_path / "cadences"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(dedent(text), encoding="utf-8")
    if stages is not None:
        (folder / "stages.yaml").write_text(stages, encoding="utf-8")
    return folder


def problems_in(tmp_path: Path, text: str, *, template_names: set[str] | None = None) -> list[str]:
    folder = make_folder(tmp_path, {"demo.yaml": text})
    return [str(problem) for problem in check_cadences(folder, template_names=template_names)]


def load_one(tmp_path: Path, text: str) -> Cadence:
    loaded = load_cadences(make_folder(tmp_path, {"demo.yaml": text}))
    assert loaded.problems == ()
    return loaded.cadences["demo"]


def per_day(cadence: Cadence, day: int) -> dict[str, int]:
    counts = Counter(touch.channel for touch in cadence.touches() if touch.day == day)
    return {channel: counts[channel] for channel in ("call", "text", "email")}


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
        "(use count, template, templates, automated, at, say)",
    ),
    "unknown key in the file": (
        "stepz: []\nsteps:\n  - day: 1\n    call: 1\n",
        "cadences/demo.yaml: unknown key 'stepz' (use name, description, automated, steps, taper)",
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
        f"{STEP} 'step 1': give the step one of day: 4, days: 3-10 or days: [3, 5, 8]",
    ),
    "step with a day and nothing else": (
        "steps:\n  - day: 4\n",
        f"{STEP} 'day: 4': the step plans nothing (add call, text or email)",
    ),
    "time of day with am/pm": (
        "steps:\n  - day: 2\n    text: {at: 9:30am}\n",
        f"{STEP} 'day: 2': time '9:30am' is not HH:MM "
        "(use 24-hour time like 09:30, or arrival on day 1)",
    ),
    "time of day past midnight": (
        "steps:\n  - day: 2\n    text: {at: '25:00'}\n",
        f"{STEP} 'day: 2': time '25:00' is not HH:MM "
        "(use 24-hour time like 09:30, or arrival on day 1)",
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
    folder = make_folder(tmp_path, {})
    (folder / "demo.yaml").write_bytes(b"description: caf\xe9\n")
    assert [str(p) for p in check_cadences(folder)] == [
        "cadences/demo.yaml: the file is not UTF-8 text (save it as UTF-8)"
    ]


def test_unusable_file_name(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, {"Internet Lead.yaml": "steps:\n  - day: 1\n    call: 1\n"})
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
    folder = make_folder(tmp_path, {"demo.yaml": step, "demo.yml": step})
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
    folder = make_folder(
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
    folder = make_folder(tmp_path, {"demo.yaml": "steps:\n  - day: 1\n    call: 1\n    sms: 1\n"})
    loaded = load_cadences(folder)
    assert loaded.cadences == {}
    assert len(loaded.problems) == 1


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
    assert per_day(cadence, 40) == {"call": 0, "text": 1, "email": 1}
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


def test_stage_map_defaults_when_there_is_no_stages_file(tmp_path: Path) -> None:
    files = {
        f"{name}.yaml": "steps:\n  - day: 1\n    call: 1\n"
        for name in ("internet-lead", "engaged", "nurture")
    }
    loaded = load_cadences(make_folder(tmp_path, files, stages=None))
    assert loaded.problems == ()
    assert loaded.stage_map == DEFAULT_STAGE_MAP
    assert loaded.stage_map.cadence_for("new") == "internet-lead"
    assert loaded.stage_map.cadence_for("dead") is None
    assert loaded.for_stage("engaged") is loaded.cadences["engaged"]
    assert loaded.for_stage("application") is None


def test_stage_map_naming_a_missing_or_broken_cadence(tmp_path: Path) -> None:
    folder = make_folder(
        tmp_path,
        {"broken.yaml": "steps: 3\n"},
        stages="new: internet-leads\nnurture: broken\nengaged: ~\ncontacted: none\nlost: none\n",
    )
    loaded = load_cadences(folder)
    assert [str(problem) for problem in loaded.problems] == [
        "cadences/broken.yaml: steps must be a list, one '- day: ...' per step",
        "cadences/stages.yaml: unknown stage 'lost' "
        "(use new, contacted, engaged, application, closed, dead, nurture)",
        "cadences/stages.yaml: stage 'new' uses 'internet-leads', which does not exist "
        "(add internet-leads.yaml or map 'new' to another cadence)",
        "cadences/stages.yaml: stage 'nurture' uses 'broken', which did not load "
        "(fix the problems reported for it)",
    ]
    # A stage whose cadence is missing gets none, so nothing ever looks up a missing name.
    assert {stage: loaded.stage_map.cadence_for(stage) for stage in STAGES} == dict.fromkeys(STAGES)


def test_default_stage_map_reports_cadences_missing_from_the_folder(tmp_path: Path) -> None:
    loaded = load_cadences(make_folder(tmp_path, {}, stages=None))
    assert str(loaded.problems[0]) == (
        "cadences/stages.yaml: stage 'new' uses 'internet-lead' by default, which does not exist "
        "(add internet-lead.yaml or map 'new' to another cadence)"
    )
    assert [problem.message.split("'")[1] for problem in loaded.problems] == [
        "new",
        "contacted",
        "engaged",
        "nurture",
    ]


def test_unknown_stage_lookup_is_a_cadence_error() -> None:
    with pytest.raises(CadenceError, match="unknown stage 'won'"):
        DEFAULT_STAGE_MAP.cadence_for("won")


# ---------------------------------------------------------------- the shipped cadences


@pytest.fixture(scope="module")
def shipped() -> dict[str, Cadence]:
    loaded = load_cadences(SHIPPED, template_names=SHIPPED_TEMPLATES)
    assert [str(problem) for problem in loaded.problems] == []
    return loaded.cadences


def test_shipped_cadences_load_with_no_problems(shipped: dict[str, Cadence]) -> None:
    assert sorted(shipped) == ["aged-lead", "engaged", "internet-lead", "nurture"]
    used = {touch.template for cadence in shipped.values() for touch in cadence.touches()}
    assert used - {None} == SHIPPED_TEMPLATES


def test_shipped_stage_map() -> None:
    loaded = load_cadences(SHIPPED)
    assert {stage: loaded.stage_map.cadence_for(stage) for stage in STAGES} == {
        "new": "internet-lead",
        "contacted": "engaged",
        "engaged": "engaged",
        "application": None,
        "closed": None,
        "dead": None,
        "nurture": "nurture",
    }


def test_internet_lead_is_the_reference_cadence(shipped: dict[str, Cadence]) -> None:
    cadence = shipped["internet-lead"]
    assert per_day(cadence, 1) == {"call": 2, "text": 2, "email": 2}
    assert per_day(cadence, 2) == {"call": 2, "text": 1, "email": 1}
    for day in range(3, 11):
        assert per_day(cadence, day) == {"call": 1, "text": 1, "email": 1}
    assert per_day(cadence, 11) == {"call": 0, "text": 0, "email": 0}
    assert cadence.attempts_in_first(10) == 6 + 4 + 8 * 3
    taper = [12, 14, 17, 21, 30, 45, 60, 90, 120, 180, 270, 365, 540, 730]
    assert [step.day for step in cadence.steps if step.day > 10] == taper
    for day in taper:
        assert per_day(cadence, day)["text"] == 1 and per_day(cadence, day)["email"] == 1
    assert sum(per_day(cadence, day)["call"] for day in taper) >= 2


def test_internet_lead_first_text_goes_out_on_arrival(shipped: dict[str, Cadence]) -> None:
    first = shipped["internet-lead"].touches()
    text = next(touch for touch in first if touch.step_key == "d1-text-1")
    assert text.on_arrival and text.automated and text.template == "internet-lead/first-text"


def test_shipped_calls_are_manual_with_a_talking_point(shipped: dict[str, Cadence]) -> None:
    calls = [t for cadence in shipped.values() for t in cadence.touches() if t.channel == "call"]
    assert calls and all(not call.automated and call.say for call in calls)


def test_shipped_cadence_shapes(shipped: dict[str, Cadence]) -> None:
    aged = shipped["aged-lead"]
    assert per_day(aged, 1) == {"call": 1, "text": 1, "email": 0}
    assert per_day(aged, 2) == {"call": 0, "text": 0, "email": 1}
    assert max(step.day for step in aged.steps) == 365
    assert aged.attempts_in_first(10) < shipped["internet-lead"].attempts_in_first(10) / 3
    engaged = shipped["engaged"]
    assert [step.day for step in engaged.steps] == [1, 2, 4, 7, 14, 21, 30]
    assert not any(touch.automated for touch in engaged.touches())
    nurture = shipped["nurture"].touches()
    emails = [touch.day for touch in nurture if touch.channel == "email"]
    assert len(emails) == 24 and max(emails) <= 730
    assert 0 < sum(touch.channel == "text" for touch in nurture) < len(emails)


def test_the_full_example_in_the_docs_is_the_shipped_internet_lead(
    tmp_path: Path, shipped: dict[str, Cadence]
) -> None:
    docs = (SHIPPED.parent / "docs" / "cadences.md").read_text(encoding="utf-8")
    example = docs.split("```yaml\n", 1)[1].split("```", 1)[0]
    folder = make_folder(tmp_path, {"internet-lead.yaml": example})
    loaded = load_cadences(folder, template_names=SHIPPED_TEMPLATES)
    assert loaded.problems == ()
    assert loaded.cadences["internet-lead"].touches() == shipped["internet-lead"].touches()
