"""`leadchase officer set NAME field=value`: an active officer's details changed, checked as
`officer add` checks them, and nothing changed when any one is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import run, run_json
from tests.test_team import ANA, BEN, add_officers

SERVICE = "MG" + "0123456789abcdef" * 2


def ana() -> dict[str, Any]:
    (line,) = [line for line in run_json("officer", "list", "--all") if line["name"] == "Ana Ruiz"]
    officer: dict[str, Any] = line["officer"]
    return officer


@pytest.mark.both_backends
@pytest.mark.usefixtures("workspace")
def test_an_officers_details_change_one_field_at_a_time() -> None:
    add_officers(("Ana Ruiz", ANA))
    assert run("officer", "add", "Ana Ruiz", "--window-start", "08:30").exit_code == 1
    done = run(
        "officer", "set", "ana  ruiz", "phone=(415) 555-0199", "email=Ana@Example.com",
        "nmls=123456", "signature=Branch Manager", "window-start=08:30", "window_end=17:00",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    changed = "phone, email, nmls, signature, window-start, window-end, timezone changed"
    assert f"Ana Ruiz: {changed}." in done.stdout
    details = ana()
    assert {k: details[k] for k in ("phone", "email", "nmls", "signature")} == {
        "phone": "(415) 555-0199",
        "email": "ana@example.com",  # as `officer add` stores it
        "nmls": "123456",
        "signature": "Branch Manager",
    }
    assert (details["window_start"], details["window_end"], details["timezone"]) == (
        "08:30",
        "17:00",
        "America/New_York",  # [contact] default_timezone, as `officer add` gives it
    )
    assert details["from_number"] == ANA

    # Her messaging service takes the place of her number, and back; the window's end alone.
    moved = run_json(
        "officer", "set", "Ana Ruiz", f"messaging-service={SERVICE}", "window-end=18:00"
    )
    assert moved["changed"] == ["messaging-service", "window-end", "from-number"]
    assert (ana()["from_number"], ana()["messaging_service_sid"]) == ("", SERVICE)
    assert (ana()["window_start"], ana()["window_end"]) == ("08:30", "18:00")
    run_json("officer", "set", "Ana Ruiz", "from-number=+1 415 555 0111")
    assert (ana()["from_number"], ana()["messaging_service_sid"]) == (ANA, "")
    # An empty value clears: without a window she keeps [contact]'s hours.
    run_json("officer", "set", "Ana Ruiz", "window-start=", "window-end=")
    assert (ana()["window_start"], ana()["window_end"], ana()["timezone"]) == ("", "", "")
    listed = run("officer", "list")
    assert ANA in listed.stdout and "[contact]" in listed.stdout


@pytest.mark.both_backends
@pytest.mark.usefixtures("workspace")
def test_a_wrong_detail_changes_nothing_and_says_which() -> None:
    add_officers(("Ana Ruiz", ANA), ("Ben Ode", BEN))
    before = ana()
    for args, problem in [
        (("Ana Ruiz", "email=not-an-address"), "email 'not-an-address' is not an email"),
        (("Ana Ruiz", "nmls=7", "from-number=12"), "is not a phone number"),
        (("Ana Ruiz", f"from-number={BEN}"), f"{BEN} is already Ben Ode's"),
        (("Ana Ruiz", "messaging-service=MG1"), "is not a Twilio messaging service SID"),
        (("Ana Ruiz", f"from-number={ANA}", f"messaging-service={SERVICE}"), "not both"),
        (("Ana Ruiz", "window-start=18:00", "window-end=09:00"), "must be after"),
        (("Ana Ruiz", "window-start=09:00"), "give both window-start and window-end"),
        (("Ana Ruiz", "timezone=Mars/Olympus"), "timezone goes with window-start and window-end"),
        (("Ana Ruiz", "phnoe=1"), "unknown field 'phnoe'; did you mean phone?"),
        (("Ana Ruiz", "phone"), "'phone' is not field=value"),
        (("Ana Ruiz",), "nothing to change"),
        (("Ann Ruiz", "nmls=1"), "no officer 'Ann Ruiz'"),
        (("Jordan Rivera", "nmls=1"), "is the default officer"),
    ]:
        result = run("officer", "set", *args)
        assert result.exit_code == 1, args
        assert problem in result.stderr, (args, result.stderr)
    assert ana() == before
    run("officer", "remove", "Ben Ode")
    gone = run("officer", "set", "Ben Ode", "nmls=1")
    assert gone.exit_code == 1 and "has left the team" in gone.stderr
