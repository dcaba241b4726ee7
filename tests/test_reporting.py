"""`leadchase stats` on a database seeded through the real paths, with a known answer for every figure.

The story (T0 = Monday 2026-03-02 10:00 in San Francisco; every lead is in CA):
  L0 Zillow arrives 2026-02-20, before the period: it must not count anywhere.
  L1 Zillow arrives T0. The send run at T0+2m texts and emails it; a call at T0+10m; it replies
     by text at T0+30m; calls on days 2-5 and day 17; application at T0+10d, closed at T0+40d.
  L2 Zillow arrives T0+1h. Texted and emailed at +20m; replies at +40m; a call that talks at
     +50m; application at T0+5d.
  L3 Facebook (no email) arrives T0+2h; texted at +45m; texts STOP at +60m.
  L4 Facebook, lead date 2025-12-01 (aged: it arrives when imported), imported T0+3h; called at
     +3m, then the aged cadence's first text at +10m; application at T0+130d (after 120 days).
Stats run at T0+150d for the leads that arrived since 2026-03-01.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from leadchase.config import default_settings_text
from leadchase.context import Context, open_workspace
from leadchase.dispatch import SendRun, configured_senders
from leadchase.lead_work import log_touch, set_stage
from leadchase.workspace import Workspace, create_workspace
from tests.conftest import PHONES, SF_MORNING, Sending, import_lead, run, with_officer
from tests.fake_twilio import FakeTwilio
from tests.smtp_server import SmtpTestServer

# Storage-heavy: run on SQLite and on PostgreSQL (tests/conftest.py, backend).
pytestmark = pytest.mark.both_backends

T0 = SF_MORNING
NOW = T0 + timedelta(days=150)
SINCE = "2026-03-01"


def _at(**delta: float) -> datetime:
    return T0 + timedelta(**delta)


@dataclass
class Seeded:
    workspace: Workspace
    leads: dict[str, int]

    def stats(self, *args: str) -> Any:
        result = run("stats", *args, now=NOW, env={"LEADCHASE_HOME": str(self.workspace.root)})
        assert result.exit_code == 0, result.output
        return result

    def json(self, *args: str) -> dict[str, Any]:
        return json.loads(self.stats("--json", *args).stdout)  # type: ignore[no-any-return]


class _Story:
    """Acts on the workspace through the same functions the commands call."""

    def __init__(self, workspace: Workspace, twilio: FakeTwilio) -> None:
        self.workspace = workspace
        self.twilio = twilio

    def context(self) -> AbstractContextManager[Context]:
        return open_workspace(self.workspace.root)

    def send(self, now: datetime) -> None:
        with self.context() as context:
            senders = configured_senders(context)
            try:  # a frozen run clock: every message and touch is stamped exactly `now`
                SendRun(context, now, senders, sleep=lambda _s: None, monotonic=lambda: 0.0).run()
            finally:
                senders.close()

    def log(self, lead: int, channel: str, at: datetime, outcome: str | None = None) -> None:
        with self.context() as context:
            log_touch(context, str(lead), channel, outcome, "", at)  # type: ignore[arg-type]

    def stage(self, lead: int, stage: str, at: datetime) -> None:
        with self.context() as context:
            set_stage(context, str(lead), stage, at)

    def text_in(self, phone: str, body: str, at: datetime) -> None:
        self.twilio.clock = lambda: at
        self.twilio.add_inbound(phone, body)


def _seed(workspace: Workspace, twilio: FakeTwilio) -> dict[str, int]:
    story = _Story(workspace, twilio)

    def lead(name: str, n: int, at: datetime, source: str, **extra: Any) -> int:
        email = extra.pop("email", f"lead{n}@example.com")
        return import_lead(
            workspace, at, phone=PHONES[n], email=email, name=name, source=source, **extra
        )

    leads = {"L0": lead("Early Bird", 0, datetime(2026, 2, 20, 18, 0, tzinfo=UTC), "Zillow")}
    leads["L1"] = lead("Ann One", 1, T0, "Zillow")
    story.send(_at(minutes=2))
    story.log(leads["L1"], "call", _at(minutes=10))
    story.text_in(PHONES[1], "Sounds good, call me tomorrow", _at(minutes=30))
    leads["L2"] = lead("Bob Two", 2, _at(hours=1), "Zillow")
    story.send(_at(hours=1, minutes=20))
    story.text_in(PHONES[2], "Evenings are best for me", _at(hours=1, minutes=40))
    story.log(leads["L2"], "call", _at(hours=1, minutes=50), "talked")
    leads["L3"] = lead("Cy Three", 3, _at(hours=2), "Facebook", email="")
    story.send(_at(hours=2, minutes=45))
    story.text_in(PHONES[3], "STOP", _at(hours=3))
    aged = datetime(2025, 12, 1, 17, 0, tzinfo=UTC)
    # An aged lead whose vendor file carries her consent: automated texts may go to her.
    leads["L4"] = lead("Di Four", 4, _at(hours=3), "Facebook", lead_date=aged, consent="Yes")
    story.log(leads["L4"], "call", _at(hours=3, minutes=3))
    story.send(_at(hours=3, minutes=10))
    for day in (1, 2, 3, 4, 16):
        story.log(leads["L1"], "call", _at(days=day))
    story.stage(leads["L2"], "application", _at(days=5))
    story.stage(leads["L1"], "application", _at(days=10))
    story.stage(leads["L1"], "closed", _at(days=40))
    story.stage(leads["L4"], "application", _at(days=130))
    return leads


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    root = tmp_path_factory.mktemp("reporting") / "ws"
    settings = with_officer(default_settings_text()).replace(
        '# "Facebook" = 25.0', '"Zillow" = 40.0\n"facebook" = 8.5'
    )
    workspace, _ = create_workspace(root, settings)
    with FakeTwilio() as twilio, SmtpTestServer() as smtp, pytest.MonkeyPatch.context() as patch:
        for name, value in Sending(workspace, twilio, smtp).env().items():
            patch.setenv(name, value)
        leads = _seed(workspace, twilio)
        sent = [m["to"] for m in twilio.sent()]
        # L0's first text would be ten days late at the first send run: never sent.
        assert sorted(sent) == sorted([PHONES[1], PHONES[2], PHONES[3], PHONES[4]])
    yield Seeded(workspace, leads)


def test_speed_to_lead(seeded: Seeded) -> None:
    speed = seeded.json("--since", SINCE)["speed_to_lead"]
    # First touches 120 s (L1's text), 1200 s, 2700 s and 180 s (L4's call).
    assert speed["first_touch"] == {
        "leads": 4,
        "touched": 4,
        "median_seconds": 690.0,  # (180 + 1200) / 2
        "p90_seconds": 2250.0,  # 1200 + 0.7 * (2700 - 1200)
        "within_5_min": 0.5,
        "within_30_min": 0.75,
        "within_1_hour": 1.0,
    }
    # First calls 600 s, 3000 s and 180 s; L3 was never called.
    assert speed["first_call"] == {
        "leads": 4,
        "touched": 3,
        "median_seconds": 600.0,
        "p90_seconds": 2520.0,  # 600 + 0.8 * (3000 - 600)
        "within_5_min": 0.25,
        "within_30_min": 0.5,
        "within_1_hour": 0.75,
    }


def test_attempts_in_the_first_fourteen_days(seeded: Seeded) -> None:
    attempts = seeded.json("--since", SINCE)["attempts"]
    # L1: text, email and 5 calls (its day-17 call is too late); L2: text, email, call;
    # L3: one text; L4: a call and a text.
    distribution = {row["attempts"]: row["leads"] for row in attempts["distribution"]}
    assert distribution == {
        "0": 0, "1": 1, "2": 1, "3": 1, "4": 0, "5": 0, "6": 0, "7": 1, "8": 0, "9+": 0,
    }  # fmt: skip
    assert attempts["leads"] == 4 and attempts["still_in_first_days"] == 0
    assert attempts["median"] == 2.5
    assert attempts["under_2"] == 0.25 and attempts["on_target"] == 0.25
    assert attempts["by_channel"] == [
        {"channel": "call", "attempts": 7, "per_lead": 1.75},
        {"channel": "text", "attempts": 4, "per_lead": 1.0},
        {"channel": "email", "attempts": 2, "per_lead": 0.5},
    ]


def test_contact_and_reply_rates(seeded: Seeded) -> None:
    replies = seeded.json("--since", SINCE)["replies"]
    # L1 and L2 replied; L4 never answered but was moved to application: reached all the same.
    assert (replies["leads"], replies["contacted"], replies["contact_rate"]) == (4, 3, 0.75)
    assert replies["median_seconds_to_reply"] == 1440.0  # replies after 1680 s and 1200 s
    assert replies["by_channel"] == [
        {"channel": "email", "sent": 2, "replied": 0, "rate": 0.0},
        {"channel": "text", "sent": 4, "replied": 2, "rate": 0.5},
    ]
    assert replies["by_template"] == [
        {"template": "aged-lead/first-text", "sent": 1, "replied": 0, "rate": 0.0},
        {"template": "internet-lead/first-email", "sent": 2, "replied": 0, "rate": 0.0},
        {"template": "internet-lead/first-text", "sent": 3, "replied": 2, "rate": 0.6667},
    ]


def test_reply_rate_by_variant_credits_the_variants_that_were_answered(seeded: Seeded) -> None:
    env = {"LEADCHASE_HOME": str(seeded.workspace.root)}
    exported = run("export", "messages", "--format", "json", env=env)
    messages = json.loads(exported.stdout)
    ours = {seeded.leads[name] for name in ("L1", "L2", "L3", "L4")}
    answered = {seeded.leads["L1"], seeded.leads["L2"]}  # both replied to their first text
    sent: Counter[tuple[str, int]] = Counter()
    replied: Counter[tuple[str, int]] = Counter()
    for message in messages:
        if message["direction"] == "out" and message["lead_id"] in ours:
            key = (message["template"], message["variant"])
            sent[key] += 1
            replied[key] += message["lead_id"] in answered and key[0].endswith("first-text")
    rows = seeded.json("--since", SINCE)["replies"]["by_variant"]
    assert {(r["template"], r["variant"]): r["sent"] for r in rows} == sent
    assert {(r["template"], r["variant"]): r["replied"] for r in rows} == replied
    assert sum(r["sent"] for r in rows) == 6


def test_conversion_by_source_within_120_days_with_costs(seeded: Seeded) -> None:
    conversion = seeded.json("--since", SINCE)["conversion"]
    assert conversion["days"] == 120
    facebook, zillow = conversion["sources"]
    assert zillow == {
        "source": "Zillow",
        "leads": 2,
        "contacted": 2,
        "application": 2,
        "closed": 1,
        "contacted_rate": 1.0,
        "application_rate": 1.0,
        "closed_rate": 0.5,
        "still_in_window": 0,
        "cost_per_lead": 40.0,
        "cost": 80.0,
        "cost_per_closed": 80.0,
    }
    # L4's application came on day 130: too late to count. The cost matched "facebook".
    assert facebook == {
        "source": "Facebook",
        "leads": 2,
        "contacted": 0,
        "application": 0,
        "closed": 0,
        "contacted_rate": 0.0,
        "application_rate": 0.0,
        "closed_rate": 0.0,
        "still_in_window": 0,
        "cost_per_lead": 8.5,
        "cost": 17.0,
        "cost_per_closed": None,
    }
    everything = conversion["all"]
    assert (everything["leads"], everything["closed"], everything["cost"]) == (4, 1, 97.0)
    assert everything["cost_per_lead"] == 24.25 and everything["cost_per_closed"] == 97.0


def test_funnel_and_opt_outs(seeded: Seeded) -> None:
    document = seeded.json("--since", SINCE)
    assert document["funnel"] == [
        {"stage": "new", "leads": 1, "reached": 4},
        {"stage": "contacted", "leads": 0, "reached": 3},
        {"stage": "engaged", "leads": 0, "reached": 3},
        {"stage": "application", "leads": 2, "reached": 3},
        # The funnel's steps come from stages.yaml: a closed loan passed through each.
        {"stage": "pre-approved", "leads": 0, "reached": 1},
        {"stage": "under-contract", "leads": 0, "reached": 1},
        {"stage": "closed", "leads": 1, "reached": 1},
        {"stage": "nurture", "leads": 0, "reached": 0},
        {"stage": "lost", "leads": 0, "reached": 0},
        {"stage": "dead", "leads": 0, "reached": 0},
    ]
    assert document["opt_outs"] == {
        "leads": 4,
        "opted_out": 1,
        "rate": 0.25,
        "by_source": [
            {"source": "Facebook", "leads": 2, "opted_out": 1, "rate": 0.5},
            {"source": "Zillow", "leads": 2, "opted_out": 0, "rate": 0.0},
        ],
        # L3's STOP came after its first text.
        "by_template": [
            {"template": "aged-lead/first-text", "sent": 1, "opted_out": 0, "rate": 0.0},
            {"template": "internet-lead/first-email", "sent": 2, "opted_out": 0, "rate": 0.0},
            {"template": "internet-lead/first-text", "sent": 3, "opted_out": 1, "rate": 0.3333},
        ],
    }


def test_contacted_means_the_same_in_every_table(seeded: Seeded) -> None:
    document = seeded.json("--since", SINCE)
    reached = {row["stage"]: row["reached"] for row in document["funnel"]}
    assert document["replies"]["contacted"] == reached["contacted"] == 3
    output = seeded.stats("--since", SINCE).stdout
    assert "contacted 3 of 4" in output
    contacted = next(line for line in output.splitlines() if line.startswith("contacted "))
    assert contacted.split()[1:3] == ["3", "0"]  # the funnel: 3 reached it, none in it now


def test_period_and_source_choose_the_leads(seeded: Seeded) -> None:
    assert seeded.json("--since", "all")["leads"] == 5  # L0 too
    assert seeded.json("--since", "140d")["leads"] == 0
    zillow = seeded.json("--since", SINCE, "--source", "zillow")
    assert zillow["leads"] == 2 and zillow["source"] == "zillow"
    assert [row["source"] for row in zillow["conversion"]["sources"]] == ["Zillow"]
    assert zillow["speed_to_lead"]["first_touch"]["median_seconds"] == 660.0  # 120 s and 1200 s


def _shape(value: Any) -> Any:
    """A JSON value's keys, all the way down; a list's items must all have the same shape."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        shapes = [_shape(item) for item in value]
        assert shapes and all(shape == shapes[0] for shape in shapes), value
        return [shapes[0]]
    return "value"


