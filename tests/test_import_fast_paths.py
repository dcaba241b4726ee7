"""The import's fast paths (issue #17) give what the general ones give: lookups of more values
than one statement takes, merges stored as SQLAlchemy would store them, touches inserted as
planned, and the garbage collector left as it was found."""

from __future__ import annotations

import gc
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from leadchase.cadence.followup import FollowUp
from leadchase.cadence.model import LeadClock
from leadchase.cadence.new_leads import FirstTouchCache, every_jitter
from leadchase.cadence.schedule import JITTER_MINUTES, jittered
from leadchase.compliance.windows import ContactPolicy
from leadchase.context import Context, open_workspace
from leadchase.importing import records
from leadchase.importing.pipeline import ImportOptions, import_file
from leadchase.importing.service import import_files
from leadchase.store import imports as import_store
from leadchase.store import leads as lead_store
from leadchase.store import suppressions
from leadchase.store.bulk import LOOKUP_CHUNK, _json_text, json_object_encoder
from leadchase.store.read import lead_table
from leadchase.workspace import Workspace
from tests.conftest import PHONES, query

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)

pytestmark = pytest.mark.both_backends


def test_key_lookup_finds_every_key_across_chunks(context: Context) -> None:
    # More keys than one padded statement holds, and a last chunk mostly NULL padding.
    count = 2 * LOOKUP_CHUNK + 7
    keys = {f"p:+1415555{n:04d}": 1000 + n for n in range(count)}
    with context.database.writing() as connection:
        import_store.insert_keys(connection, keys)
        wanted = [*keys, "p:+19999999999", "e:nobody@example.com"]
        found = import_store.find_keys(connection, wanted)
    assert found == keys


def test_live_scopes_and_dnc_leave_out_lifted_entries(context: Context) -> None:
    phones = [f"+1415555{n:04d}" for n in range(LOOKUP_CHUNK + 5)]
    listed, lifted, opted_out = phones[3], phones[LOOKUP_CHUNK + 2], phones[LOOKUP_CHUNK + 4]
    with context.database.writing() as connection:
        suppressions.add(connection, listed, channel="dnc", reason="dnc", now=NOW)
        suppressions.add(connection, lifted, channel="dnc", reason="dnc", now=NOW)
        suppressions.lift_dnc(connection, lifted, NOW)
        suppressions.add(connection, opted_out, channel="text", reason="opt-out", now=NOW)
        scopes = suppressions.live_scopes(connection, phones)
        on_dnc = suppressions.dnc_among(connection, phones)
    assert scopes == {listed: frozenset({"dnc"}), opted_out: frozenset({"text"})}
    assert on_dnc == {listed}


def test_a_merge_stores_what_it_read(workspace: Workspace) -> None:
    first = workspace.root / "first.csv"
    first.write_text(
        f"name,phone,state,zip,lead_date,source\nAnn Lee,{PHONES[0]},CA,94103,"
        "2026-11-20T10:00:00-08:00,Zillow\n",
        encoding="utf-8",
    )
    # The same person from another vendor, asked earlier, with an email: a merge fills the
    # email, keeps the earlier date and remembers both sources.
    second = workspace.root / "second.csv"
    second.write_text(
        f"name,phone,email,state,zip,lead_date,source\nAnn Lee,{PHONES[0]},ann@example.com,"
        "CA,94103,2026-11-18T09:30:00-08:00,Bankrate\n",
        encoding="utf-8",
    )
    with open_workspace(workspace.root) as context:
        (made,) = import_files(context, [first], ImportOptions(), NOW)
        (merged,) = import_files(context, [second], ImportOptions(), NOW)
        assert (made.imported, merged.merged) == (1, 1)
        with context.database.reading() as connection:
            lead = lead_store.get(connection, made.first_new_lead_id or 0)
    assert lead is not None
    assert lead.email == "ann@example.com"
    assert lead.lead_date == datetime(2026, 11, 18, 17, 30, tzinfo=UTC)
    assert list(lead.sources) == ["Zillow", "Bankrate"]
    (stored,) = query(workspace, "SELECT lead_date FROM lead")
    assert stored[0] == "2026-11-18 17:30:00.000000"  # SQLAlchemy's own format, not str(datetime)


def test_planned_touches_are_stored_with_their_flags_and_times(workspace: Workspace) -> None:
    lead_file = workspace.root / "leads.csv"
    lead_file.write_text(
        f"name,phone,email,state,zip,lead_date,source\nAnn Lee,{PHONES[1]},ann@example.com,"
        f"CA,94103,{NOW.isoformat()},Zillow\n",
        encoding="utf-8",
    )
    with open_workspace(workspace.root) as context:
        import_files(context, [lead_file], ImportOptions(), NOW)
    rows = query(workspace, "SELECT channel, automated, due_at FROM touch ORDER BY id")
    assert rows, "the lead got no touches"
    by_channel = {channel: (automated, due) for channel, automated, due in rows}
    assert by_channel["call"][0] in (0, False)
    assert by_channel["text"][0] in (1, True)
    assert all(str(due).startswith("2026-11-2") for _, due in by_channel.values())


def test_the_garbage_collector_is_left_as_it_was(workspace: Workspace) -> None:
    lead_file = workspace.root / "leads.csv"
    lead_file.write_text(
        f"name,phone,state\nAnn Lee,{PHONES[2]},CA\nBob Ray,not a phone,CA\n", encoding="utf-8"
    )
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    with open_workspace(workspace.root) as context, context.database.writing() as connection:
        result = import_file(connection, lead_file, ImportOptions(), NOW)
    result.publish_rejects()  # what the import command does once the file is committed
    assert (result.imported, result.rejected) == (1, 1)
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == frozen


