"""The agenda's queries on the plain DB-API driver (store/fast.py opens the connection).

These are the same queries as store/touches.py and store/sending.py, written once as portable
SQL ("?" placeholders, turned into "%s" for psycopg), reading the record dataclasses' own
columns (dataclasses.fields), so a column added to Lead or Touch is read here too.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from leadchase.compliance.optouts import scopes_closing
from leadchase.contact.channels import SOLICITATIONS
from leadchase.store.records import (
    NOTHING_SENT,
    DueTouch,
    Lead,
    Message,
    OfficerScope,
    RateAlert,
    Sent,
    TeamOfficer,
    Touch,
)
from leadchase.store.sqlite_file import damaged

# How far the agenda counts a channel's due touches (store/touches.py's COUNT_CAP).
COUNT_CAP = 1000
_CHUNK = 900  # values per IN (...): under SQLite's old limit of 999 parameters


class _Columns:
    """A record's columns for SELECT, and the record built from a row's slice of them."""

    def __init__(self, table: str, record: type) -> None:
        # build() fills a record's attributes without its __init__: nothing may run there.
        assert not hasattr(record, "__post_init__"), record
        self.record = record
        self.names = [item.name for item in fields(record)]
        self.sql = ", ".join(f'"{table}"."{name}"' for name in self.names)
        kinds = [str(item.type) for item in fields(record)]
        self.times = [i for i, kind in enumerate(kinds) if kind.startswith("datetime")]
        self.dates = [i for i, kind in enumerate(kinds) if kind.split(" ")[0] == "date"]
        self.flags = [i for i, kind in enumerate(kinds) if kind == "bool"]
        self.lists = [i for i, kind in enumerate(kinds) if kind.startswith("tuple")]
        self.texts = {i for i, kind in enumerate(kinds) if kind == "tuple[str, ...]"}

    def build(self, row: Sequence[Any], start: int = 0) -> Any:
        values = list(row[start : start + len(self.names)])
        for index in self.times:
            if values[index] is not None:
                values[index] = _utc(values[index])
        for index in self.dates:  # a DATE column: ISO text on SQLite, a date on PostgreSQL
            value = values[index]
            values[index] = date.fromisoformat(value) if isinstance(value, str) else value
        for index in self.flags:
            values[index] = bool(values[index])
        for index in self.lists:
            value = values[index]
            if isinstance(value, str) and (index in self.texts or value == "[]"):
                values[index] = _texts(value)
            else:
                values[index] = tuple(json.loads(value) if isinstance(value, str) else value or ())
        # The attributes set as a frozen dataclass's __init__ sets them, at a third of its cost
        # (`today` builds a few hundred leads of some fifty columns each).
        record: Any = object.__new__(self.record)
        record.__dict__.update(zip(self.names, values, strict=True))
        return record


LEAD = _Columns("lead", Lead)
TOUCH = _Columns("touch", Touch)
MESSAGE = _Columns("message", Message)
OFFICER = _Columns("officer", TeamOfficer)
RATE_ALERT = _Columns("rate_alert", RateAlert)


@functools.lru_cache(maxsize=256)
def _texts(value: str) -> tuple[str, ...]:
    """A JSON list of strings (or an empty one) as a tuple: the same few lists (a lead's
    sources) on every row, and a tuple of strings is safe to share."""
    return tuple(json.loads(value))


def _owned_by(scope: OfficerScope | None) -> tuple[str, list[Any]]:
    """store/officers.py's owned_by: the condition on `lead` that keeps one officer's leads."""
    if scope is None:
        return "", []
    if scope.officer_id is None:
        return " AND lead.officer_id IS NULL", []
    return " AND lead.officer_id = ?", [scope.officer_id]


def _utc(value: Any) -> datetime | None:
    """A stored time (naive UTC text on SQLite, an aware timestamptz on PostgreSQL) as an aware
    UTC one."""
    if value is None:
        return None
    if isinstance(value, str):
        return _utc_text(value)
    assert isinstance(value, datetime)
    return _as_utc(value)


@functools.lru_cache(maxsize=4096)
def _utc_text(value: str) -> datetime:
    """A stored time's text as an aware UTC moment: rows share many (a batch's imported_at),
    and a datetime is safe to share."""
    return _as_utc(datetime.fromisoformat(value))


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Reader:
    """One read connection and the agenda's queries on it. Close it with `close()`."""

    def __init__(
        self,
        connection: Any,
        postgres: bool,
        where: str,
        close: Callable[[], None] | None = None,
    ) -> None:
        self.connection = connection  # a DB-API connection (sqlite3, psycopg), in autocommit
        self.postgres = postgres
        self.where = where
        self._close = close or connection.close

    def close(self) -> None:
        self._close()

    def _param(self, moment: datetime) -> Any:
        """A time as the database stores it: naive UTC in SQLAlchemy's text form on SQLite, an
        aware UTC moment for PostgreSQL's timestamptz (migration 010)."""
        utc = moment.astimezone(UTC)
        if self.postgres:
            return utc
        return utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        if self.postgres:
            sql = sql.replace("%", "%%").replace("?", "%s")
        try:
            cursor = self.connection.cursor()
            cursor.execute(sql, tuple(params))
            return list(cursor.fetchall())
        except sqlite3.DatabaseError as error:
            problem = damaged(Path(self.where), str(error), "nothing was changed")
            if problem is not None:
                raise problem from None
            raise

    # --- what today reads -------------------------------------------------------------------

    def states(self, prefix: str) -> dict[str, str]:
        """workspace_state's keys that start with `prefix` (a handful of rows: read them all)."""
        found = self.rows('SELECT "key", "value" FROM workspace_state')
        return {key: value for key, value in found if key.startswith(prefix)}

    def officers(self) -> list[TeamOfficer]:
        """store/officers.py's all_officers: every officer, active or not, oldest first."""
        sql = f"SELECT {OFFICER.sql} FROM officer ORDER BY officer.id"  # noqa: S608 - column names from the records
        return [OFFICER.build(row) for row in self.rows(sql)]

    def replies_waiting(self, limit: int, scope: OfficerScope | None = None) -> list[Lead]:
        """Leads (of `scope`'s officer) that replied after our last touch: the conversation
        waits for the officer."""
        owned, params = _owned_by(scope)
        sql = (
            f"SELECT {LEAD.sql} FROM lead WHERE lead.replied_at IS NOT NULL"  # noqa: S608 - column names from the records; values are parameters
            " AND (lead.last_touch_at IS NULL OR lead.last_touch_at < lead.replied_at)"
            f"{owned} ORDER BY lead.replied_at LIMIT ?"
        )
        return [LEAD.build(row) for row in self.rows(sql, [*params, limit])]

    def quiet_since(self, stage: str, since: datetime) -> list[int]:
        """store/leads.py's quiet_since: leads in `stage` that have neither replied nor
        entered it since `since`."""
        at = self._param(since)
        sql = (
            "SELECT lead.id FROM lead WHERE lead.stage = ? AND lead.stage <> 'new'"
            " AND (lead.replied_at IS NULL OR lead.replied_at < ?)"
            " AND (lead.cadence_started_at IS NULL OR lead.cadence_started_at < ?)"
            " ORDER BY lead.id"
        )
        return [int(row[0]) for row in self.rows(sql, [stage, at, at])]

    def last_inbound(self, lead_id: int) -> Message | None:
        """The lead's latest text to us; its status says what it was read as."""
        sql = (
            f"SELECT {MESSAGE.sql} FROM message WHERE message.lead_id = ?"  # noqa: S608 - column names from the records; values are parameters
            " AND message.direction = 'in' ORDER BY message.id DESC LIMIT 1"
        )
        found = self.rows(sql, [lead_id])
        return MESSAGE.build(found[0]) if found else None

    def _due(
        self, now: datetime, channel: str, automated_as_manual: bool, scope: OfficerScope | None
    ) -> tuple[str, list[Any]]:
        """What makes a planned touch of `channel` (of `scope`'s leads) a task at `now`."""
        at = self._param(now)
        owned, params = _owned_by(scope)
        sql = (
            "touch.due_at <= ? AND touch.channel = ?"
            f" AND (lead.snoozed_until IS NULL OR lead.snoozed_until <= ?){owned}"
        )
        params = [at, channel, at, *params]
        if not automated_as_manual:
            sql += " AND touch.automated = ?"
            params.append(False)

        def unsuppressed(column: str, closing: Sequence[str]) -> str:
            params.extend(closing)
            return (
                " AND NOT EXISTS (SELECT 1 FROM suppression WHERE suppression.value = "  # noqa: S608 - column names from the records; values are parameters
                f"{column} AND suppression.channel IN ({_marks(closing)})"
                " AND suppression.lifted_at IS NULL)"
            )

        if channel == "text":
            params.append(True)
            sql += " AND lead.phone IS NOT NULL AND lead.text_ok = ?"
            sql += unsuppressed("lead.phone", scopes_closing("text"))
        elif channel == "email":
            sql += " AND lead.email IS NOT NULL" + unsuppressed(
                "lead.email", scopes_closing("email")
            )
        elif channel == "call":
            sql += unsuppressed("lead.phone", scopes_closing("call"))
        return sql, params

    def _due_touches(self, condition: str, params: Sequence[Any], tail: str = "") -> list[DueTouch]:
        sql = (
            f"SELECT {TOUCH.sql}, {LEAD.sql} FROM touch JOIN lead ON lead.id = touch.lead_id"  # noqa: S608 - column names from the records; values are parameters
            f" WHERE {condition}{tail}"
        )
        size = len(TOUCH.names)
        return [DueTouch(TOUCH.build(row), LEAD.build(row, size)) for row in self.rows(sql, params)]

    def agenda_rows(
        self,
        now: datetime,
        channel: str,
        *,
        automated_as_manual: bool,
        limit: int,
        scope: OfficerScope | None = None,
    ) -> tuple[list[DueTouch], int]:
        """store/touches.py's agenda_rows: never-touched leads first, then the longest due, and
        how many are due in all (up to COUNT_CAP).

        Each (automated, rank) pair is one range of the ix_touch_agenda_by_kind index (migration
        009), read in due order and stopped at the limit; the count reads the same ranges, so
        it never visits the automated texts of a channel the officer does not do by hand.
        """
        kinds = (False, True) if automated_as_manual else (False,)
        due_sql, due_params = self._due(now, channel, automated_as_manual, scope)
        due: list[DueTouch] = []
        for rank in (0, 1):
            found: list[DueTouch] = []
            for automated in kinds:
                if len(due) >= limit:
                    break
                found += self._due_touches(
                    'touch.status = ? AND touch.automated = ? AND touch."rank" = ? AND ' + due_sql,
                    ["planned", automated, rank, *due_params, limit - len(due)],
                    " ORDER BY touch.due_at, touch.id LIMIT ?",
                )
            found.sort(key=lambda task: (task.touch.due_at, task.touch.id))
            due += found[: limit - len(due)]
        total = 0
        at = self._param(now)
        owned, owned_params = _owned_by(scope)
        mine = (
            f" AND touch.lead_id IN (SELECT lead.id FROM lead WHERE 1 = 1{owned})" if owned else ""  # noqa: S608 - values are parameters
        )
        for automated in kinds:
            for rank in (0, 1):
                if total >= COUNT_CAP:
                    break
                (count,) = self.rows(
                    "SELECT count(*) FROM (SELECT touch.id FROM touch WHERE touch.status = ?"  # noqa: S608 - values are parameters
                    ' AND touch.channel = ? AND touch.automated = ? AND touch."rank" = ?'
                    f" AND touch.due_at <= ?{mine} LIMIT ?) AS due",
                    ["planned", channel, automated, rank, at, *owned_params, COUNT_CAP - total],
                )[0]
                total += int(count)
        return due, max(total, len(due))

    def first_hour_rows(
        self,
        now: datetime,
        channel: str,
        since: datetime,
        *,
        automated_as_manual: bool,
        limit: int,
        scope: OfficerScope | None = None,
    ) -> list[DueTouch]:
        """store/touches.py's first_hour_rows: due touches of the newest leads that asked at
        `since` or later and are still new (the ix_lead_asked index, newest first)."""
        due_sql, due_params = self._due(now, channel, automated_as_manual, scope)
        owned, owned_params = _owned_by(scope)
        recent = (
            "SELECT lead.id FROM lead WHERE coalesce(lead.lead_date, lead.imported_at) >= ?"  # noqa: S608 - values are parameters
            f" AND lead.stage = 'new' AND lead.contacted_at IS NULL{owned}"
            " ORDER BY coalesce(lead.lead_date, lead.imported_at) DESC LIMIT ?"
        )
        # In touch order: leads that asked at the same moment tie on the agenda, and keep this
        # order there (PostgreSQL, unlike SQLite, returns an IN (...) join in no set order).
        found = self._due_touches(
            f"touch.lead_id IN ({recent}) AND {due_sql}",
            [self._param(since), *owned_params, limit, *due_params],
            " ORDER BY touch.id",
        )
        return [task for task in found if task.touch.status == "planned"]

    def made_counts(self, lead_ids: Sequence[int], channel: str) -> dict[int, int]:
        """How many touches of a channel each lead has had (for "attempt 3 of 12")."""
        counts: dict[int, int] = {}
        for chunk in _chunks(lead_ids):
            sql = (
                "SELECT touch.lead_id, count(*) FROM touch"  # noqa: S608 - column names from the records; values are parameters
                f" WHERE touch.lead_id IN ({_marks(chunk)}) AND touch.channel = ?"
                " AND touch.status IN ('done', 'sent') GROUP BY touch.lead_id"
            )
            counts.update((int(a), int(b)) for a, b in self.rows(sql, [*chunk, channel]))
        return counts

    def sent_to(self, lead_id: int) -> Sent:
        """store/sending.py's sent_to: every text and email body and email subject that went
        to the lead, oldest first (a failed or unconfirmed send does not count)."""
        return self.sent_to_of([lead_id]).get(lead_id, NOTHING_SENT)

    def sent_to_of(self, lead_ids: Sequence[int]) -> dict[int, Sent]:
        """store/sending.py's sent_to_of: sent_to for each of these leads that got anything."""
        bodies: dict[int, list[str]] = {}
        subjects: dict[int, list[str]] = {}
        for chunk in _chunks(sorted(set(lead_ids))):
            sql = (
                "SELECT message.lead_id, message.subject, message.body FROM message"  # noqa: S608 - values are parameters
                f" WHERE message.lead_id IN ({_marks(chunk)}) AND message.direction = 'out'"
                " AND message.status NOT IN ('failed', 'retry', 'claimed') ORDER BY message.id"
            )
            for lead_id, subject, body in self.rows(sql, chunk):
                bodies.setdefault(lead_id, []).append(body)
                if subject:
                    subjects.setdefault(lead_id, []).append(subject)
        return {
            lead_id: Sent(bodies=tuple(got), subjects=tuple(subjects.get(lead_id, ())))
            for lead_id, got in bodies.items()
        }

    def rate_alert_for(self, touch_id: int) -> RateAlert | None:
        """store/rates.py's alert_for_touch: the alert a rate-drop call or text was planned for."""
        sql = (
            f"SELECT {RATE_ALERT.sql} FROM rate_alert"  # noqa: S608 - column names from the records
            " WHERE rate_alert.call_touch_id = ? OR rate_alert.text_touch_id = ? LIMIT 1"
        )
        rows = self.rows(sql, [touch_id, touch_id])
        return RATE_ALERT.build(rows[0]) if rows else None

    def next_due(self, now: datetime, scope: OfficerScope | None = None) -> datetime | None:
        """When the next planned touch (of `scope`'s leads) falls due, for the "nothing due"
        line."""
        owned, params = _owned_by(scope)
        mine = (
            f" AND touch.lead_id IN (SELECT lead.id FROM lead WHERE 1 = 1{owned})" if owned else ""  # noqa: S608 - values are parameters
        )
        sql = (
            "SELECT min(touch.due_at) FROM touch WHERE touch.status = 'planned'"  # noqa: S608 - values are parameters
            f" AND touch.due_at > ?{mine}"
        )
        return _utc(self.rows(sql, [self._param(now), *params])[0][0])

    # --- what the contact policy reads (gate.py) -------------------------------------------

    def live_scopes(self, values: Collection[str]) -> dict[str, frozenset[str]]:
        """store/suppressions.py's live_scopes: each suppressed value's live scopes."""
        found: dict[str, set[str]] = {}
        for chunk in _chunks(sorted({v for v in values if v})):
            sql = (
                "SELECT suppression.value, suppression.channel FROM suppression"  # noqa: S608 - column names from the records; values are parameters
                f" WHERE suppression.value IN ({_marks(chunk)}) AND suppression.lifted_at IS NULL"
            )
            for value, scope in self.rows(sql, chunk):
                found.setdefault(value, set()).add(scope)
        return {value: frozenset(scopes) for value, scopes in found.items()}

    def attempt_times_of(
        self, lead_ids: Collection[int], since: datetime
    ) -> dict[int, list[datetime]]:
        """store/sending.py's attempt_times_of: each lead's calls and texts since `since`."""
        found: dict[int, list[datetime]] = {}
        solicitations = list(SOLICITATIONS)
        for chunk in _chunks(sorted(set(lead_ids))):
            sql = (
                "SELECT touch.lead_id, touch.done_at FROM touch"  # noqa: S608 - column names from the records; values are parameters
                f" WHERE touch.lead_id IN ({_marks(chunk)})"
                f" AND touch.channel IN ({_marks(solicitations)})"
                " AND touch.status IN ('done', 'sent', 'claimed') AND touch.done_at >= ?"
            )
            for lead_id, done_at in self.rows(sql, [*chunk, *solicitations, self._param(since)]):
                at = _utc(done_at)
                assert at is not None
                found.setdefault(lead_id, []).append(at)
        return found


def _chunks(values: Sequence[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)
