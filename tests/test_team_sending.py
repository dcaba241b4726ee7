"""A team's texts and emails: each lead hears from its officer, from their own Twilio number and
signed by them; what the team shares (opt-outs, the attempt caps) holds whoever's number or
hand it went through. Real SQLite files, the real Twilio SDK against the fake Twilio, real SMTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from leadchase.workspace import Workspace
from tests.conftest import NOW, SF_MORNING, Sending, query, run, run_json
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, FakeTwilio
from tests.smtp_server import SmtpTestServer

ANA = "+14155550111"
BEN = "+14155550122"
KIM = "+14155552671"  # a San Francisco lead
FLO = "+13055552671"  # a Miami lead: Florida allows 3 attempts per 24 h


@pytest.fixture
def team(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sending]:
    """The `sending` workspace, with a fake Twilio account that holds Ana's and Ben's numbers
    beside the workspace's own, and both officers added."""
    settings = workspace.settings_file.read_text()
    workspace.settings_file.write_text(
        settings.replace("messages_per_second = 1.0", "messages_per_second = 500.0")
    )
    numbers = (OUR_NUMBER, ANA, BEN)
    with FakeTwilio(numbers=numbers) as twilio, SmtpTestServer() as smtp:
        wired = Sending(workspace, twilio, smtp)
        for name, value in wired.env().items():
            monkeypatch.setenv(name, value)
        for name, number, signature in (
            ("Ana Ruiz", ANA, "Senior Loan Officer"),
            ("Ben Ode", BEN, "Branch Manager"),
        ):
            added = run(
                "officer", "add", name, "--from-number", number, "--signature", signature,
                "--email", f"{name.split()[0].lower()}@example.com", "--nmls", "555",
            )  # fmt: skip
            assert added.exit_code == 0, added.output
        yield wired


def _import(workspace: Workspace, name: str, phone: str, email: str, *args: str) -> int:
    """A lead arriving now: SF_MORNING in San Francisco, or NOW (10:00 too) in Miami."""
    state, zip_code = ("FL", "33130") if phone == FLO else ("CA", "94103")
    at = NOW if phone == FLO else SF_MORNING
    path = workspace.root / f"{name.split()[0]}.csv"
    path.write_text(
        "name,phone,email,state,zip,lead_date\n"
        f"{name},{phone},{email},{state},{zip_code},{at.isoformat()}\n"
    )
    assert run_json("import", str(path), *args, now=at)["imported"] == 1
    ((lead_id,),) = query(workspace, f"SELECT id FROM lead WHERE phone = '{phone}'")  # noqa: S608
    return int(lead_id)


def _from_of(twilio: FakeTwilio, to: str) -> list[str]:
    return [m["from"] for m in twilio.sent() if m["to"] == to]


def test_each_lead_is_texted_from_its_officers_number_and_signed_by_them(team: Sending) -> None:
    _import(team.workspace, "Kim Lu", KIM, "kim@example.com", "--officer", "Ana Ruiz")
    _import(team.workspace, "Sam Ito", "+14155552672", "sam@example.com", "--officer", "Ben Ode")
    _import(team.workspace, "Dee Fox", "+14155552673", "dee@example.com")  # the default's
    result = team.send(SF_MORNING)
    assert result.count("sent") == 6, result.to_json()
    assert _from_of(team.twilio, KIM) == [ANA]
    assert _from_of(team.twilio, "+14155552672") == [BEN]
    assert _from_of(team.twilio, "+14155552673") == [OUR_NUMBER]
    (kim_text,) = team.texts_to(KIM)
    assert "Ana" in kim_text and "Jordan" not in kim_text
    stored = dict(query(team.workspace, "SELECT to_address, from_address FROM message"))
    assert stored[KIM] == ANA and stored["+14155552673"] == OUR_NUMBER
    emails = {mail.message["To"]: mail.message for mail in team.smtp.received}
    ana_email = emails["kim@example.com"]
    assert "Ana Ruiz" in ana_email["From"] and ana_email["Reply-To"] == "ana@example.com"
    body = str(ana_email.get_content())
    assert "Ana Ruiz, Rivera Home Loans (NMLS 555)\nSenior Loan Officer" in body
    assert "Jordan Rivera" not in body
    assert "Jordan Rivera" in emails["dee@example.com"]["From"]