def test_leads_in_one_place_share_one_first_touch_plan(context: Context) -> None:
    cache = FirstTouchCache(FollowUp.load(context.settings))
    # Two California area codes: different cheap keys, one clock, so one plan.
    leads = [
        {"phone": phone, "email": "", "timezone": "America/Los_Angeles",
         "time_zones": "America/Los_Angeles", "state": "CA"}
        for phone in ("+14155552671", "+15105550123")
    ]  # fmt: skip
    name = context.settings.cadence.default
    plans = [cache.plan_for(lead, name, NOW, frozenset()) for lead in leads]
    alone = FirstTouchCache(FollowUp.load(context.settings)).plan_for(
        leads[1], name, NOW, frozenset()
    )
    assert len(cache.plans) == 2 and len(cache.by_place) == 1
    assert plans[0] is plans[1]
    assert plans[1] == alone and plans[1][0], "no touches planned"


# Cells as vendors write them, and what JSON must escape: quotes, backslashes, control
# characters, a percent sign (the template's own marker), accents and emoji.
_cells = st.text(st.sampled_from([*'aZ09 ,.@-_%"\\\t\n\r\x00\x1f\x7fé€', "😀"]), max_size=6)


@settings(max_examples=300, deadline=None)
@given(keys=st.lists(_cells, max_size=5), data=st.data())
def test_raw_row_json_is_what_the_json_encoder_writes(keys: list[str], data: st.DataObject) -> None:
    # Rows of the header's length, shorter ones, and repeated headers (one value kept).
    values = data.draw(st.lists(_cells, max_size=len(keys)))
    encode = json_object_encoder(keys)
    expected = json.dumps(
        dict(zip(keys, values, strict=False)), ensure_ascii=False, separators=(",", ":")
    )
    assert encode(values) == expected
    assert json.loads(encode(values)) == dict(zip(keys, values, strict=False))


_ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
          "America/Phoenix", "Pacific/Honolulu", "America/Anchorage"]  # fmt: skip
_STATES = ["CA", "FL", "NY", "TX", "LA", "WA", "AL", "MS", "UT"]


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 1, 10)),
    zones=st.lists(st.sampled_from(_ZONES), min_size=1, max_size=3, unique=True),
    states=st.lists(st.sampled_from(_STATES), max_size=2, unique=True),
    window=st.tuples(st.integers(7 * 60, 10 * 60), st.integers(17 * 60, 22 * 60)),
    edge=st.sampled_from(["start", "end", "08:00", "20:00", "21:00", "02:00"]),
    offset=st.integers(-15, 15),
    weekends=st.booleans(),
)
def test_every_jitter_is_each_jitter_asked_on_its_own(
    day: date,
    zones: list[str],
    states: list[str],
    window: tuple[int, int],
    edge: str,
    offset: int,
    weekends: bool,
) -> None:
    # Due times a few minutes either side of where windows open and close (and a DST change).
    start, end = (time(minutes // 60, minutes % 60) for minutes in window)
    policy = ContactPolicy(start=start, end=end, skip_weekends=weekends)
    at = {"start": start, "end": end}.get(edge) or time.fromisoformat(edge)
    due = datetime.combine(day, at, tzinfo=ZoneInfo(zones[0])) + timedelta(minutes=offset)
    clock = LeadClock(start=due, zone=zones[0], zones=tuple(zones), states=tuple(states))
    expected = tuple(jittered(due, minutes, clock, policy) for minutes in range(JITTER_MINUTES))
    assert every_jitter(due, clock, policy) == expected


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.lists(_cells, max_size=3), st.dictionaries(_cells, _cells, max_size=3)))
def test_json_columns_store_what_the_json_encoder_writes(value: Any) -> None:
    # One-name lists (a new lead's sources) take a shortcut; the stored text is the same.
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert _json_text(value) == expected


class _Watched(dict[str, Any]):
    """A lead row that notes which of its fields were read."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


def test_merging_reads_only_the_loaded_fields(context: Context, tmp_path: Path) -> None:
    lead_file = tmp_path / "leads.csv"
    lead_file.write_text(
        f"first_name,last_name,phone,state,lead_date,source\nAnn,Lee,{PHONES[0]},CA,"
        "2026-11-20T10:00:00-08:00,Zillow\n",
        encoding="utf-8",
    )
    with context.database.writing() as connection:
        made = import_file(connection, lead_file, ImportOptions(), NOW)
        lead_id = made.first_new_lead_id or 0
        loaded = import_store.load_leads(connection, [lead_id])[lead_id]
        full = connection.execute(select(lead_table).where(lead_table.c.id == lead_id)).one()
    assert set(loaded) == set(import_store.MERGED)
    assert loaded == {name: full._mapping[name] for name in import_store.MERGED}
    # Every field a duplicate can bring, so every branch of the merge reads what it needs.
    incoming: dict[str, Any] = {name: f"new {name}" for name in import_store.FILLABLE}
    incoming |= {
        "first_name": "Annie",
        "phone": PHONES[1],
        "lead_date": datetime(2026, 11, 1, tzinfo=UTC),
        "sources": ["Bankrate"],
        "other_phones": [{"number": PHONES[2], "ext": None, "label": "home"}],
    }
    watched = _Watched(full._mapping)
    changes = records.merge_changes(watched, incoming)
    assert watched.read <= set(import_store.MERGED)
    assert changes == records.merge_changes(loaded, incoming)
    assert {"lead_date", "sources", "other_phones"} <= set(changes)
