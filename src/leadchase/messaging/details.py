"""What templates see, built from a stored lead, its touch and the workspace's officer settings.

The agenda, a logged text and a send all render a touch's message with render_touch, and
`template preview` builds its lead the same way, so a lead reads the same words on the agenda as
in the text that is finally sent.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from leadchase.contact.channels import MESSAGE_CHANNELS
from leadchase.messaging.context import LeadDetails, MessageContext, RateDetails, StepDetails
from leadchase.messaging.library import TemplateError, TemplateLibrary
from leadchase.messaging.render import Rendered, render
from leadchase.store.records import NOTHING_SENT, Sent

if TYPE_CHECKING:
    from leadchase.config import Officer
    from leadchase.store.records import Lead, Touch

# Vendor amounts: "350000", "$350,000", "350,000.00", "350k", "$1.2M".
_AMOUNT = re.compile(r"\$?\s*(\d[\d,]*(?:\.\d+)?)\s*([km])?", re.IGNORECASE)
_SCALES = {"": 1, "k": 1_000, "m": 1_000_000}
# No home loan or home is worth this much: a larger "amount" is junk (or 400 nines, which would
# not even fit a float), and the template's fallback reads better than "$1e+400".
MOST_DOLLARS = 1_000_000_000


def whole_dollars(text: str) -> int:
    """A vendor's amount in whole dollars; 0 (the template's fallback) when it is not one amount
    or more than any home or loan is worth."""
    match = _AMOUNT.fullmatch(text.strip())
    if match is None:
        return 0
    amount = float(match[1].replace(",", "")) * _SCALES[(match[2] or "").lower()]
    return round(amount) if amount <= MOST_DOLLARS else 0


def lead_details(lead: Lead, at: datetime | None = None) -> LeadDetails:
    """A stored lead as templates see it: text trimmed, amounts in whole dollars, and what has
    passed between us; the day counts run to `at` (the touch's due time), None without it.

    The offer kind is left for MessageContext to classify from the source, offer and purpose."""

    def text(value: str | None) -> str:
        return value.strip() if value else ""

    def days_since(moment: datetime | None) -> int | None:
        return None if moment is None or at is None else max(0, (at - moment).days)

    return LeadDetails(
        first_name=text(lead.first_name),
        last_name=text(lead.last_name),
        city=text(lead.city),
        state=text(lead.state),
        source=text(lead.source),
        offer=text(lead.offer),
        loan_purpose=text(lead.loan_purpose),
        loan_amount=whole_dollars(text(lead.loan_amount)),
        property_value=whole_dollars(text(lead.property_value)),
        note_rate=f"{lead.note_rate:g}%" if lead.note_rate else "",
        closing_date=_day(lead.closing_date, with_year=True),
        closing_year=str(lead.closing_date.year) if lead.closing_date else "",
        birthday=_day(lead.birthday, with_year=False),
        co_borrower_name=text(lead.co_borrower_name),
        co_borrower_first_name=text(lead.co_borrower_name).split(" ")[0],
        loan_term_years=lead.loan_term_years,
        address=text(lead.address),
        ever_talked=lead.contacted_at is not None or lead.replied_at is not None,
        ever_replied=lead.replied_at is not None,
        days_since_reply=days_since(lead.replied_at),
        days_since_arrival=days_since(lead.lead_date or lead.imported_at),
    )


def _day(day: date | None, *, with_year: bool) -> str:
    """ "March 5, 2026" (or "March 5"), spelled out so no reader takes it for the 3rd of May."""
    if day is None:
        return ""
    shown = f"{day:%B} {day.day}"
    return f"{shown}, {day.year}" if with_year else shown


def render_touch(
    library: TemplateLibrary,
    officer: Officer,
    touch: Touch,
    lead: Lead,
    *,
    attempt: int,
    now: datetime,
    sent: Sent = NOTHING_SENT,
    problems: MutableMapping[str, TemplateError] | None = None,
    rate: RateDetails | None = None,
) -> Rendered | None:
    """The text or email a cadence touch sends its lead; None when there is none to send.

    `attempt` counts the lead's touches on the channel, this one included (1: the first-touch
    rules apply); `sent` is what the lead already got (store.sending.sent_to), so no body or
    subject goes to it twice. The wording is stable for the lead, the touch and what it got, so
    the agenda, a logged text and a send all pick the same one.

    The one error policy: a template that cannot be found, read, compiled or rendered gives
    None, never an exception, so one broken file never stops a command; each caller says what
    None means (the agenda shows the template name, a send holds the touch, a logged text keeps
    no wording). The first error of each template goes into `problems` for the caller to report.
    A call, or a touch without a template, gives None too. `rate`: a rate-drop touch's numbers.
    The day counts are as of when it goes out (going_out_at): a late text counts to `now`.
    """
    if not touch.template or touch.channel not in MESSAGE_CHANNELS:
        return None
    ctx = touch_context(
        lead,
        officer,
        channel=touch.channel,
        day=touch.day,
        attempt=attempt,
        at=going_out_at(touch.due_at, now),
    )
    if rate is not None:
        ctx = replace(ctx, rate=rate)
    try:
        return render(
            library,
            touch.template,
            ctx,
            lead_id=lead.id,
            step_key=variant_key(touch.cadence, touch.step_key),
            sent=sent,
        )
    except TemplateError as error:
        if problems is not None:
            problems.setdefault(touch.template, error)
        return None


def going_out_at(due_at: datetime, now: datetime) -> datetime:
    """When a touch's message goes out, for its day counts: when it is due, or `now` when it is
    late (a text held three days says three more days since the reply, not its planned day's)."""
    return max(due_at, now)


def variant_key(cadence: str, step_key: str) -> str:
    """What a touch's wording is seeded with (with the lead id): the agenda and a send agree."""
    return f"{cadence}:{step_key}"


def touch_context(
    lead: Lead,
    officer: Officer,
    *,
    channel: str,
    day: int,
    attempt: int,
    at: datetime | None = None,
) -> MessageContext:
    """The context of a cadence touch: `attempt` counts this lead's touches on that channel,
    so attempt 1 is the first text (or email) the lead gets and carries the first-touch rules."""
    step = StepDetails(
        attempt=attempt,
        day=day,
        channel=channel,
        is_first_touch=attempt == 1,
    )
    return MessageContext(lead_details(lead, at), officer, step)
