"""Which opt-out or do-not-call entry stops which channel: the one rule table.

A suppression entry is a phone number or an email address with a scope: the channel the lead
opted out of ("text", "call", "email"), "all" of them, or "dnc" for the do-not-call list. An
entry on a phone number closes only channels a phone reaches (calls and texts), one on an email
address only email. The do-not-call list stops calls and texts, by hand or automated: a person
dialling a listed number breaks the same rule a program texting it does. A lead on the list
who asks you to call (consent you can show) comes off it with `leadchase dnc remove`.

Sends, the agenda, new leads' first touches, the call calendar, STOP and START replies and
`leadchase optout` all read this table; store/ turns it into SQL.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Literal

from leadchase.contact.channels import CHANNELS, Channel

OptOutScope = Literal["text", "call", "email", "all"]  # what a lead can opt out of
Scope = OptOutScope | Literal["dnc"]
Detail = Literal["phone", "email"]
DETAILS: tuple[Detail, ...] = ("phone", "email")

DNC: Scope = "dnc"

# What an inbound text is read as (compliance/keywords.py reads it).
ReplyKind = Literal[
    "opt-out", "stop-all", "opt-in", "help", "wrong-number", "possible-opt-out", "auto-reply",
    "reply",
]  # fmt: skip
# Which channels each kind of inbound text ends for that lead. A wrong number is not the lead's
# phone, so calls and texts to it stop while the lead's email may still be right.
STOPS: Mapping[ReplyKind, frozenset[str]] = {
    "opt-out": frozenset({"text"}),
    "stop-all": frozenset({"call", "text", "email"}),
    "wrong-number": frozenset({"call", "text"}),
}
# The channels an entry of each scope closes, in CHANNELS order.
CLOSES: Mapping[Scope, tuple[Channel, ...]] = {
    "text": ("text",),
    "call": ("call",),
    "email": ("email",),
    "all": CHANNELS,
    "dnc": ("call", "text"),
}
# Which of a lead's details each channel reaches it by, so which entries can close it.
REACHED_BY: Mapping[Channel, Detail] = {"call": "phone", "text": "phone", "email": "email"}


def scopes_closing(channel: Channel) -> tuple[Scope, ...]:
    """The scopes whose entry, on the detail `channel` reaches the lead by, closes it."""
    return tuple(scope for scope, closed in CLOSES.items() if channel in closed)


def opt_outs_closing(channel: Channel) -> tuple[Scope, ...]:
    """The scopes of the lead's own opt-outs (not the do-not-call list) that close `channel`."""
    return tuple(scope for scope in scopes_closing(channel) if scope != DNC)


def closed_by(scopes: Iterable[str], detail: Detail) -> tuple[Channel, ...]:
    """The channels closed by live entries of these scopes on a lead's phone or its email."""
    wanted = set(scopes)
    closed = {
        channel for scope, channels in CLOSES.items() if scope in wanted for channel in channels
    }
    return tuple(c for c in CHANNELS if c in closed and REACHED_BY[c] == detail)


def closed_to_lead(
    lead: Mapping[str, object], entries: Mapping[str, Collection[str]]
) -> frozenset[Channel]:
    """The channels closed to a lead, given the live entry scopes of each phone and email."""
    closed: set[Channel] = set()
    for detail in DETAILS:
        value = lead.get(detail)
        if isinstance(value, str):
            closed.update(closed_by(entries.get(value, ()), detail))
    return frozenset(closed)


def details_covered(scope: Scope) -> tuple[Detail, ...]:
    """The lead's details an opt-out of this scope is recorded on (phone, email or both)."""
    return tuple(dict.fromkeys(REACHED_BY[channel] for channel in CLOSES[scope]))
