"""The one contact policy: may this call, text or email reach this lead at this moment?

Every path that plans, shows, exports, logs or sends a touch asks `decide()`: the agenda (what is
due *now*), the call calendar, snooze, `log`, `send` and `compliance report`. None keeps its own
copy of a rule, so a person dialling at 05:00 the lead's time and a program texting then are
refused by the same code, for the same reason.

The rules, in the order they are asked:

1. Opt-outs, do-not-call and wrong numbers close channels for good (`ContactFacts.closed`).
2. A text needs a number that takes texts; an email needs an address.
3. A snoozed lead waits for the end of its snooze.
4. Automated texts need a consent basis (recorded consent, or a fresh web-form lead).
5. Calls, texts and automated emails: the lead's contact window, the most restrictive over every
   candidate state and zone (windows.py). An unknown time zone holds automated touches; a call
   or text by hand is allowed with a warning to check the lead's time first. A lead whose
   officer has hours of their own (officer_hours.py) is contacted only inside those too.
6. Calls and texts, by hand or automated: the state's attempts per rolling 24 h (caps.py).

Emails sent by hand are not telephone solicitation: only rules 1-3 apply to them.
The clock is passed in; nothing here reads it or the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from leadchase.compliance.caps import cap_allows, next_allowed_by_cap
from leadchase.compliance.officer_hours import OfficerHours
from leadchase.compliance.windows import ContactPolicy, check_moment, next_opening
from leadchase.contact.channels import SOLICITATIONS

# Beyond this many rounds of "the window opens, but the cap is still full" we stop looking.
_MAX_ROUNDS = 8


@dataclass(frozen=True)
class ContactFacts:
    """What the policy needs to know of one lead (gate.py builds it from the stored lead)."""

    zones: tuple[str, ...]  # every candidate time zone; () when unknown
    states: tuple[str, ...]  # the address state and the phone's area-code state
    closed: frozenset[str] = frozenset()  # channels closed by opt-outs, DNC, wrong number
    closed_why: str = ""  # e.g. "opted out of texts (STOP on 2026-03-02)"
    has_phone: bool = True
    text_ok: bool = True  # false once the carrier said the number takes no texts
    has_email: bool = True
    consent: str | None = None  # the basis for automated texts; None when there is none
    snoozed_until: datetime | None = None
    zone: str = "UTC"  # where the reasons' times are shown: the lead's own zone
    officer_hours: OfficerHours | None = None  # the lead's officer's own window, if they set one


@dataclass(frozen=True)
class Verdict:
    """The policy's answer. `next_allowed_at` is None when the block does not lift by itself."""

    allowed: bool
    rule: str
    reason: str
    next_allowed_at: datetime | None = None
    warning: str | None = None  # allowed, but the officer should know (unknown time zone)

    def to_json(self) -> dict[str, object]:
        return {
            "allowed_now": self.allowed,
            "blocked_reason": None if self.allowed else self.reason,
            "next_allowed_at": (
                self.next_allowed_at.isoformat() if self.next_allowed_at is not None else None
            ),
            "rule": self.rule,
            "warning": self.warning,
        }


@dataclass(frozen=True)
class Rules:
    """The officer's settings the policy applies on top of the law (only ever stricter)."""

    window: ContactPolicy = field(default_factory=ContactPolicy)


_ALLOWED = "allowed"


def decide(
    lead: ContactFacts,
    channel: str,
    *,
    automated: bool,
    moment: datetime,
    attempts: Sequence[datetime] = (),
    rules: Rules | None = None,
) -> Verdict:
    """May a `channel` touch (by hand or automated) reach `lead` at `moment`?

    `attempts` are the moments of the lead's calls and texts so far (any that count: by hand or
    automated); only the last 24 h matter, and only in a state with an attempt cap.
    """
    rules = rules or Rules()
    moment = moment.astimezone(UTC)
    blocked = _closed(lead, channel, automated)
    if blocked is not None:
        return blocked
    if lead.snoozed_until is not None and lead.snoozed_until > moment:
        when = lead.snoozed_until.astimezone(UTC)
        return Verdict(False, "snoozed", "snoozed by you", when)
    if channel == "email" and not automated:
        return Verdict(True, _ALLOWED, "an email by hand is not a telephone solicitation")
    if not lead.zones:
        if automated:
            return Verdict(
                False,
                "unknown-timezone",
                "time zone unknown: held until the lead's state, ZIP or phone gives one",
            )
        return _timed(lead, channel, moment, attempts, rules, zones_known=False)
    return _timed(lead, channel, moment, attempts, rules, zones_known=True)


def _closed(lead: ContactFacts, channel: str, automated: bool) -> Verdict | None:
    """Blocks that never lift by themselves."""
    if channel in lead.closed:
        return Verdict(False, "opted-out", lead.closed_why or f"{channel} closed for this lead")
    if channel in SOLICITATIONS and not lead.has_phone:
        return Verdict(False, "no-phone", "no phone number")
    if channel == "text" and not lead.text_ok:
        return Verdict(False, "not-textable", "the number cannot take texts")
    if channel == "email" and not lead.has_email:
        return Verdict(False, "no-email", "no email address")
    if channel == "text" and automated and lead.consent is None:
        return Verdict(
            False,
            "no-consent",
            "no consent on record for automated texts: text by hand instead",
        )
    return None


def _timed(
    lead: ContactFacts,
    channel: str,
    moment: datetime,
    attempts: Sequence[datetime],
    rules: Rules,
    *,
    zones_known: bool,
) -> Verdict:
    """The contact window (when the zone is known) and, for calls and texts, the 24 h cap."""
    warning = None if zones_known else "time zone unknown: check the lead's local time first"
    window = check_moment(moment, lead.zones, lead.states, rules.window) if zones_known else None
    block = window if window is not None and not window.allowed else None
    if block is None and lead.officer_hours is not None:
        hours = lead.officer_hours.check(moment)
        block = None if hours.allowed else hours
    if block is None and channel in SOLICITATIONS:
        cap = cap_allows(attempts, moment, lead.states, lead.zone)
        block = None if cap.allowed else cap
    if block is not None:
        later = _next_moment(lead, channel, moment, attempts, rules, zones_known)
        return Verdict(False, block.rule, block.reason, later, warning)
    if window is None:
        return Verdict(
            True, _ALLOWED, "allowed by hand; the lead's time is unknown", moment, warning
        )
    return Verdict(True, _ALLOWED, window.reason, moment)


def _next_moment(
    lead: ContactFacts,
    channel: str,
    moment: datetime,
    attempts: Sequence[datetime],
    rules: Rules,
    zones_known: bool,
) -> datetime | None:
    """The earliest moment >= `moment` at which the lead's window, its officer's hours and the
    cap all allow the touch: each moves the candidate later until none has to (None when they
    never meet within a few rounds, e.g. an officer's hours that miss the lead's every day)."""
    candidate = moment
    for _ in range(_MAX_ROUNDS):
        start = candidate
        if channel in SOLICITATIONS:
            candidate = max(candidate, next_allowed_by_cap(attempts, candidate, lead.states))
        if lead.officer_hours is not None:
            candidate = lead.officer_hours.next_opening(candidate)
        if zones_known:
            opening = next_opening(candidate, lead.zones, lead.states, rules.window)
            if opening is None:
                return None
            candidate = opening
        if candidate == start:
            return candidate
    return None
