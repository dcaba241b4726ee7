"""Send benchmarks: a send run's own cost per text, and its pacing, against the fake Twilio.

1,000 fresh leads go in through the real `leadchase import`, each with one first text due at the
fixed LEADCHASE_NOW. The fake Twilio (tests/fake_twilio.py) serves from a thread of this process;
every contender is a whole process talking to it over HTTP on 127.0.0.1.

- Our time per text: `leadchase send` with pacing out of the way (100,000 texts/s) and a bare
  loop calling the twilio SDK's messages.create once per text against the same fake, in paired
  runs. (send - bare) / texts, the median over the pairs, is what leadchase adds: start-up,
  due-touch query, compliance checks, rendering, the claim and record transactions, and the
  reply and delivery-status calls a send run makes.
- Pacing: `leadchase send --limit 200` at 20 texts/s; the fake timestamps every create.

    python -m benchmarks.bench_send --baseline BASE_URL COUNT   # the bare SDK loop (internal)
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, FakeTwilio
from tests.twilio_formats import Reply

from benchmarks.measure import (
    BIN,
    LEADCHASE,
    NOW,
    PAIRS,
    Contender,
    Run,
    RunFailed,
    environment,
    paired,
    run,
    verdict,
)
from benchmarks.table import Row, compared

TEXTS = 1000
UNPACED_RATE = 100_000.0
MAX_OVERHEAD_MS = 2.0
PACED_TEXTS = 200
PACED_RATE = 20.0
RATE_TOLERANCE = 0.10
# A text's trip to the fake varies by a fraction of a millisecond: a busiest-second window this
# much shorter than a second keeps that jitter from counting as a burst.
JITTER = 0.005
# Atlanta numbers, valid for phonenumbers (exchange 234, any line number): 10,000 distinct ones.
PHONE_PREFIX = "+1404234"
MAX_TEXTS = 10_000
# As long as the shipped first texts, so the bare loop sends requests of the same size.
BASELINE_BODY = (
    "Hi Avery, it's Jordan with Rivera Home Loans. I saw your home equity request. What's the "
    "address and rough loan balance? Reply STOP to opt out"
)


class TimedFake(FakeTwilio):
    """The fake Twilio, noting when each text create arrives (perf_counter seconds)."""

    def __init__(self) -> None:
        moment = datetime.fromisoformat(NOW)
        super().__init__(clock=lambda: moment)
        self.create_times: list[float] = []

    def handle(
        self, method: str, target: str, form: dict[str, Any], authorization: str | None
    ) -> Reply:
        if method == "POST" and target.endswith("/Messages.json"):
            self.create_times.append(time.perf_counter())
        return super().handle(method, target, form, authorization)


def lead_csv(path: Path, count: int) -> Path:
    """`count` fresh Atlanta leads that arrived in the minutes before NOW (10:00 in Atlanta)."""
    arrived = datetime.fromisoformat(NOW) - timedelta(minutes=10)
    rows = ["name,phone,state,zip,lead_date,source"]
    for n in range(count):
        moment = (arrived - timedelta(seconds=n)).isoformat()
        rows.append(f"Avery Lead{n:04d},{PHONE_PREFIX}{n:04d},GA,30303,{moment},Home Equity Calc")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def send_environment(workspace: Path, fake: FakeTwilio) -> dict[str, str]:
    return environment(
        LEADCHASE_HOME=str(workspace),
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_FROM=OUR_NUMBER,
        LEADCHASE_TWILIO_BASE_URL=fake.base_url,
        NO_PROXY="127.0.0.1",
        no_proxy="127.0.0.1",
    )


def imported_workspace(work: Path, count: int) -> Path:
    """A workspace holding `count` leads from a real `leadchase import`, made once per run."""
    workspace = work / "ws-send"
    shutil.rmtree(workspace, ignore_errors=True)
    env = environment(LEADCHASE_HOME=str(workspace))
    made = run([LEADCHASE, "init", workspace], env)
    if not made.ok:
        raise RunFailed("leadchase init", made.complaint())
    leads = lead_csv(work / f"send-leads-{count}.csv", count)
    done = run([LEADCHASE, "import", leads, "--json"], env)
    if not done.ok:
        raise RunFailed(f"leadchase import {leads.name}", done.complaint())
    imported = json.loads(done.stdout).get("imported")
    if imported != count:
        raise RunFailed("leadchase import", f"took {imported} of the {count} generated leads")
    return workspace


# `init` leaves [officer] empty and `send` sends nothing until these are there.
OFFICER = {
    "name": "Jordan Rivera",
    "company": "Rivera Home Loans",
    "phone": "+13055550123",
    "postal_address": "100 Main Street, Suite 200, Miami, FL 33130",
}


def fresh_copy(source: Path, target: Path, rate: float) -> None:
    """A copy of the imported workspace whose [twilio] messages_per_second is `rate`, signed
    by OFFICER."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    settings = target / "leadchase.toml"
    lines = settings.read_text(encoding="utf-8").splitlines()
    written = {f'{key} = ""': f'{key} = "{value}"' for key, value in OFFICER.items()}
    paced, section = [], ""
    for line in lines:
        if line.startswith("["):
            section = line
        if line.startswith("messages_per_second"):
            line = f"messages_per_second = {rate}"
        elif section == "[officer]":  # [alerts] has a phone = "" of its own: left empty
            line = written.get(line, line)
        paced.append(line)
    if sum(old != new for old, new in zip(lines, paced, strict=True)) != 1 + len(OFFICER):
        problem = f"no messages_per_second line or empty [officer] details in {settings}"
        raise RunFailed("fresh_copy", problem)
    settings.write_text("\n".join(paced) + "\n", encoding="utf-8")