RATE = {"sent": "value", "replied": "value", "rate": "value"}
SPEED = dict.fromkeys(
    ("leads", "touched", "median_seconds", "p90_seconds", "within_5_min", "within_30_min",
     "within_1_hour"),
    "value",
)  # fmt: skip
CONVERSION = dict.fromkeys(
    ("source", "leads", "contacted", "application", "closed", "contacted_rate",
     "application_rate", "closed_rate", "still_in_window", "cost_per_lead", "cost",
     "cost_per_closed"),
    "value",
)  # fmt: skip
SCHEMA = {
    "schema": "value", "now": "value", "since": "value", "source": "value", "leads": "value",
    "speed_to_lead": {"first_touch": SPEED, "first_call": SPEED},
    "attempts": {
        "days": "value", "target": ["value"], "leads": "value", "still_in_first_days": "value",
        "median": "value", "under_2": "value", "on_target": "value",
        "distribution": [{"attempts": "value", "leads": "value"}],
        "by_channel": [{"channel": "value", "attempts": "value", "per_lead": "value"}],
    },
    "replies": {
        "leads": "value", "contacted": "value", "contact_rate": "value",
        "median_seconds_to_reply": "value",
        "by_channel": [{"channel": "value", **RATE}],
        "by_template": [{"template": "value", **RATE}],
        "by_variant": [{"template": "value", "variant": "value", **RATE}],
    },
    "conversion": {"days": "value", "sources": [CONVERSION], "all": CONVERSION},
    "funnel": [{"stage": "value", "leads": "value", "reached": "value"}],
    "opt_outs": {
        "leads": "value", "opted_out": "value", "rate": "value",
        "by_source": [{"source": "value", "leads": "value", "opted_out": "value", "rate": "value"}],
        "by_template": [
            {"template": "value", "sent": "value", "opted_out": "value", "rate": "value"}
        ],
    },
}  # fmt: skip


