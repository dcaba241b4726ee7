"""The contact policy asked with what the workspace knows: opt-outs, attempts, consent, zones.

compliance/policy.py decides from facts; this module gathers those facts for a stored lead (its
candidate zones and states, the channels its opt-outs and the do-not-call list close, its calls
and texts of the last 24 hours, the basis for automated texts, its officer's own hours) and asks. The agenda, the call
calendar, snooze, `log`, `send` and `compliance report` all go through one `Gate`, so what the
officer is offered and what the program sends are the same decision.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from leadchase.cadence.followup import FollowUp
from leadchase.compliance.caps import ROLLING_WINDOW, attempt_cap
from leadchase.compliance.consent import consent_basis
from leadchase.compliance.officer_hours import OfficerHours, officer_hours
from leadchase.compliance.optouts import closed_to_lead
from leadchase.compliance.policy import ContactFacts, Rules, Verdict, decide
from leadchase.config import Settings
from leadchase.store.fast import Reader
from leadchase.store.records import Lead, TeamOfficer

if TYPE_CHECKING:
    from sqlalchemy import Connection

_NOT_YET: Sequence[datetime] = ()


class Gate:
    """One workspace's contact policy: `check` for one touch, `check_many` for an agenda page.

    `officers`: the team (store officers, or the fast Reader's), whose own hours hold their
    leads' touches; every caller passes them, so the agenda and the send run ask alike."""

    def __init__(
        self, settings: Settings, followup: FollowUp, officers: Sequence[TeamOfficer]
    ) -> None:
        self.followup = followup
        self.rules = Rules(window=followup.policy)
        self.aged_after_days = settings.cadence.aged_after_days
        self.recorded_only = settings.compliance.require_consent_for_auto_text
        self.hours: dict[int, OfficerHours] = {}
        for member in officers:
            hours = officer_hours(
                member.name, member.window_start, member.window_end, member.timezone
            )
            if hours is not None:
                self.hours[member.id] = hours

    def facts(
        self, lead: Lead, scopes: Mapping[str, Collection[str]], moment: datetime
    ) -> ContactFacts:
        """The policy's view of a lead, given the live opt-out scopes of its phone and email."""
        # Where the lead is, without the cadence's start, seed and anchors: the policy asks no more.
        clock = self.followup.place_clock(
            moment, lead.timezone, lead.time_zones, lead.state, lead.phone
        )
        closed = closed_to_lead({"phone": lead.phone, "email": lead.email}, scopes)
        return ContactFacts(
            # Only a lead whose own zone is known has known zones: a toll-free number with no
            # address gives every zone of the country, which is not knowing where the lead is.
            zones=clock.zones if lead.timezone else (),
            states=clock.states,
            closed=frozenset(closed),
            closed_why=_closed_why(closed),
            has_phone=bool(lead.phone),
            text_ok=lead.text_ok,
            has_email=bool(lead.email),
            consent=consent_basis(
                lead, aged_after_days=self.aged_after_days, recorded_only=self.recorded_only
            ),
            snoozed_until=lead.snoozed_until,
            zone=clock.zone,
            officer_hours=self.hours.get(lead.officer_id) if lead.officer_id else None,
        )

    def check(
        self,
        connection: Connection,
        lead: Lead,
        channel: str,
        *,
        automated: bool,
        moment: datetime,
        made: bool = False,
    ) -> Verdict:
        """May this call, text or email reach the lead at `moment`? `made`: the officer says
        they already made it (`log`), so their own hours, which say when leadchase works for
        them, do not apply; the law's window and caps, opt-outs and snoozes still do."""
        (verdict,) = self.check_many(
            connection, [(lead, channel)], automated=automated, moment=moment, made=made
        )
        return verdict

    def check_many(
        self,
        connection: Connection | Reader,
        touches: Sequence[tuple[Lead, str]],
        *,
        automated: bool,
        moment: datetime,
        made: bool = False,
    ) -> list[Verdict]:
        """The verdict for each (lead, channel), with one query for opt-outs and one for attempts
        (`made`: as in `check`)."""
        values = {v for lead, _ in touches for v in (lead.phone, lead.email) if v}
        scopes = _live_scopes(connection, values) if values else {}
        facts: dict[int, ContactFacts] = {}
        for lead, _ in touches:  # a lead on several channels' pages: its facts once
            if lead.id not in facts:
                fact = self.facts(lead, scopes, moment)
                facts[lead.id] = replace(fact, officer_hours=None) if made else fact
        capped = [lead_id for lead_id, fact in facts.items() if attempt_cap(fact.states)]
        since = moment - ROLLING_WINDOW - timedelta(seconds=1)
        attempts = _attempt_times(connection, capped, since) if capped else {}
        # decide() reads nothing but its arguments, and leads in one place with no attempts of
        # late have equal facts: an agenda page asks a few dozen questions, not hundreds.
        verdicts: dict[tuple[ContactFacts, str, tuple[datetime, ...]], Verdict] = {}
        answers = []
        for lead, channel in touches:
            tried = tuple(attempts.get(lead.id, _NOT_YET))
            key = (facts[lead.id], channel, tried)
            if key not in verdicts:
                verdicts[key] = decide(
                    key[0],
                    channel,
                    automated=automated,
                    moment=moment,
                    attempts=tried,
                    rules=self.rules,
                )
            answers.append(verdicts[key])
        return answers

    def place(self, facts: ContactFacts, channel: str, moment: datetime) -> datetime | None:
        """The first moment at or after `moment` the window lets a touch by hand happen; None
        when nothing will. Attempt caps are left out: they depend on touches not made yet (the
        agenda applies them when the moment comes)."""
        verdict = decide(facts, channel, automated=False, moment=moment, rules=self.rules)
        return moment if verdict.allowed else verdict.next_allowed_at

    def first_allowed(
        self, connection: Connection, lead: Lead, channel: str, moment: datetime
    ) -> datetime:
        """The first moment at or after `moment` a touch by hand may happen (for snooze and the
        calendar); `moment` itself when nothing will open it by itself (the agenda says why)."""
        verdict = self.check(connection, lead, channel, automated=False, moment=moment)
        if verdict.allowed or verdict.next_allowed_at is None:
            return moment
        return verdict.next_allowed_at


def _live_scopes(
    connection: Connection | Reader, values: Collection[str]
) -> dict[str, frozenset[str]]:
    """The opt-out scopes of these phones and emails, from either kind of connection (the
    agenda reads through store/fast.py's Reader, without SQLAlchemy)."""
    if isinstance(connection, Reader):
        return connection.live_scopes(values)
    from leadchase.store import suppressions

    return suppressions.live_scopes(connection, values)


def _attempt_times(
    connection: Connection | Reader, lead_ids: Collection[int], since: datetime
) -> dict[int, list[datetime]]:
    if isinstance(connection, Reader):
        return connection.attempt_times_of(lead_ids, since)
    from leadchase.store import sending

    return sending.attempt_times_of(connection, lead_ids, since)


def _closed_why(closed: Collection[str]) -> str:
    if not closed:
        return ""
    return f"{' and '.join(sorted(closed))} stopped for this lead (opt-out or do-not-call list)"