def sent_count(result: Run) -> int | None:
    try:
        sent = json.loads(result.stdout)["sent"]
    except (ValueError, KeyError, TypeError):
        return None
    return sent if isinstance(sent, int) else None


def bench_send(work: Path, texts: int = TEXTS, pairs: int = PAIRS) -> list[Row]:
    """Our own time per text over the bare SDK loop, in paired runs; pacing at 20 texts/s."""
    overhead = Row(
        f"send {texts:,} texts: our time per text",
        "leadchase send --json (unpaced)",
        f"bare twilio SDK loop, {texts:,} messages.create",
        f"(send - bare) / texts <= {MAX_OVERHEAD_MS:g} ms",
        "N/A",
    )
    paced = min(PACED_TEXTS, texts)
    pacing = Row(
        f"send pacing, {paced} texts at {PACED_RATE:g}/s",
        f"leadchase send --json --limit {paced}",
        "messages_per_second = 20",
        f"within {RATE_TOLERANCE:.0%} of {PACED_RATE:g}/s, never more than "
        f"{PACED_RATE:g} in a second",
        "N/A",
    )
    if not 2 <= texts <= MAX_TEXTS:
        overhead.status = "ERROR"
        overhead.note = f"--texts {texts}: use 2 to {MAX_TEXTS:,} (one distinct phone per lead)"
        return [overhead, pacing]
    print(f"  importing {texts:,} fresh leads ...", flush=True)
    try:
        source = imported_workspace(work, texts)
    except RunFailed as failure:
        overhead.status, overhead.note = "ERROR", str(failure)
        return [overhead, pacing]
    fake = TimedFake()
    with fake:
        return [
            _overhead_row(overhead, work, source, fake, texts, pairs),
            _pacing_row(pacing, work, source, fake, paced),
        ]


class _SendRuns:
    """The send contender: a fresh copy of the workspace before each run, and after it a check
    that every text went out, noting how many API requests the run made."""

    def __init__(self, work: Path, source: Path, fake: TimedFake, texts: int) -> None:
        self.workspace = work / "ws-send-run"
        self.source, self.fake, self.texts = source, fake, texts
        self.requests: list[int] = []
        self._before = 0

    def contender(self) -> Contender:
        return Contender(
            "leadchase send",
            [LEADCHASE, "send", "--json"],
            send_environment(self.workspace, self.fake),
            prepare=self.prepare,
            check=self.check,
        )

    def prepare(self) -> None:
        fresh_copy(self.source, self.workspace, UNPACED_RATE)
        self._before = self.fake.request_count

    def check(self, result: Run) -> str | None:
        self.requests.append(self.fake.request_count - self._before)
        sent = sent_count(result)
        return None if sent == self.texts else f"sent {sent} texts, not {self.texts}"


