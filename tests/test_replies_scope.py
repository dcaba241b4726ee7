"""How far an inbound text reaches: STOP ends texts, "remove me" ends all contact, a doubt pauses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leadchase.agenda import build_agenda
from leadchase.context import open_workspace
from leadchase.lead_work import set_stage
from tests.conftest import PHONES, Sending, import_leads, query

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)  # Monday 10:00 in San Francisco (SF_MORNING)


def _rows(sending: Sending, sql: str) -> list[tuple[object, ...]]:
    return query(sending.workspace, sql)


def _agenda_leads(sending: Sending, now: datetime) -> set[str]:
    with open_workspace(sending.workspace.root) as context:
        agenda = build_agenda(context, now)
    return {item.name for item in agenda.items}


def _emails_to(sending: Sending, address: str) -> int:
    return sum(1 for email in sending.smtp.received if address in email.rcpt_tos)


def test_remove_me_ends_calls_texts_and_emails_and_the_lead_leaves_the_agenda(
    sending: Sending,
) -> None:
    import_leads(sending.workspace, NOW, 2)
    sending.send(NOW)
    assert "Lead A0" in _agenda_leads(sending, NOW + timedelta(minutes=1))
    emails_before = _emails_to(sending, "lead0@example.com")
    sending.twilio.add_inbound(PHONES[0], "please remove me from your list")
    sending.send(NOW + timedelta(minutes=5))
    suppressed = _rows(sending, "SELECT value, channel, reason FROM suppression ORDER BY value")
    assert suppressed == [
        (PHONES[0], "all", "stop-all"),
        ("lead0@example.com", "all", "stop-all"),
    ]
    for day in range(0, 4):
        moment = NOW + timedelta(days=day, hours=1)
        sending.send(moment)
        assert "Lead A0" not in _agenda_leads(sending, moment)
        assert "Lead B1" in _agenda_leads(sending, moment)  # the other lead is worked as usual
    assert len(sending.texts_to(PHONES[0])) == 1
    assert _emails_to(sending, "lead0@example.com") == emails_before
    assert _rows(
        sending,
        f"SELECT count(*) FROM touch t JOIN lead l ON l.id = t.lead_id WHERE l.phone = '{PHONES[0]}' AND t.status = 'planned'",  # noqa: S608
    ) == [(0,)]


def test_a_possible_opt_out_pauses_texts_and_never_resumes_them_by_itself(
    sending: Sending,
) -> None:
    import_leads(sending.workspace, NOW, 1)
    sending.send(NOW)
    sending.twilio.add_inbound(PHONES[0], "Not interested")
    result = sending.send(NOW + timedelta(minutes=5))
    assert result.replies == 1
    held = _rows(sending, "SELECT value, channel, reason FROM suppression")
    assert held == [(PHONES[0], "text", "possible-opt-out")]
    (kind,) = _rows(sending, "SELECT status FROM message WHERE direction = 'in'")[0]
    assert kind == "possible-opt-out"
    # Moving the lead to nurture (which plans automated texts) does not text it.
    with open_workspace(sending.workspace.root) as context:
        set_stage(context, PHONES[0], "nurture", NOW + timedelta(minutes=10))
    for day in range(1, 40, 3):
        sending.send(NOW + timedelta(days=day))
    assert len(sending.texts_to(PHONES[0])) == 1
