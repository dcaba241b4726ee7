"""compliance/optouts.py: which opt-out or DNC entry closes which channel, and every path agrees."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leadchase.compliance.optouts import (
    CLOSES,
    DETAILS,
    Detail,
    Scope,
    closed_by,
    closed_to_lead,
    details_covered,
    opt_outs_closing,
    scopes_closing,
)
from leadchase.contact.channels import CHANNELS
from leadchase.context import open_workspace
from leadchase.store import suppressions
from leadchase.workspace import Workspace
from tests.conftest import NOW, import_lead

# (scope of the entry, the lead detail it is on) -> the channels it closes. Written out by hand:
# the product's rules (PRODUCT.md), not a copy of the module's table.
RULES: dict[tuple[Scope, Detail], tuple[str, ...]] = {
    ("text", "phone"): ("text",),
    ("call", "phone"): ("call",),
    ("email", "phone"): (),
    ("all", "phone"): ("call", "text"),
    ("dnc", "phone"): ("call", "text"),  # the do-not-call list stops calls too
    ("text", "email"): (),
    ("call", "email"): (),
    ("email", "email"): ("email",),
    ("all", "email"): ("email",),
    ("dnc", "email"): (),
}


def test_the_rule_table_covers_every_scope_and_detail() -> None:
    assert {(scope, detail) for scope in CLOSES for detail in DETAILS} == set(RULES)


@pytest.mark.parametrize(("scope", "detail"), list(RULES))
def test_an_entry_closes_exactly_its_channels(scope: Scope, detail: Detail) -> None:
    assert closed_by([scope], detail) == RULES[scope, detail]


def test_which_entries_close_each_channel() -> None:
    assert scopes_closing("text") == ("text", "all", "dnc")
    assert scopes_closing("call") == ("call", "all", "dnc")
    assert scopes_closing("email") == ("email", "all")
    assert opt_outs_closing("text") == ("text", "all")  # what START lifts


def test_an_opt_out_is_recorded_on_the_details_its_channels_use() -> None:
    assert details_covered("text") == ("phone",)
    assert details_covered("call") == ("phone",)
    assert details_covered("email") == ("email",)
    assert details_covered("all") == ("phone", "email")


def test_a_lead_is_closed_by_its_phone_and_its_email_entries_alone() -> None:
    lead = {"phone": "+14155552671", "email": "ann@example.com"}
    entries = {
        "+14155552671": {"dnc"},
        "ann@example.com": {"all"},
        "+19195550000": {"call"},  # someone else's number
    }
    assert closed_to_lead(lead, entries) == {"call", "text", "email"}
    assert closed_to_lead({"phone": None, "email": "ann@example.com"}, entries) == {"email"}


def test_the_agenda_query_and_new_leads_follow_the_same_table(workspace: Workspace) -> None:
    """One lead per (scope, detail) with its first call, text and email planned; an entry is
    put on it directly, so the agenda's own SQL filter is what hides a channel."""
    leads: dict[tuple[Scope, Detail], tuple[int, str, str]] = {}
    for number, (scope, detail) in enumerate(RULES):
        phone, email = f"+1415555{2610 + number}", f"lead{number}@example.com"
        lead_id = import_lead(workspace, NOW, phone=phone, email=email, name=f"Lead {number}")
        leads[scope, detail] = (lead_id, phone, email)
    later = NOW + timedelta(days=3)  # every first touch is due by then
    with open_workspace(workspace.root) as context:
        with context.database.writing() as connection:
            for (scope, detail), (_, phone, email) in leads.items():
                value = phone if detail == "phone" else email
                suppressions.add(connection, value, channel=scope, reason="opt-out", now=NOW)
        shown = {
            channel: {
                task.lead.id
                for task in context.reader.agenda_rows(
                    later, channel, automated_as_manual=True, limit=100
                )[0]
            }
            for channel in CHANNELS
        }
        with context.database.reading() as connection:
            entries = suppressions.live_scopes(
                connection, [v for _, phone, email in leads.values() for v in (phone, email)]
            )
    for key, (lead_id, phone, email) in leads.items():
        hidden = tuple(c for c in CHANNELS if lead_id not in shown[c])
        assert hidden == RULES[key], key
        closed = closed_to_lead({"phone": phone, "email": email}, entries)
        assert tuple(c for c in CHANNELS if c in closed) == RULES[key], key
