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
