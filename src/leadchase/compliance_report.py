"""`leadchase compliance report`: every automated text of the period, checked again against the rules.

For each text the tool sent on its own, the report recomputes the decision at the moment it was
sent, in every candidate zone and under every candidate state's law, and lists any violation.
There must be none; the report exists so the officer can show it. It sits above compliance/
and cadence/ because it needs a lead's clock from the follow-up settings, and cadence/ is built
on compliance/'s windows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from leadchase.cadence.service import FollowUp
from leadchase.compliance.windows import check_moment
from leadchase.context import Context
from leadchase.store.reports import automated_texts_since
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
    since = now - timedelta(days=days)
    audited = []
    with context.database.reading() as connection:
        texts = automated_texts_since(connection, since)
    for message, lead in texts:
        sent_at = message.sent_at
        assert sent_at is not None  # the query reads sent texts only
        clock = followup.clock(lead, sent_at)
        decision = check_moment(sent_at, clock.zones, clock.states, followup.policy)
        audited.append(
            AuditedText(
                message_id=message.id,
                lead_id=lead.id,
                name=lead.name or "",
                to=message.to_address,
                sent_at=sent_at,
                local_time=when(sent_at, clock.zone, now),
                zones=";".join(clock.zones),
                states=";".join(clock.states),
                allowed=decision.allowed,
                rule=decision.rule,
                reason=decision.reason,
            )
        )
    return ComplianceReport(since, audited)
