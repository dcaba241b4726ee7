"""Dedupe a batch of clean records against the database and itself: new leads in, duplicates merged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection

from leadchase.importing.records import Record, merge_changes
from leadchase.store import imports as store
from leadchase.store.suppressions import count_on_dnc

if TYPE_CHECKING:
    from leadchase.importing.pipeline import ImportResult


@dataclass(frozen=True)
class RowOutcome:
    """What became of one row: the lead it made or merged into, or why it was rejected."""

    line: int
    lead_id: int | None
    result: Literal["new", "merged", "rejected"]
    reason: str = ""


class BatchMerger:
    """Dedupe a batch against the database and itself: new leads are inserted, duplicates merged."""

    def __init__(
        self,
        connection: Connection,
        result: ImportResult,
        now: datetime,
        file: str,
        on_new_leads: Callable[[Connection, list[dict[str, Any]]], None] | None,
    ):
        self.on_new_leads = on_new_leads
        self.connection = connection
        self.result = result
        self.now = now
        self.file = file
        self.next_id = store.next_lead_id(connection)

    def flush(self, records: list[Record]) -> None:
        if not records:
            return
        known = store.find_keys(self.connection, (key for r in records for key in r.keys))
        new_rows: dict[int, dict[str, Any]] = {}
        new_keys: dict[str, int] = {}
        merges: dict[int, dict[str, Any]] = {}
        outcomes = self.result.outcomes
        for record in records:
            target = next((known[k] for k in record.keys if k in known), None)
            if target is None:
                lead_id = self.next_id
                self.next_id += 1
                if outcomes is not None:
                    outcomes.append(RowOutcome(record.line, lead_id, "new"))
                record.values["id"] = lead_id
                new_rows[lead_id] = record.values
                if record.values["timezone"] is None:
                    self.result.unknown_timezone += 1
                for key in record.keys:
                    known[key] = new_keys[key] = lead_id
                continue
            self.result.merged += 1
            if outcomes is not None:
                outcomes.append(RowOutcome(record.line, target, "merged"))
            for key in record.keys:
                if key not in known:
                    known[key] = new_keys[key] = target
            if target in new_rows:
                new_rows[target].update(merge_changes(new_rows[target], record.values))
            else:
                merges.setdefault(target, {"incoming": []})["incoming"].append(record.values)
        self.result.imported += len(new_rows)
        if self.result.first_new_lead_id is None and new_rows:
            self.result.first_new_lead_id = next(iter(new_rows))
        if self.on_new_leads is not None and new_rows:
            self.on_new_leads(self.connection, list(new_rows.values()))
        if new_rows:
            phones = [r["phone"] for r in new_rows.values() if r.get("phone")]
            self.result.on_dnc += count_on_dnc(self.connection, phones)
        store.insert_leads(self.connection, list(new_rows.values()))
        store.insert_keys(self.connection, new_keys)
        self._merge_existing(merges)

    def _merge_existing(self, merges: dict[int, dict[str, Any]]) -> None:
        if not merges:
            return
        existing = store.load_leads(self.connection, merges)
        events = []
        for lead_id, pending in merges.items():
            lead = existing[lead_id]
            changed: dict[str, Any] = {}
            for incoming in pending["incoming"]:
                changes = merge_changes({**lead, **changed}, incoming)
                changed.update(changes)
            if changed:
                store.update_lead(self.connection, lead_id, changed)
                events.append(
                    {
                        "lead_id": lead_id,
                        "at": self.now,
                        "kind": "merged",
                        "detail": f"{self.file}: {', '.join(sorted(changed))}",
                    }
                )
            else:
                self.result.unchanged += 1
        store.add_events(self.connection, events)