def _overhead_row(
    row: Row, work: Path, source: Path, fake: TimedFake, texts: int, pairs: int
) -> Row:
    sends = _SendRuns(work, source, fake, texts)
    command: list[str | Path] = [BIN / "python", "-m", "benchmarks.bench_send", "--baseline"]
    bare = Contender(
        "bare SDK loop",
        [*command, fake.base_url, str(texts)],
        environment(NO_PROXY="127.0.0.1", no_proxy="127.0.0.1"),
    )
    print(f"  send {texts:,} texts / bare SDK loop, {pairs} rounds ...", flush=True)
    try:
        measured = paired([sends.contender(), bare], pairs)
    except RunFailed as failure:
        row.status, row.note = "ERROR", str(failure)
        return row
    per_text = measured.per_round(
        "leadchase send", bare.name, lambda ours, theirs: (ours.seconds - theirs.seconds) / texts
    )
    overhead_ms = statistics.median(per_text) * 1000
    result = compared(
        measured,
        "leadchase send",
        bare.name,
        None,
        what=row.what,
        command=row.command,
        baseline=row.baseline,
        target=row.target,
        note=f"ours {overhead_ms:.2f} ms/text (median of pairs); "
        f"{statistics.median(sends.requests):,.0f} API requests per send run",
    )
    result.status = verdict(overhead_ms <= MAX_OVERHEAD_MS)
    return result


def busiest_second(times: list[float]) -> int:
    """The most creates that arrived within any one second (less the jitter allowance)."""
    most, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= 1.0 - JITTER:
            first += 1
        most = max(most, last - first + 1)
    return most


def _pacing_row(row: Row, work: Path, source: Path, fake: TimedFake, texts: int) -> Row:
    workspace = work / "ws-send-run"
    try:
        fresh_copy(source, workspace, PACED_RATE)
    except RunFailed as failure:
        row.status, row.note = "ERROR", str(failure)
        return row
    print(f"  leadchase send --limit {texts} at {PACED_RATE:g} texts/s ...", flush=True)
    already = len(fake.create_times)
    result = run(
        [LEADCHASE, "send", "--json", "--limit", str(texts)], send_environment(workspace, fake)
    )
    if not result.ok:
        row.status, row.note = "ERROR", f"leadchase send {result.complaint()}"
        return row
    arrivals = fake.create_times[already:]
    if sent_count(result) != texts or len(arrivals) != texts:
        row.status, row.note = "ERROR", f"sent {len(arrivals)} texts, expected {texts}"
        return row
    achieved = (texts - 1) / (arrivals[-1] - arrivals[0])
    burst = busiest_second(arrivals)
    row.ratio = achieved / PACED_RATE
    row.status = verdict(abs(row.ratio - 1) <= RATE_TOLERANCE and burst <= PACED_RATE)
    row.ours = f"{achieved:.2f} texts/s\n(busiest second {burst})"
    row.theirs = f"{PACED_RATE:g} texts/s"
    row.note = f"1 run, {arrivals[-1] - arrivals[0]:.1f} s from first text to last"
    return row


def baseline(base_url: str, count: int) -> None:
    """The least a sender must do: one SDK messages.create per text, to the fake at base_url."""
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    class LocalHttpClient(TwilioHttpClient):  # type: ignore[misc]
        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            local = url.replace("https://api.twilio.com", base_url)
            return super().request(method, local, *args, **kwargs)

    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=LocalHttpClient())
    for n in range(count):
        client.messages.create(to=f"{PHONE_PREFIX}{n:04d}", from_=OUR_NUMBER, body=BASELINE_BODY)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description="The bare twilio SDK loop the send run is timed against"
    )
    parser.add_argument("--baseline", nargs=2, metavar=("BASE_URL", "COUNT"), required=True)
    options = parser.parse_args()
    baseline(options.baseline[0], int(options.baseline[1]))
