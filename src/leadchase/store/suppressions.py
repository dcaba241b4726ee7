"""Opt-outs and do-not-call entries: who must not get a text, an email or a call."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Connection, insert, select

from leadchase.store.models import Suppression

table = Suppression.__table__  # type: ignore[attr-defined]


def add(
    connection: Connection,
    value: str,
    *,
    channel: str,
    reason: str,
    now: datetime,
    evidence: str = "",
) -> bool:
    """Suppress a phone or email on a channel; False when it already was."""
    if is_suppressed(connection, value, (channel,)):
        return False
    connection.execute(
        insert(table).values(
            value=value, channel=channel, reason=reason, evidence=evidence, created_at=now
        )
    )
    return True


def is_suppressed(connection: Connection, value: str, channels: Collection[str]) -> bool:
    row = connection.execute(
        select(table.c.id).where(
            table.c.value == value, table.c.channel.in_(list(channels)), table.c.lifted_at.is_(None)
        )
    ).first()
    return row is not None


# Which channels a suppression entry closes. DNC stops automated and manual texts; its calls
# stay on the agenda with a DNC flag, for the officer to decide (PRODUCT.md).
_CLOSES = {
    "text": ("text",),
    "dnc": ("text",),
    "call": ("call",),
    "email": ("email",),
    "all": ("call", "text", "email"),
}


def blocked_channels(connection: Connection, values: Collection[str]) -> dict[str, frozenset[str]]:
    """For each suppressed phone or email among `values`, the channels closed to it."""
    wanted = [v for v in set(values) if v]
    found: dict[str, set[str]] = {}
    for start in range(0, len(wanted), 900):
        rows = connection.execute(
            select(table.c.value, table.c.channel).where(
                table.c.value.in_(wanted[start : start + 900]), table.c.lifted_at.is_(None)
            )
        )
        for value, channel in rows:
            found.setdefault(value, set()).update(_CLOSES.get(channel, ()))
    return {value: frozenset(channels) for value, channels in found.items()}


def closed_channels(lead: dict[str, object], blocked: dict[str, frozenset[str]]) -> frozenset[str]:
    """The channels closed to a lead: text/call by its phone's entries, email by its email's."""
    closed: set[str] = set()
    phone, email = lead.get("phone"), lead.get("email")
    if isinstance(phone, str):
        closed.update(c for c in blocked.get(phone, ()) if c in ("call", "text"))
    if isinstance(email, str):
        closed.update(c for c in blocked.get(email, ()) if c == "email")
    return frozenset(closed)


def count_on_dnc(connection: Connection, phones: Collection[str]) -> int:
    """How many of these numbers are on the do-not-call list (for the import summary)."""
    wanted = list({p for p in phones if p})
    found = 0
    for start in range(0, len(wanted), 900):
        found += len(
            {
                row.value
                for row in connection.execute(
                    select(table.c.value).where(
                        table.c.value.in_(wanted[start : start + 900]),
                        table.c.channel == "dnc",
                        table.c.lifted_at.is_(None),
                    )
                )
            }
        )
    return found