def test_an_assigned_lead_gets_its_next_text_from_the_new_officer(team: Sending) -> None:
    lead = _import(team.workspace, "Kim Lu", KIM, "", "--officer", "Ana Ruiz")
    team.send(SF_MORNING)
    assert run("assign", str(lead), "Ben Ode").exit_code == 0
    for hours in (6, 26, 50):  # day 1's afternoon text, then day 2's and day 3's
        team.send(SF_MORNING + timedelta(hours=hours))
    senders = _from_of(team.twilio, KIM)
    assert senders[0] == ANA and len(senders) >= 2
    assert set(senders[1:]) == {BEN}
    assert all("Ben" in body for body in team.texts_to(KIM)[1:])


def test_a_stop_to_one_officers_number_stops_every_officers_texts(team: Sending) -> None:
    lead = _import(team.workspace, "Kim Lu", KIM, "", "--officer", "Ana Ruiz")
    team.send(SF_MORNING)
    assert _from_of(team.twilio, KIM) == [ANA]
    team.twilio.add_inbound(KIM, "STOP", to=ANA)  # to Ana's number, not the workspace's
    assert run("assign", str(lead), "Ben Ode").exit_code == 0
    later = SF_MORNING + timedelta(days=1, hours=2)
    result = team.send(later)
    assert result.replies == 1
    assert _from_of(team.twilio, KIM) == [ANA]  # Ben sent nothing
    assert query(team.workspace, "SELECT value, channel FROM suppression") == [(KIM, "text")]
    # The workspace's own number stops too: the opt-out is the phone's, not a number's.
    assert run("assign", str(lead), "default").exit_code == 0
    team.send(later + timedelta(days=1))
    assert _from_of(team.twilio, KIM) == [ANA]
    blocked = run("log", str(lead), "text", now=later + timedelta(days=1))
    assert blocked.exit_code == 1 and "opt" in blocked.stderr


def test_help_to_an_officers_number_is_answered_by_them_from_it(team: Sending) -> None:
    _import(team.workspace, "Kim Lu", KIM, "", "--officer", "Ana Ruiz")
    team.twilio.add_inbound(KIM, "HELP", to=BEN)
    assert run("sync", now=SF_MORNING).exit_code == 0
    answers = [m for m in team.twilio.sent() if m["to"] == KIM and "STOP" in m["body"]]
    help_answer = next(m for m in answers if m["body"].startswith("Ben Ode"))
    assert help_answer["from"] == BEN


def test_three_attempts_by_two_officers_are_three_attempts(team: Sending) -> None:
    # Miami at 10:00: inside the window, Florida's cap of 3 calls and texts per rolling 24 h.
    morning = NOW
    lead = str(_import(team.workspace, "Flo Diaz", FLO, "", "--officer", "Ana Ruiz"))
    first = team.send(morning)  # attempt 1: Ana's automated text
    assert _from_of(team.twilio, FLO) == [ANA], first.to_json()
    ana = run("log", lead, "call", "--outcome", "no-answer", now=morning + timedelta(hours=1))
    assert ana.exit_code == 0, ana.output  # attempt 2: Ana's call
    assert run("assign", lead, "Ben Ode").exit_code == 0
    second = run("log", lead, "call", "--outcome", "no-answer", now=morning + timedelta(hours=2))
    assert second.exit_code == 0, second.output  # attempt 3: Ben's call
    fourth = run("log", lead, "call", now=morning + timedelta(hours=3))
    assert fourth.exit_code == 1, fourth.output
    assert "3 attempts in the last 24 h; Florida law allows 3" in fourth.stderr
    # Ben's automated text of the afternoon waits for the cap too.
    afternoon = team.send(morning + timedelta(hours=6))
    reasons = [item.reason for item in afternoon.items if item.to == FLO]
    assert reasons and all("3 attempts in the last 24 h" in why for why in reasons), reasons
    assert _from_of(team.twilio, FLO) == [ANA]


