"""The listener's idempotency ledger: a POST /leads retried with the same key gets the same answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from leadchase.store.models import intake_request_table as request_table


@dataclass(frozen=True)
class PostAnswer:
    """The HTTP status and JSON document a post was answered with."""

    status: int
    answer: dict[str, Any]


def earlier_answer(connection: Connection, key: str) -> PostAnswer | None:
    row = connection.execute(
        select(request_table.c.status, request_table.c.answer).where(request_table.c.key == key)
    ).first()
    return PostAnswer(int(row.status), dict(row.answer or {})) if row else None


def remember_answer(connection: Connection, key: str, answer: PostAnswer, now: datetime) -> None:
    connection.execute(
        insert(request_table).values(
            key=key, status=answer.status, answer=answer.answer, created_at=now
        )
    )