def test_json_schema_is_pinned(seeded: Seeded) -> None:
    document = seeded.json("--since", SINCE)
    assert _shape(document) == SCHEMA
    assert document["schema"] == 1 and document["now"] == NOW.isoformat()
    assert document["since"] == "2026-03-01T00:00:00-05:00"  # midnight in the default zone


def test_tables_and_bars_for_people(seeded: Seeded) -> None:
    output = seeded.stats("--since", SINCE).stdout
    assert "Leads that arrived since Sun Mar 1, all sources: 4" in output
    for heading in ("SPEED TO LEAD", "ATTEMPTS IN THE FIRST 14 DAYS (target 6-8)", "FUNNEL"):
        assert heading in output
    assert "11.5 min" in output and "37.5 min" in output  # first touch median and p90
    assert "under 2 attempts 25%" in output
    zillow = next(line for line in output.splitlines() if line.startswith("Zillow "))
    assert zillow.split() == ["Zillow", "2", "100%", "100%", "1", "(50%)", "$40.00", "$80.00"]
    new = next(line for line in output.splitlines() if line.startswith("new "))
    assert new.split() == ["new", "4", "1", "█" * 30]  # the widest bar
    closed = next(line for line in output.splitlines() if line.startswith("closed "))
    assert closed.split()[-1] == "█" * 8  # 1 of 4 -> a quarter of the width, rounded


def test_no_leads_in_the_period_says_so(workspace: Workspace) -> None:
    result = run("stats", now=T0)
    assert result.exit_code == 0, result.output
    assert "all sources: 0" in result.stdout and "Nothing to measure yet" in result.stdout


def test_a_bad_since_is_one_line(workspace: Workspace) -> None:
    result = run("stats", "--since", "last week")
    assert result.exit_code == 1
    assert "--since 'last week' is not a period or a date" in result.stderr
    assert "Traceback" not in result.output