@pytest.mark.both_backends
def test_an_officers_own_hours_hold_their_leads_texts_and_the_agenda_says_until_when(
    team: Sending,
) -> None:
    # Cy works 11:00-18:00 in San Francisco; at SF_MORNING (10:00 there) Kim's law window is
    # open but Cy's is not. Ben keeps no hours of his own: Sam hears from him at once.
    added = run(
        "officer", "add", "Cy Hale", "--window-start", "11:00", "--window-end", "18:00",
        "--timezone", "America/Los_Angeles",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    kim = _import(team.workspace, "Kim Lu", KIM, "kim@example.com", "--officer", "Cy Hale")
    _import(team.workspace, "Sam Ito", "+14155552672", "", "--officer", "Ben Ode")
    opens = SF_MORNING + timedelta(hours=1)
    # The agenda asks the same policy: Kim's call waits, and says when it opens.
    agenda = run_json("today", "--officer", "Cy Hale", now=SF_MORNING)
    (call,) = [task for task in agenda if task["lead_id"] == kim and task["channel"] == "call"]
    assert call["allowed_now"] is False
    assert "10:00 is before Cy Hale's hours (11:00-18:00" in call["blocked_reason"]
    assert call["next_allowed_at"] == opens.isoformat()
    held = team.send(SF_MORNING)
    assert team.texts_to(KIM) == [] and len(team.texts_to("+14155552672")) == 1
    assert [m for m in team.smtp.received if m.message["To"] == "kim@example.com"] == []
    reasons = [item.reason for item in held.items if item.to in (KIM, "kim@example.com")]
    assert len(reasons) == 2 and all("before Cy Hale's hours" in why for why in reasons), reasons
    # The send run moved them to the moment the agenda named, and sends them then.
    due = query(team.workspace, f"SELECT due_at FROM touch WHERE lead_id = {kim} AND automated")  # noqa: S608
    assert {str(at)[:19] for (at,) in due} >= {opens.replace(tzinfo=None).isoformat(sep=" ")}
    assert team.send(opens - timedelta(minutes=1)).count("sent") == 0
    team.send(opens)
    assert len(team.texts_to(KIM)) == 1
    assert [m for m in team.smtp.received if m.message["To"] == "kim@example.com"] != []
    assert run_json("today", "--officer", "Cy Hale", now=opens)[0]["allowed_now"] is True


SERVICE = "MG" + "0123456789abcdef" * 2


@pytest.mark.both_backends
def test_doctor_checks_each_officers_own_number_and_service_and_names_whose_is_wrong(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeTwilio(numbers=(OUR_NUMBER, ANA), services=(SERVICE,)) as twilio:
        _texts_only(monkeypatch, twilio)
        for name, option, sender in (
            ("Ana Ruiz", "--from-number", ANA),
            ("Ben Ode", "--from-number", BEN),  # not a number of the account
            ("Cy Hale", "--messaging-service", SERVICE),
            ("Di Park", "--messaging-service", "MG" + "f" * 32),  # not a service of it
        ):
            assert run("officer", "add", name, option, sender).exit_code == 0
        assert run("officer", "add", "Eve Low").exit_code == 0  # texts from [twilio]'s
        result = run("doctor")
        words = " ".join(result.stdout.split())
        assert result.exit_code == 1, result.output
        assert f"Twilio for Ana Ruiz: their texts go from {ANA}" in words
        assert f"Twilio for Cy Hale: their texts go from {SERVICE}" in words
        assert f"problem Twilio for Ben Ode: {BEN} is not a phone number on Twilio" in words
        assert "problem Twilio for Di Park: MGffff" in words and "not a messaging service" in words
        assert "Eve Low" not in words
        assert twilio.sent() == []
        # Removed officers are not checked: with Ben and Di gone, doctor is content.
        for name in ("Ben Ode", "Di Park"):
            assert run("officer", "remove", name).exit_code == 0
        assert run("doctor").exit_code == 0


def _texts_only(monkeypatch: pytest.MonkeyPatch, twilio: FakeTwilio) -> None:
    """[twilio] at the fake, and no SMTP: for commands that only text."""
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("TWILIO_FROM", OUR_NUMBER)
    monkeypatch.setenv("LEADCHASE_TWILIO_BASE_URL", twilio.base_url)


@pytest.mark.both_backends
def test_texts_to_an_officers_messaging_service_are_ours_only_when_twilio_marks_them(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = "+14155550199"  # a number in Cy's messaging service's pool, not on [twilio]
    with FakeTwilio(numbers=(OUR_NUMBER, pool), services=(SERVICE,)) as twilio:
        _texts_only(monkeypatch, twilio)
        assert run("officer", "add", "Cy Hale", "--messaging-service", SERVICE).exit_code == 0
        _import(workspace, "Kim Lu", KIM, "", "--officer", "Cy Hale")
        _import(workspace, "Sam Ito", "+14155552672", "", "--officer", "Cy Hale")
        twilio.add_inbound(KIM, "HELP", to=pool, service=SERVICE)
        twilio.add_inbound(KIM, "STOP", to=pool, service=SERVICE)
        # The same pool number without the service's mark is not one of ours: not read.
        twilio.add_inbound("+14155552672", "STOP", to=pool)
        synced = run_json("sync", now=SF_MORNING + timedelta(minutes=5))
        assert synced["received"] == 2, synced
        assert query(workspace, "SELECT value, channel FROM suppression") == [(KIM, "text")]
        # HELP is answered by Cy, through his service.
        (answer,) = [m for m in twilio.sent() if m["to"] == KIM]
        assert answer["body"].startswith("Cy Hale") and answer["messaging_service_sid"] == SERVICE
