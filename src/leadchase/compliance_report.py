"""`leadchase compliance report`: every automated text of the period, checked again against the rules.

For each text the tool sent on its own, the report asks the one contact policy again, for the
moment it was sent: every candidate zone and state's hours, the state's attempt cap counted
over the calls and texts made before it, and the basis for an automated text (recorded consent
or a fresh inquiry), which it shows. Opt-outs are not re-judged: they are read at send time and
may have come later. There must be no violation; the report exists so the officer can show it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from leadchase.cadence.service import FollowUp
from leadchase.compliance.caps import ROLLING_WINDOW
from leadchase.compliance.policy import decide
from leadchase.context import Context
from leadchase.gate import Gate
from leadchase.store.reports import automated_texts_since
from leadchase.store.sending import attempt_times_of
from leadchase.times import when


@dataclass(frozen=True)
class AuditedText:
    message_id: int
    lead_id: int
    name: str
    to: str
    sent_at: datetime
    local_time: str
    zones: str
    states: str
    allowed: bool
    rule: str
    reason: str
    basis: str  # why an automated text may go to this lead: consent on record, a fresh inquiry

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["sent_at"] = self.sent_at.isoformat()
        return document


@dataclass(frozen=True)
class ComplianceReport:
    since: datetime
    texts: list[AuditedText]

    @property
    def violations(self) -> list[AuditedText]:
        return [t for t in self.texts if not t.allowed]


def compliance_report(context: Context, now: datetime, days: int) -> ComplianceReport:
    followup = FollowUp.load(context.settings)
    # Officers' hours are left out: who owned the lead, and their hours, may have changed
    # since; the report holds every text to the rules the law and [contact] set.
    gate = Gate(context.settings, followup, ())
    since = now - timedelta(days=days)
    audited = []
    with context.database.reading() as connection:
        texts = automated_texts_since(connection, since)
        leads = [lead.id for _, lead in texts]
        attempts = attempt_times_of(connection, leads, since - ROLLING_WINDOW)
    for message, lead in texts:
        sent_at = message.sent_at
        assert sent_at is not None  # the query reads sent texts only
        facts = gate.facts(lead, {}, sent_at)
        before = [at for at in attempts.get(lead.id, []) if at < sent_at]
        verdict = decide(
            # The snooze and opt-outs of today say nothing about that moment.
            replace(facts, snoozed_until=None),
            "text",
            automated=True,
            moment=sent_at,
            attempts=before,
            rules=gate.rules,
        )
        audited.append(
            AuditedText(
                message_id=message.id,
                lead_id=lead.id,
                name=lead.name or "",
                to=message.to_address,
                sent_at=sent_at,
                local_time=when(sent_at, facts.zone, now),
                zones=";".join(facts.zones),
                states=";".join(facts.states),
                allowed=verdict.allowed,
                rule=verdict.rule,
                reason=verdict.reason,
                basis=facts.consent or "none",
            )
        )
    return ComplianceReport(since, audited)
