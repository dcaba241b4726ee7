"""Texts claimed a batch at a time: how big a batch is, and what a hold mid-batch gives back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest

from leadchase.channels.base import SendOutcome
from leadchase.context import open_workspace
from leadchase.dispatch import Senders, SendRun, configured_senders
from leadchase.dispatch.senders import SendResult
from tests.conftest import PHONES, Sending, import_leads, query
from tests.conftest import SF_MORNING as NOW

pytestmark = pytest.mark.both_backends

CLAIMED = "SELECT count(*) FROM touch WHERE status = 'claimed'"


@contextmanager
def _texts_only(sending: Sending, rate: float) -> Iterator[tuple[SendRun, Senders]]:
    """A send run over texts alone (so the due texts follow one another) at `rate` a second."""
    with open_workspace(sending.workspace.root) as context:
        senders = configured_senders(context)
        assert senders.emails is not None and senders.texts is not None
        senders.emails.close()
        senders.emails = None
        senders.messages_per_second = rate
        try:
            yield SendRun(context, NOW, senders, sleep=lambda _s: None), senders
        finally:
            senders.close()


@pytest.mark.parametrize(("rate", "together"), [(500.0, 4), (2.0, 2), (1.0, 1)])
def test_texts_are_claimed_together_up_to_a_second_of_pacing(
    sending: Sending, rate: float, together: int
) -> None:
    import_leads(sending.workspace, NOW, 4)
    claimed_at_each_send: list[int] = []
    with _texts_only(sending, rate) as (send_run, senders):
        real_send = senders.texts.send_text  # type: ignore[union-attr]

        def watched(to: str, body: str, sender: str = "") -> SendOutcome:
            (count,) = query(sending.workspace, CLAIMED)
            claimed_at_each_send.append(count[0])
            return real_send(to, body, sender)

        senders.texts.send_text = watched  # type: ignore[union-attr, method-assign]
        result = send_run.run()
    assert [item.result for item in result.items] == ["sent"] * 4
    # Each send finds its whole batch claimed (recorded together once the batch is sent), and
    # nothing of the batch before it.
    assert claimed_at_each_send == [together] * 4
    assert sorted(m["to"] for m in sending.twilio.sent()) == PHONES[:4]
    assert query(sending.workspace, CLAIMED) == [(0,)]


def test_a_hold_mid_batch_gives_back_the_claims_not_sent(sending: Sending) -> None:
    import_leads(sending.workspace, NOW, 3)
    sending.twilio.fail_next_creates(503, 20500, count=3)  # the first text, on every try
    with _texts_only(sending, 500.0) as (send_run, _senders):
        result: SendResult = send_run.run()
    assert [item.result for item in result.items] == ["retry_later", "held", "held"]
    for item in result.items[1:]:
        assert item.reason.startswith("held until the next run") and item.body is None
    # Planned again as if never taken: no claim left, no message written for them.
    assert query(sending.workspace, CLAIMED) == [(0,)]
    assert query(
        sending.workspace,
        "SELECT count(*) FROM touch WHERE channel = 'text' AND status = 'planned'",
    ) == [(3,)]
    assert query(sending.workspace, "SELECT status FROM message WHERE channel = 'text'") == [
        ("failed",)
    ]
    sending.send(NOW + timedelta(minutes=10))
    for phone in PHONES[:3]:
        assert len(sending.texts_to(phone)) == 1, phone
