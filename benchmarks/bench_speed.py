"""Speed to lead through the listener: from a lead's POST to its first text at the fake Twilio,
and to the officer's alert of it.

A real `leadchase daemon --listen` (a subprocess, tests/listener_daemon.py) on a fresh
workspace, sending to the fake Twilio served by this process, its clock (LEADCHASE_NOW) on a
Monday morning in California, so a California lead is inside its contact window and the
officer's alert hours (07:00-21:00 New York) are open; [alerts] new_lead is on, by text. Its own
send pass comes once an hour: every text is sent because a post asked for it. LEADS leads are
posted one at a time, each only after the previous one's text and alert arrived; a lead's times
run from just before its POST to the moments the fake received its text and the officer's alert
(the fake notes each create as it arrives, by its `To`). Each post must be answered 201 "new",
each lead get exactly one text and the officer exactly one alert per lead, or both rows are an
ERROR.

    python -m benchmarks.bench_speed [--leads 50]     # this row alone
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from tests.fake_twilio import FakeTwilio
from tests.listener_daemon import ListeningDaemon
from tests.twilio_formats import Reply

from benchmarks.bench_send import OFFICER
from benchmarks.measure import Spread, verdict
from benchmarks.table import Row
from leadchase.config import default_settings_text
from leadchase.listener.token import ensure_token
from leadchase.workspace import create_workspace

LEADS = 50
MAX_P95_SECONDS = 2.0
ALERTS_ON = {"new_lead": "true", "by_text": "true", "by_email": "false"}
# Monday 2026-03-02, 10:00 in San Francisco.
MOMENT = "2026-03-02T18:00:00+00:00"
WAIT_SECONDS = 30.0


class ArrivalFake(FakeTwilio):
    """The fake Twilio, noting when each text to a number arrives (perf_counter seconds)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: dict[str, list[float]] = {}

    def handle(
        self, method: str, target: str, form: dict[str, Any], authorization: str | None
    ) -> Reply:
        if method == "POST" and target.endswith("/Messages.json"):
            self.arrivals.setdefault(str(form.get("To", "")), []).append(time.perf_counter())
        return super().handle(method, target, form, authorization)


def phone(n: int) -> str:
    return f"+1415555{2700 + n:04d}"


def bench_speed(work: Path, leads: int = LEADS) -> list[Row]:
    """Two rows from the same posted leads: speed to lead, and to the officer's alert."""
    rows = [
        Row(
            f"speed to lead, {leads} posted leads",
            "POST /leads to `daemon --listen`, until the fake Twilio has the first text",
            "-",
            f"p95 < {MAX_P95_SECONDS:g} s",
            "N/A",
        ),
        Row(
            f"officer alert, {leads} posted leads",
            "the same POSTs, until the fake Twilio has the officer's new-lead alert text",
            "-",
            f"p95 < {MAX_P95_SECONDS:g} s",
            "N/A",
        ),
    ]
    home, log = work / "ws-speed", work / "speed-daemon.log"
    print(f"  speed to lead: {leads} leads posted one at a time ...", flush=True)
    shutil.rmtree(home, ignore_errors=True)
    log.unlink(missing_ok=True)
    create_workspace(home, _settings())
    ensure_token(home)
    try:
        fake = ArrivalFake()
        with fake, ListeningDaemon(home, fake, MOMENT, log) as daemon:
            timed = [_one(daemon, fake, n) for n in range(leads)]
            arrivals = {to: len(times) for to, times in fake.arrivals.items()}
    except (_Failed, AssertionError) as failure:
        for row in rows:
            row.status, row.note = "ERROR", str(failure)
        return rows
    finally:
        shutil.rmtree(home, ignore_errors=True)
    alerts = arrivals.pop(OFFICER["phone"], 0)
    extra = {to: count for to, count in arrivals.items() if count != 1}
    wrong = f"numbers texted more than once: {extra}" if extra else ""
    if alerts != leads:
        wrong = f"{alerts} alerts reached the officer for {leads} leads"
    for row, seconds in zip(rows, zip(*timed, strict=True), strict=True):
        if wrong:
            row.status, row.note = "ERROR", wrong
        else:
            _timed(row, list(seconds), leads)
    return rows


def _settings() -> str:
    """`init`'s settings, signed by the bench's officer (as the send rows are), alerts on."""
    settings = default_settings_text()
    for key, value in OFFICER.items():
        settings = settings.replace(f'\n{key} = ""\n', f'\n{key} = "{value}"\n', 1)
    head, alerts = settings.split("\n[alerts]\n")
    for key, value in ALERTS_ON.items():
        alerts = re.sub(rf"^{key} = .*$", f"{key} = {value}", alerts, count=1, flags=re.M)
    return f"{head}\n[alerts]\n{alerts}"


def _timed(row: Row, seconds: list[float], leads: int) -> None:
    spread = Spread.of(seconds)
    p50 = statistics.median(seconds)
    p95 = statistics.quantiles(seconds, n=20, method="inclusive")[-1]
    row.status = verdict(p95 < MAX_P95_SECONDS)
    row.ours = f"p95 {p95:.3f} s\np50 {p50:.3f} s"
    row.note = f"{leads} leads, one at a time; min {spread.low:.3f} s, max {spread.high:.3f} s"


class _Failed(Exception):
    pass


def _one(daemon: ListeningDaemon, fake: ArrivalFake, n: int) -> tuple[float, float]:
    """Post lead n; the seconds until its first text and until the officer's alert of it
    (the officer's (n+1)th text: leads go one at a time)."""
    lead = {"First Name": f"Avery{n}", "Last Name": "Speed", "Phone": phone(n), "State": "CA"}
    started = time.perf_counter()
    answer = daemon.post(lead)
    if answer.status != 201 or answer.document["leads"][0]["result"] != "new":
        raise _Failed(f"lead {n}: the post was answered {answer.status} {answer.document}")
    deadline = started + WAIT_SECONDS
    officer = OFFICER["phone"]
    while not fake.arrivals.get(phone(n)) or len(fake.arrivals.get(officer, [])) <= n:
        if time.perf_counter() > deadline:
            last = daemon.log_text().strip().splitlines()[-1:]
            raise _Failed(
                f"lead {n}: no text or no alert within {WAIT_SECONDS:g} s; daemon log: {last}"
            )
        time.sleep(0.001)
    return fake.arrivals[phone(n)][0] - started, fake.arrivals[officer][n] - started


if __name__ == "__main__":
    from rich.console import Console

    from benchmarks.run import WORK
    from benchmarks.table import render

    parser = argparse.ArgumentParser(description="Speed to lead and the officer's alert, alone.")
    parser.add_argument("--leads", type=int, default=LEADS)
    options = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    render(bench_speed(WORK, options.leads), Console(width=160))
