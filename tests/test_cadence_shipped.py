"""The cadences leadchase ships: they load clean, follow the reference shape, match the docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadchase.cadence import STAGES, Cadence, load_cadences
from tests.conftest import PROJECT, make_cadence_folder, touches_per_day

SHIPPED = PROJECT / "cadences"

# The templates the shipped cadences use; the templates engineer writes exactly these.
SHIPPED_TEMPLATES = {
    "internet-lead/first-text",
    "internet-lead/day1-followup-text",
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
    "pre-approved/house-hunting-text",
    "pre-approved/checkin-email",
    "pre-approved/expiry-text",
    "pre-approved/expiry-email",
    "closed/thank-you-text",
    "closed/review-ask-text",
    "closed/anniversary-text",
    "closed/equity-email",
    "closed/birthday-text",
    "lost/back-in-touch-text",
    "rate-drop/text",
}


@pytest.fixture(scope="module")
def shipped() -> dict[str, Cadence]:
    loaded = load_cadences(SHIPPED, template_names=SHIPPED_TEMPLATES)
    assert [str(problem) for problem in loaded.problems] == []
    return loaded.cadences


def test_shipped_cadences_load_with_no_problems(shipped: dict[str, Cadence]) -> None:
    assert sorted(shipped) == [
        "aged-lead", "closed", "engaged", "internet-lead", "lost", "nurture", "pre-approved",
        "rate-drop", "under-contract",
    ]  # fmt: skip
    used = {touch.template for cadence in shipped.values() for touch in cadence.touches()}
    assert used - {None} == SHIPPED_TEMPLATES


def test_shipped_stage_map() -> None:
    loaded = load_cadences(SHIPPED)
    assert {stage: loaded.stage_map.cadence_for(stage) for stage in STAGES} == {
        "new": "internet-lead",
        "contacted": "engaged",
        "engaged": "engaged",
        "application": None,
        "pre-approved": "pre-approved",
        "under-contract": "under-contract",
        "closed": "closed",
        "nurture": "nurture",
        "lost": "lost",
        "dead": None,
    }
    assert loaded.stage_map == load_cadences(SHIPPED).stage_map
    assert loaded.stage_map.names == STAGES  # the file lists the shipped order


def test_internet_lead_is_the_reference_cadence(shipped: dict[str, Cadence]) -> None:
    cadence = shipped["internet-lead"]
    assert touches_per_day(cadence, 1) == {"call": 2, "text": 2, "email": 2}
    assert touches_per_day(cadence, 2) == {"call": 2, "text": 1, "email": 1}
    for day in range(3, 11):
        assert touches_per_day(cadence, day) == {"call": 1, "text": 1, "email": 1}
    assert touches_per_day(cadence, 11) == {"call": 0, "text": 0, "email": 0}
    assert cadence.attempts_in_first(10) == 6 + 4 + 8 * 3
    taper = [12, 14, 17, 21, 30, 45, 60, 90, 120, 180, 270, 365, 540, 730]
    assert [step.day for step in cadence.steps if step.day > 10] == taper
    for day in taper:
        assert (
            touches_per_day(cadence, day)["text"] == 1
            and touches_per_day(cadence, day)["email"] == 1
        )
    assert sum(touches_per_day(cadence, day)["call"] for day in taper) >= 2


def test_internet_lead_first_text_goes_out_on_arrival(shipped: dict[str, Cadence]) -> None:
    first = shipped["internet-lead"].touches()
    text = next(touch for touch in first if touch.step_key == "d1-text-1")
    assert text.on_arrival and text.automated and text.template == "internet-lead/first-text"


def test_internet_lead_second_text_of_day_1_is_the_day_1_follow_up(
    shipped: dict[str, Cadence],
) -> None:
    """Issue #13: "Are you still thinking about..." went out 5 hours after the first text."""
    touches = {touch.step_key: touch for touch in shipped["internet-lead"].touches()}
    assert touches["d1-text-2"].template == "internet-lead/day1-followup-text"
    assert touches["d2-text-1"].template == "internet-lead/followup-text"


def test_every_shipped_template_is_sent_by_a_shipped_cadence(
    shipped: dict[str, Cadence],
) -> None:
    used = {touch.template for cadence in shipped.values() for touch in cadence.touches()}
    files = {
        path.relative_to(PROJECT / "templates").as_posix().split(".")[0]
        for path in (PROJECT / "templates").rglob("*.j2")
    }
    assert files - used == set()


def test_shipped_calls_are_manual_with_a_talking_point(shipped: dict[str, Cadence]) -> None:
    calls = [t for cadence in shipped.values() for t in cadence.touches() if t.channel == "call"]
    assert calls and all(not call.automated and call.say for call in calls)


def test_shipped_cadence_shapes(shipped: dict[str, Cadence]) -> None:
    aged = shipped["aged-lead"]
    assert touches_per_day(aged, 1) == {"call": 1, "text": 1, "email": 0}
    assert touches_per_day(aged, 2) == {"call": 0, "text": 0, "email": 1}
    assert max(step.day for step in aged.steps) == 365
    assert aged.attempts_in_first(10) < shipped["internet-lead"].attempts_in_first(10) / 3
    engaged = shipped["engaged"]
    assert [step.day for step in engaged.steps] == [1, 2, 4, 7, 14, 21, 30]
    assert not any(touch.automated for touch in engaged.touches())
    nurture = shipped["nurture"].touches()
    emails = [touch.day for touch in nurture if touch.channel == "email"]
    assert len(emails) == 24 and max(emails) <= 730
    assert 0 < sum(touch.channel == "text" for touch in nurture) < len(emails)
    # A campaign beside the lead's cadence: one call task, then one automated text.
    rate_drop = [(t.day, t.channel, t.automated) for t in shipped["rate-drop"].touches()]
    assert rate_drop == [(1, "call", False), (2, "text", True)]


def test_the_full_example_in_the_docs_is_the_shipped_internet_lead(
    tmp_path: Path, shipped: dict[str, Cadence]
) -> None:
    docs = (SHIPPED.parent / "docs" / "cadences.md").read_text(encoding="utf-8")
    example = docs.split("```yaml\n", 1)[1].split("```", 1)[0]
    folder = make_cadence_folder(tmp_path, {"internet-lead.yaml": example})
    loaded = load_cadences(folder, template_names=SHIPPED_TEMPLATES)
    assert loaded.problems == ()
    assert loaded.cadences["internet-lead"].touches() == shipped["internet-lead"].touches()
