"""The fake Twilio and a local SMTP server for `make demo`, in one background process.

    python scripts/demo_servers.py serve --folder DIR --now 2026-11-28T16:30:00-05:00
        prints one line of KEY=VALUE settings pointing leadchase at both servers (fake Twilio
        credentials, LEADCHASE_TWILIO_BASE_URL, LEADCHASE_SMTP_HOST/PORT/TLS), then serves on
        127.0.0.1 until SIGTERM/SIGINT. Emails land in the Maildir DIR/mail.
    python scripts/demo_servers.py count --twilio URL --folder DIR
        one line: how many texts the fake Twilio received and how many emails the SMTP server got.
    python scripts/demo_servers.py reply --twilio URL --from +13055550100 --body "Sure"
        a lead's text reply, as if it came in through Twilio.

Demo only: it borrows tests/fake_twilio.py, and leadchase never imports this file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import mailbox
import os
import signal
import sys
import threading
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

# The fake Twilio lives in the tests package at the project root.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, FakeTwilio  # noqa: E402


class _AnyPortController(Controller):
    def _trigger_server(self) -> None:
        # Bound to port 0, the system picked a free port: learn it before the first connection.
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


def serve(folder: Path, now: datetime) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    # The fake's clock starts at the demo's LEADCHASE_NOW and runs on in real time, as a send run's
    # does: a reply injected after the send is newer than the texts, and `sync` asks for that day.
    started = time.monotonic()
    twilio = FakeTwilio(
        clock=lambda: now + timedelta(seconds=time.monotonic() - started),
        state_file=folder / "twilio.json",
    )
    smtp = _AnyPortController(Mailbox(folder / "mail"), hostname="127.0.0.1", port=0)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    smtp.start()
    try:
        with twilio:
            # One line of KEY=VALUE settings that point leadchase at these two servers.
            settings = {
                "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                "TWILIO_FROM": OUR_NUMBER,
                "LEADCHASE_TWILIO_BASE_URL": twilio.base_url,
                "LEADCHASE_SMTP_HOST": "127.0.0.1",
                "LEADCHASE_SMTP_PORT": smtp.port,
                "LEADCHASE_SMTP_TLS": "none",
            }
            print(" ".join(f"{name}={value}" for name, value in settings.items()), flush=True)
            # Stop with the demo script even when it dies without running its trap (kill -9).
            parent = os.getppid()
            while not stopping.wait(0.5) and os.getppid() == parent:
                pass
    finally:
        smtp.stop()


def _fake(twilio: str, control: str, arguments: dict[str, Any] | None = None) -> Any:
    data = None if arguments is None else json.dumps(arguments).encode()
    request = urllib.request.Request(
        f"{twilio}/_fake/{control}", data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def count(twilio: str, folder: Path) -> str:
    messages = _fake(twilio, "messages")["messages"]
    texts = sum(1 for m in messages if m["direction"] == "outbound-api")
    emails = len(mailbox.Maildir(folder / "mail", create=False))
    return f"The fake Twilio received {texts} texts; the SMTP server got {emails} emails."


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local Twilio and SMTP stand-ins for make demo")
    commands = parser.add_subparsers(dest="command", required=True)
    serving = commands.add_parser("serve", help="run both servers until SIGTERM")
    serving.add_argument("--folder", type=Path, required=True, help="state and Maildir folder")
    serving.add_argument("--now", type=datetime.fromisoformat, required=True, help="fake clock")
    counting = commands.add_parser("count", help="texts and emails received so far")
    counting.add_argument("--twilio", required=True, help="the fake Twilio's base URL")
    counting.add_argument("--folder", type=Path, required=True, help="the serve --folder")
    replying = commands.add_parser("reply", help="a lead texts back")
    replying.add_argument("--twilio", required=True, help="the fake Twilio's base URL")
    replying.add_argument("--from", dest="from_number", required=True, help="the lead's phone")
    replying.add_argument("--body", required=True, help="what the lead wrote")
    options = parser.parse_args(argv)
    if options.command == "serve":
        serve(options.folder, options.now)
    elif options.command == "count":
        print(count(options.twilio, options.folder))
    else:
        _fake(
            options.twilio,
            "add_inbound",
            {"from_number": options.from_number, "body": options.body},
        )


if __name__ == "__main__":
    main()
