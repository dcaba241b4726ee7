"""Send benchmarks: a send run's own cost per text, and its pacing, against the fake Twilio.

1,000 fresh leads go in through the real `leadchase import`, each with one first text due at the
fixed LEADCHASE_NOW. The fake Twilio (tests/fake_twilio.py) serves from a thread of this process;
every contender is a whole process talking to it over HTTP on 127.0.0.1.

- Overhead: `leadchase send` with pacing out of the way (100,000 texts/s) vs a bare loop calling
  the twilio SDK's messages.create once per text against the same fake. The difference per text
  is what leadchase adds: start-up, due-touch query, compliance checks, rendering, the claim
  and record transactions, and the reply and delivery-status calls a send run makes.
- Pacing: `leadchase send --limit 200` at 20 texts/s; the fake timestamps every create.

    python -m benchmarks.bench_send --baseline BASE_URL COUNT   # the bare SDK loop (internal)
"""

from __future__ import annotations

import argparse
import json
import shutil
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
    Line,
    Run,
    best_of,
    environment,
    fastest,
    run,
    timings,
    verdict,
)

TEXTS = 1000
UNPACED_RATE = 100_000.0
MAX_OVERHEAD_MS = 5.0
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
        raise RuntimeError(f"leadchase init {workspace} failed ({made.complaint()})")
    leads = lead_csv(work / f"send-leads-{count}.csv", count)
    done = run([LEADCHASE, "import", leads, "--json"], env)
    if not done.ok:
        raise RuntimeError(f"leadchase import {leads.name} failed ({done.complaint()})")
    imported = json.loads(done.stdout).get("imported")
    if imported != count:
        raise RuntimeError(f"leadchase import took {imported} of the {count} generated leads")
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
    paced = [
        f"messages_per_second = {rate}"
        if line.startswith("messages_per_second")
        else written.get(line, line)
        for line in lines
    ]
    if sum(old != new for old, new in zip(lines, paced, strict=True)) != 1 + len(OFFICER):
        raise RuntimeError(f"no messages_per_second line or empty [officer] details in {settings}")
    settings.write_text("\n".join(paced) + "\n", encoding="utf-8")


def sent_count(result: Run) -> int | None:
    try:
        sent = json.loads(result.stdout)["sent"]
    except (ValueError, KeyError, TypeError):
        return None
    return sent if isinstance(sent, int) else None


def bench_send(work: Path, texts: int = TEXTS) -> list[Line]:
    """(e) overhead per text vs the bare SDK loop, best of 3 each; (f) pacing at 20 texts/s."""
    overhead_name = f"send {texts:,} texts: leadchase overhead per text"
    pacing_name = f"send pacing, {min(PACED_TEXTS, texts)} texts at {PACED_RATE:g}/s"
    if not 2 <= texts <= MAX_TEXTS:
        problem = f"--texts {texts}: use 2 to {MAX_TEXTS:,} (one distinct phone per lead)"
        return [Line(overhead_name, problem, "", "ERROR"), Line(pacing_name, "", "", "N/A")]
    print(f"  importing {texts:,} fresh leads ...", flush=True)
    try:
        source = imported_workspace(work, texts)
    except RuntimeError as error:
        return [Line(overhead_name, str(error), "", "ERROR"), Line(pacing_name, "", "", "N/A")]
    fake = TimedFake()
    with fake:
        lines = [_overhead_line(overhead_name, work, source, fake, texts)]
        lines.append(_pacing_line(pacing_name, work, source, fake, min(PACED_TEXTS, texts)))
    return lines


def _overhead_line(name: str, work: Path, source: Path, fake: TimedFake, texts: int) -> Line:
    target = f"< {MAX_OVERHEAD_MS:g} ms/text"
    workspace = work / "ws-send-run"
    print(f"  leadchase send x3 ({texts:,} texts, unpaced) ...", flush=True)
    requests_before = fake.request_count
    ours = best_of(
        3,
        [LEADCHASE, "send", "--json"],
        send_environment(workspace, fake),
        prepare=lambda: fresh_copy(source, workspace, UNPACED_RATE),
    )
    if not ours[-1].ok:
        return Line(name, f"leadchase send {ours[-1].complaint()}", target, "ERROR")
    if any(sent_count(r) != texts for r in ours):
        counts = [sent_count(r) for r in ours]
        return Line(name, f"sent {counts} texts, expected {texts} each time", target, "ERROR")
    requests = (fake.request_count - requests_before) // len(ours)
    print(f"  bare twilio SDK loop x3 ({texts:,} creates) ...", flush=True)
    command: list[str | Path] = [BIN / "python", "-m", "benchmarks.bench_send", "--baseline"]
    bare = best_of(3, [*command, fake.base_url, str(texts)], environment(NO_PROXY="127.0.0.1"))
    if not bare[-1].ok:
        return Line(name, f"bare SDK loop {bare[-1].complaint()}", target, "ERROR")
    best, baseline = fastest(ours), fastest(bare)
    per_text_ms = best.seconds / texts * 1000
    baseline_ms = baseline.seconds / texts * 1000
    overhead_ms = per_text_ms - baseline_ms
    return Line(
        name,
        f"overhead {overhead_ms:.2f} ms/text; send run {best.seconds:.2f} s = {per_text_ms:.2f} "
        f"ms/text ({requests:,} API requests); bare SDK loop {baseline.seconds:.2f} s = "
        f"{baseline_ms:.2f} ms/text",
        target,
        verdict(overhead_ms < MAX_OVERHEAD_MS),
        best.seconds / baseline.seconds,
        {
            "overhead_ms_per_text": round(overhead_ms, 3),
            "send": timings(ours),
            "bare_sdk_loop": timings(bare),
            "api_requests_per_run": requests,
        },
    )


def busiest_second(times: list[float]) -> int:
    """The most creates that arrived within any one second (less the jitter allowance)."""
    most, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= 1.0 - JITTER:
            first += 1
        most = max(most, last - first + 1)
    return most


def _pacing_line(name: str, work: Path, source: Path, fake: TimedFake, texts: int) -> Line:
    target = (
        f"within {RATE_TOLERANCE:.0%} of {PACED_RATE:g}/s, never more than "
        f"{PACED_RATE:g} in a second"
    )
    workspace = work / "ws-send-run"
    fresh_copy(source, workspace, PACED_RATE)
    print(f"  leadchase send --limit {texts} at {PACED_RATE:g} texts/s ...", flush=True)
    already = len(fake.create_times)
    result = run(
        [LEADCHASE, "send", "--json", "--limit", str(texts)], send_environment(workspace, fake)
    )
    if not result.ok:
        return Line(name, f"leadchase send {result.complaint()}", target, "ERROR")
    arrivals = fake.create_times[already:]
    if sent_count(result) != texts or len(arrivals) != texts:
        return Line(name, f"sent {len(arrivals)} texts, expected {texts}", target, "ERROR")
    achieved = (texts - 1) / (arrivals[-1] - arrivals[0])
    burst = busiest_second(arrivals)
    ratio = achieved / PACED_RATE
    return Line(
        name,
        f"{achieved:.2f} texts/s over {arrivals[-1] - arrivals[0]:.1f} s; busiest second "
        f"{burst} texts; whole run {result.seconds:.1f} s",
        target,
        verdict(abs(ratio - 1) <= RATE_TOLERANCE and burst <= PACED_RATE),
        ratio,
        {"texts_per_second": round(achieved, 3), "busiest_second": burst},
    )


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
