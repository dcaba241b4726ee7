"""A stateful fake of Twilio's REST API on 127.0.0.1, for tests and `make bench`.

Test-only: leadchase never imports it. The real `twilio` SDK talks to it through
LEADCHASE_TWILIO_BASE_URL. It speaks Twilio's JSON shapes (Messages create/fetch/list with
paging, the account, IncomingPhoneNumbers) and error bodies (a sent message also shows the
StatusCallback its create asked for, which Twilio keeps to itself), and can be told to fail creates,
answer any route with whatever a broken proxy sends, move a text on or receive a reply.

In a test: `with FakeTwilio() as fake:` (in a fixture), then its control methods.
From another process: `python -m tests.fake_twilio --port 0 --state FILE` prints its base URL on
the first line of stdout and serves until SIGTERM/SIGINT; on shutdown (and on POST /_fake/save)
it writes every message to FILE as {"messages": [...]}. Control over HTTP, no auth needed:
  GET /_fake/messages -> {"messages": [...]} oldest first;  GET /_fake/requests -> {"count": n}
  POST /_fake/<control> with a JSON object of keyword arguments -> {"result": ...}, where
  <control> is one of CONTROLS, e.g. POST /_fake/fail_next_creates {"status": 429, "code": 20429}
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import signal
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests import twilio_formats as wire
from tests.twilio_formats import Reply

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "fake-auth-token-5f2c9e"
OUR_NUMBER = "+15005550006"
API = "/2010-04-01"
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
CONTROLS = frozenset(
    {"fail_next_creates", "fail_creates_to", "answer_next", "set_status", "add_inbound"}
    | {"set_latency", "hold_creates_to", "release_creates", "save"}
)
HOLD_LIMIT = 60.0  # seconds a held create waits at most
ROUTES = ("create", "list", "fetch", "account", "numbers", "services")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FakeTwilio(ThreadingHTTPServer):
    """Twilio's REST API in a background thread; the control methods are safe to call any time."""

    daemon_threads = True

    def __init__(
        self,
        *,
        account_sid: str = ACCOUNT_SID,
        auth_token: str = AUTH_TOKEN,
        numbers: tuple[str, ...] = (OUR_NUMBER,),
        services: tuple[str, ...] = (),
        clock: Callable[[], datetime] = _utc_now,
        port: int = 0,
        state_file: Path | None = None,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.numbers = numbers  # the phone numbers on the account
        self.services = services  # its messaging services' SIDs (MG...), sending from numbers[0]
        self.clock = clock
        self.state_file = state_file
        self.latency = 0.0  # seconds added to every API request
        self.max_page_size = 1000  # Twilio's cap; lower it to force paging
        # Twilio pages Messages with a cursor (PageToken). Offset paging shows what a text arriving
        # mid-listing does to Page-number paging: the page boundary comes back on the next page.
        self.offset_paging = False
        self.after_list_page: Callable[[], None] | None = None  # runs after each page is served
        self.request_count = 0  # API requests; control endpoints are not counted
        self.requests: list[str] = []  # "GET /2010-04-01/...", in arrival order
        self._messages: list[dict[str, Any]] = []  # oldest first
        self._next_answers: dict[str, list[Reply]] = {route: [] for route in ROUTES}
        self._errors_by_to: dict[str, Reply] = {}
        self._held: set[str] = set()  # numbers whose creates hang until release_creates()
        self._released = threading.Event()
        self._lock = threading.RLock()
        super().__init__(("127.0.0.1", port), _Handler)
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> FakeTwilio:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self.server_close()
        if self.state_file is not None:
            self.save()

    # Controls: plain methods here, POST /_fake/<name> for other processes.

    def fail_next_creates(
        self,
        status: int,
        code: int,
        message: str | None = None,
        *,
        count: int = 1,
        retry_after: float | None = None,
    ) -> None:
        self._queue("create", Reply.error(status, code, message, retry_after), count)

    def answer_next(
        self,
        route: str,
        status: int,
        payload: Any = None,
        *,
        body: str | None = None,
        count: int = 1,
    ) -> None:
        """The next `count` requests to `route` (one of ROUTES) get this answer instead: a JSON
        `payload`, or a raw `body` such as a proxy's HTML error page."""
        self._queue(route, Reply(status, payload or {}, raw=body), count)

    def _queue(self, route: str, reply: Reply, count: int) -> None:
        with self._lock:
            self._next_answers[route] += [reply] * count  # an unknown route is a KeyError

    def fail_creates_to(self, to: str, status: int, code: int, message: str | None = None) -> None:
        """Every create to `to` fails from now on, as for a landline or an opted-out number."""
        with self._lock:
            self._errors_by_to[to] = Reply.error(status, code, message)

    def hold_creates_to(self, to: str) -> None:
        """Creates to `to` hang, as a Twilio that stopped answering, until release_creates()
        (or HOLD_LIMIT seconds, so a test that forgets never hangs for ever)."""
        with self._lock:
            self._held.add(to)
            self._released.clear()

    def release_creates(self) -> None:
        """The held creates go on (and are answered as usual); new ones are not held."""
        with self._lock:
            self._held.clear()
            self._released.set()

    def set_status(self, sid: str, status: str, error_code: int | None = None) -> None:
        """Move a text on, as the carrier would: "delivered", or "undelivered" with 30003-30008."""
        with self._lock:
            found = [m for m in self._messages if m["sid"] == sid]
            if not found:
                raise KeyError(f"no message {sid}")
            message = found[0]
            message["status"], message["error_code"] = status, error_code
            message["error_message"] = wire.ERROR_MESSAGES.get(error_code or 0)
            message["date_updated"] = wire.rfc2822(self.clock())

    def add_inbound(
        self, from_number: str, body: str, to: str | None = None, service: str | None = None
    ) -> str:
        """A text from `from_number` to our first number (or `to`); returns its SID. `service`:
        the messaging service whose number got it, which Twilio marks the text with."""
        message = self._new_message(to or self.numbers[0], from_number, body, "inbound")
        message["status"] = "received"
        message["messaging_service_sid"] = service
        with self._lock:
            self._messages.append(message)
        return str(message["sid"])

    def set_latency(self, seconds: float) -> None:
        self.latency = seconds

    def save(self) -> None:
        """Write every message to the state file, atomically."""
        if self.state_file is None:
            raise ValueError("this fake has no state file")
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps({"messages": self.messages()}), encoding="utf-8")
        temporary.replace(self.state_file)

    def messages(self) -> list[dict[str, Any]]:
        """Every message, oldest first, as Twilio's JSON shows it."""
        with self._lock:
            return [dict(message) for message in self._messages]

    def sent(self) -> list[dict[str, Any]]:
        return [m for m in self.messages() if m["direction"] == "outbound-api"]

    # The REST API.

    def handle(
        self, method: str, target: str, form: dict[str, Any], authorization: str | None
    ) -> Reply:
        """The answer to one request; `target` is the path with its query string."""
        url = urlsplit(target)
        if url.path.startswith("/_fake/"):
            return self._control(method, url.path.removeprefix("/_fake/"), form)
        with self._lock:
            self.request_count += 1
            self.requests.append(f"{method} {url.path}")
        time.sleep(self.latency)
        if authorization != _basic(self.account_sid, self.auth_token):
            return Reply.error(401, 20003)
        base = f"{API}/Accounts/{self.account_sid}"
        name = {
            ("GET", f"{base}.json"): "account",
            ("POST", f"{base}/Messages.json"): "create",
            ("GET", f"{base}/Messages.json"): "list",
            ("GET", f"{base}/IncomingPhoneNumbers.json"): "numbers",
            ("GET", "/v1/Services"): "services",
        }.get((method, url.path), "fetch")
        with self._lock:
            queued = self._next_answers[name]
            injected = queued.pop(0) if queued else None
        if injected is not None:
            return injected
        query = dict(parse_qsl(url.query))
        if name == "account":
            return Reply(200, wire.account_json(self.account_sid, self.auth_token))
        if name == "create":
            return self._create(form)
        if name == "list":
            return self._list(url.path, query)
        if name == "numbers":
            return self._numbers(url.path, query)
        if name == "services":
            return Reply(200, wire.services_page(self.account_sid, self.services, target))
        return self._fetch(url.path)

    def _fetch(self, path: str) -> Reply:
        with self._lock:
            found = [m for m in self._messages if m["uri"] == path]
        if found:
            return Reply(200, dict(found[0]))
        return Reply.error(404, 20404, f"The requested resource {path} was not found")

    def _new_message(self, to: str, sender: str, body: str, direction: str) -> dict[str, Any]:
        now = wire.rfc2822(self.clock())
        sid = "SM" + uuid.uuid4().hex
        uri = f"{API}/Accounts/{self.account_sid}/Messages/{sid}.json"
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": now,
            "date_sent": now,
            "date_updated": now,
            "direction": direction,
            "error_code": None,
            "error_message": None,
            "from": sender,
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": str(wire.segments(body)),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "sent",
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": to,
            "uri": uri,
        }

    def _create(self, form: dict[str, Any]) -> Reply:
        to, body = form.get("To", ""), form.get("Body", "")
        service = form.get("MessagingServiceSid")
        sender = form.get("From") or (self.numbers[0] if service and self.numbers else "")
        with self._lock:
            injected = self._errors_by_to.get(to)
            held = to in self._held
        if held:
            self._released.wait(HOLD_LIMIT)
        if injected is not None:
            return injected
        checks = (
            (not to, 21604),
            (not sender, 21603),
            (not body, 21602),
            (not E164.match(to), 21211),
            (sender not in self.numbers, 21606),
        )
        problem = next((code for failed, code in checks if failed), None)
        if problem is not None:
            return Reply.error(400, problem)
        message = self._new_message(to, sender, body, "outbound-api")
        message["messaging_service_sid"] = service
        # Twilio keeps the StatusCallback a create asked for without showing it; the fake shows
        # it, so a test can see where the text's delivery statuses would be posted.
        message["status_callback"] = form.get("StatusCallback")
        with self._lock:
            self._messages.append(message)
        # Twilio answers "queued" and sends moments later; the fake sends at once.
        return Reply(201, {**message, "status": "queued", "date_sent": None})

    def _list(self, path: str, query: dict[str, str]) -> Reply:
        limits: dict[str, date] = {}
        for key in ("DateSent", "DateSent>", "DateSent<"):
            if key in query:
                try:
                    limits[key] = date.fromisoformat(query[key][:10])
                except ValueError:
                    return Reply.error(400, 20001, f"Invalid {key}; use YYYY-MM-DD")
        with self._lock:
            chosen = [
                m
                for m in reversed(self._messages)  # newest first, like Twilio
                if query.get("To", m["to"]) == m["to"]
                and query.get("From", m["from"]) == m["from"]
                and wire.sent_within(m, limits)
            ]
        page_size = min(int(query.get("PageSize", 50)), self.max_page_size)
        page = int(query.get("Page", 0))
        after = query.get("PageToken", "")[2:]  # "PA" + the SID that ended the previous page
        sids = [m["sid"] for m in chosen]
        if self.offset_paging:
            start = page * page_size
        elif after:
            start = sids.index(after) + 1 if after in sids else len(sids)
        else:
            start = 0
        items = chosen[start : start + page_size]
        filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

        def page_uri(number: int, last_sid: str = "") -> str:
            token = {"PageToken": f"PA{last_sid}"} if last_sid and not self.offset_paging else {}
            return (
                f"{path}?{urlencode({**filters, 'PageSize': page_size, 'Page': number, **token})}"
            )

        more = bool(items) and start + page_size < len(chosen)
        payload = {
            "end": start + len(items) - 1,
            "first_page_uri": page_uri(0),
            "next_page_uri": page_uri(page + 1, items[-1]["sid"]) if more else None,
            "page": page,
            "page_size": page_size,
            "previous_page_uri": page_uri(page - 1) if page > 0 else None,
            "start": start,
            "uri": page_uri(page, after),
            "messages": items,
        }
        if self.after_list_page is not None:
            self.after_list_page()
        return Reply(200, payload)

    def _numbers(self, path: str, query: dict[str, str]) -> Reply:
        """The account's phone numbers, on one page (an account has a handful). Like Twilio's,
        the PhoneNumber filter matches part of a number, with * for any digit."""
        pattern = re.escape(query.get("PhoneNumber", "")).replace(r"\*", r"\d")
        chosen = [n for n in self.numbers if re.search(pattern, n)]
        return Reply(200, wire.numbers_page(self.account_sid, chosen, f"{path}?{urlencode(query)}"))

    def _control(self, method: str, name: str, arguments: dict[str, Any]) -> Reply:
        if method == "GET" and name == "messages":
            return Reply(200, {"messages": self.messages()})
        if method == "GET" and name == "requests":
            return Reply(200, {"count": self.request_count})
        if method == "POST" and name in CONTROLS:
            try:
                return Reply(200, {"result": getattr(self, name)(**arguments)})
            except (KeyError, TypeError, ValueError) as problem:
                return Reply.error(400, 20001, f"/_fake/{name}: {problem}")
        return Reply.error(404, 20404, f"no fake control {method} /_fake/{name}")


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like api.twilio.com
    disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms stall

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def _answer(self, method: str) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        is_json = (self.headers.get("Content-Type") or "").startswith("application/json")
        form = json.loads(raw or "{}") if is_json else dict(parse_qsl(raw))
        reply = cast(FakeTwilio, self.server).handle(
            method, self.path, form, self.headers.get("Authorization")
        )
        body = (json.dumps(reply.payload) if reply.raw is None else reply.raw).encode()
        self.send_response(reply.status)
        self.send_header(
            "Content-Type", "application/json" if reply.raw is None else "text/html; charset=utf-8"
        )
        self.send_header("Content-Length", str(len(body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: FakeTwilio.requests is the request log."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A fake Twilio REST API on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--state", type=Path, help="JSON file the messages are written to")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per API request")
    options = parser.parse_args(argv)
    fake = FakeTwilio(port=options.port, state_file=options.state)
    fake.latency = options.latency
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    with fake:
        print(fake.base_url, flush=True)
        stopping.wait()


if __name__ == "__main__":
    main()
