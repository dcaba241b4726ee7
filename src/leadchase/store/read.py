"""Rows into records: the columns a query selects for each record, and the record built from them.

A query selects a record's columns in the record's field order (LEAD_COLUMNS...), possibly next
to another record's (a touch and its lead), and builds each record from its slice of the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import Column, Table

from leadchase.store.history_records import Alert, Event, StageChange, Suppression

# The tables the store's modules query, imported from here too.
from leadchase.store.models import (
    alert_table as alert_table,
)
from leadchase.store.models import (
    event_table as event_table,
)
from leadchase.store.models import (
    lead_table as lead_table,
)
from leadchase.store.models import (
    message_table as message_table,
)
from leadchase.store.models import (
    officer_table as officer_table,
)
from leadchase.store.models import (
    stage_change_table as stage_change_table,
)
from leadchase.store.models import (
    suppression_table as suppression_table,
)
from leadchase.store.models import (
    touch_table as touch_table,
)
from leadchase.store.records import Lead, Message, TeamOfficer, Touch


def _columns(table: Table, record: type) -> list[Column[Any]]:
    return [table.c[item.name] for item in fields(record)]


LEAD_COLUMNS = _columns(lead_table, Lead)
TOUCH_COLUMNS = _columns(touch_table, Touch)
MESSAGE_COLUMNS = _columns(message_table, Message)
EVENT_COLUMNS = _columns(event_table, Event)
SUPPRESSION_COLUMNS = _columns(suppression_table, Suppression)
ALERT_COLUMNS = _columns(alert_table, Alert)
OFFICER_COLUMNS = _columns(officer_table, TeamOfficer)
STAGE_CHANGE_COLUMNS = _columns(stage_change_table, StageChange)

_LEAD_SIZE, _TOUCH_SIZE = len(LEAD_COLUMNS), len(TOUCH_COLUMNS)
_LISTS = [i for i, item in enumerate(fields(Lead)) if item.name in ("other_phones", "sources")]


def lead(values: Sequence[Any]) -> Lead:
    """A lead from the values of LEAD_COLUMNS; JSON lists become tuples (None: empty)."""
    given = list(values[:_LEAD_SIZE])
    for index in _LISTS:
        given[index] = tuple(given[index] or ())
    return Lead(*given)


def touch(values: Sequence[Any]) -> Touch:
    return Touch(*values[:_TOUCH_SIZE])


def message(values: Sequence[Any]) -> Message:
    return Message(*values[: len(MESSAGE_COLUMNS)])


def event(values: Sequence[Any]) -> Event:
    return Event(*values[: len(EVENT_COLUMNS)])


def suppression(values: Sequence[Any]) -> Suppression:
    return Suppression(*values[: len(SUPPRESSION_COLUMNS)])


def alert(values: Sequence[Any]) -> Alert:
    return Alert(*values[: len(ALERT_COLUMNS)])


def officer(values: Sequence[Any]) -> TeamOfficer:
    return TeamOfficer(*values[: len(OFFICER_COLUMNS)])


def stage_change(values: Sequence[Any]) -> StageChange:
    return StageChange(*values[: len(STAGE_CHANGE_COLUMNS)])


def touch_and_lead(values: Sequence[Any]) -> tuple[Touch, Lead]:
    """A row that selected TOUCH_COLUMNS then LEAD_COLUMNS; what follows is the caller's."""
    return touch(values), lead(values[_TOUCH_SIZE:])


AFTER_TOUCH_AND_LEAD = _TOUCH_SIZE + _LEAD_SIZE  # where a row's extra columns begin
