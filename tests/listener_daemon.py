"""A real `leadchase daemon --listen` in a subprocess, and a real HTTP client for it.

Shared by the listener tests and `make bench`: the daemon serves on a free loopback port
(`--listen 127.0.0.1:0`, the port read from its log), sends through the fake Twilio and runs no
periodic pass worth waiting for (--every 3600), so every text it sends was asked for by a post.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode

from leadchase.listener.token import read_token
from tests.conftest import wait_for
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, FakeTwilio

PROJECT = Path(__file__).resolve().parents[1]
_LEAKY_PREFIXES = ("LEADCHASE_", "TWILIO_", "SMTP_")
_LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")


@dataclass
class Answer:
    status: int
    document: Any
    headers: Message  # names in any case


class ListeningDaemon:
    """`with ListeningDaemon(home, fake, now) as daemon:` starts it and stops it (SIGTERM)."""

    def __init__(
        self,
        home: Path,
        fake: FakeTwilio,
        now: str,
        log: Path,
        *extra: str,
        every: int = 3600,
        public_url: str = "",
    ) -> None:
        self.home = home
        self.log = log
        env = {k: v for k, v in os.environ.items() if not k.startswith(_LEAKY_PREFIXES)}
        env.update(
            {
                "LEADCHASE_HOME": str(home),
                "LEADCHASE_NOW": now,
                "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                "TWILIO_FROM": OUR_NUMBER,
                "LEADCHASE_TWILIO_BASE_URL": fake.base_url,
            }
        )
        if public_url:  # where Twilio is told the listener is: webhooks checked, callbacks asked
            env["LEADCHASE_PUBLIC_URL"] = public_url
        command = [sys.executable, "-m", "leadchase", "daemon", "--every", str(every)]
        command += ["--listen", "127.0.0.1:0", "--log-file", str(log), *extra]
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.port = 0
        self.stderr = ""

    def __enter__(self) -> Self:
        def listening() -> bool:
            if self.process.poll() is not None:
                raise AssertionError("the daemon exited")
            found = _LISTENING.search(self.log_text())
            self.port = int(found.group(1)) if found else 0
            return bool(found)

        try:
            wait_for(listening, 30)
        except AssertionError:
            self.stop()
            raise AssertionError(
                f"the daemon did not start: {self.stderr}\n{self.log_text()}"
            ) from None
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> int:
        """SIGTERM, then its exit code (killed if it does not stop within 20 s)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            _, self.stderr = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, self.stderr = self.process.communicate()
        return self.process.returncode

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8") if self.log.exists() else ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def token(self) -> str:
        return read_token(self.home)

    def post(
        self,
        body: Any,
        *,
        token: str | None = "",
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        form: bool = False,
        timeout: float = 30,
    ) -> Answer:
        """POST /leads: `body` as JSON (or as a form), with the workspace's token unless
        `token` is given (None: no Authorization header at all); no answer within `timeout`
        seconds raises TimeoutError."""
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token or self.token()}"
        if form:
            data = urlencode(body).encode()
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        else:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        address = f"{self.url}/leads" + (f"?{urlencode(query)}" if query else "")
        return request("POST", address, data, sent, timeout)


def request(
    method: str, url: str, data: bytes | None, headers: Mapping[str, str], timeout: float = 30
) -> Answer:
    call = urllib.request.Request(url, data=data, headers=dict(headers), method=method)
    try:
        with urllib.request.urlopen(call, timeout=timeout) as response:
            return Answer(response.status, json.loads(response.read()), response.headers)
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, json.loads(error.read()), error.headers)
