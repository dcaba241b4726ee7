"""Texts through Twilio's official SDK; Twilio's error codes become the send run's outcomes.

The SDK is imported when a TwilioTexts is built, never at module import, so `leadchase --help` and
the agenda do not pay for it. A custom HTTP client sends every request to the configured base URL,
which is how tests point the real SDK at a fake Twilio on 127.0.0.1.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from leadchase.channels.base import (
    DeliveryStatus,
    Inbound,
    InboundText,
    Outcome,
    ProviderError,
    SendOutcome,
)
from leadchase.channels.config import DEFAULT_TWILIO_BASE_URL, TwilioSettings

# Seconds to wait for Twilio's answer. Twilio answers in well under a second; a run that finds
# Twilio hung stops calling it after one timed-out call (docs/running.md), so this bounds how
# long an outage can hold up a run's emails.
REQUEST_TIMEOUT = 10.0
PAGE_SIZE = 200
# Pages of incoming texts one listing reads (10,000 texts): a huge account or an endpoint that
# never stops paging cannot hold a send run up (docs/running.md).
INBOUND_PAGES = 50
SENDING = "send the text"
ERROR_EXCERPT = 200  # characters of an error answer that is not Twilio's, shown in a message
NUMBERS_LISTED = 100  # the account's numbers matching TWILIO_FROM that doctor looks through
FIND_SENT_LIMIT = 200  # a lead gets a handful of texts a day; 200 covers any overlap window
# Twilio filters listings by the UTC day a message was sent, so listings start a day early and the
# exact cut is made here, with a few minutes of slack for clock skew between us and Twilio.
DAY_OVERLAP = timedelta(days=1)
CLOCK_SLACK = timedelta(minutes=5)

OPTED_OUT_CODES = frozenset({21610})
NOT_TEXTABLE_CODES = frozenset({21211, 21614, 30006})
RETRY_CODES = frozenset({20429, 30003})
BAD_CREDENTIALS = (
    "Twilio rejected the account SID or auth token (20003); "
    "check TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN"
)
# Configuration errors that would fail every text alike: the run stops and says how to fix them.
HALT_FIXES = {
    20003: BAD_CREDENTIALS,
    20404: "Twilio has no account {account} (20404); check TWILIO_ACCOUNT_SID",
    21212: "{sender} is not a valid sending number (21212); set TWILIO_FROM in E.164 form, e.g. +15551234567",
    21606: "Twilio cannot send texts from {sender} (21606); set TWILIO_FROM to an SMS-capable number on your account",
    30032: "{sender} is a toll-free number that is not verified (30032); finish toll-free verification in the Twilio console",
    30034: "{sender} is not registered for US A2P 10DLC (30034); register a campaign in the Twilio console or send from a registered number",
}


class TwilioError(ProviderError):
    """Twilio refused a request or could not be reached; `outcome` says what a send run should do."""


def classify_twilio_error(status: int, code: int | None) -> Outcome:
    """What a send run does after Twilio answered `status` with error `code`."""
    if code in OPTED_OUT_CODES:
        return "opted-out"
    if code in NOT_TEXTABLE_CODES:
        return "not-textable"
    if code in HALT_FIXES or status == 401:
        return "halt"
    if status == 429 or status >= 500 or code in RETRY_CODES:
        return "retry"
    return "failed"


def reroute(url: str, base_url: str) -> str:
    """`url` with its scheme and host replaced by `base_url`'s, keeping any path prefix it has."""
    parts = urlsplit(url)
    base = urlsplit(base_url)
    path = base.path.rstrip("/") + parts.path
    return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))


def retry_after_seconds(header: str | None) -> float | None:
    """The delay of a Retry-After header given in seconds (the form Twilio uses), else None."""
    try:
        seconds = float(header or "")
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


class _ReroutingClient(Protocol):
    retry_after: float | None
    last_response: Any  # twilio.http.response.Response: the last answer, for error bodies

    def close(self) -> None: ...


def _http_client(base_url: str, timeout: float) -> _ReroutingClient:
    from twilio.http.http_client import TwilioHttpClient

    class ReroutingHttpClient(TwilioHttpClient):  # type: ignore[misc]
        """One HTTP session for every request, sent to `base_url`, remembering Retry-After."""

        retry_after: float | None = None
        last_response: Any = None

        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            if base_url != DEFAULT_TWILIO_BASE_URL:
                url = reroute(url, base_url)
            # A network error must not reuse an earlier answer's delay or body.
            self.retry_after = self.last_response = None
            response = super().request(method, url, *args, **kwargs)
            self.retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            self.last_response = response
            return response

        def close(self) -> None:
            if self.session is not None:
                self.session.close()

    client: _ReroutingClient = ReroutingHttpClient(timeout=timeout)
    return client


def _refusal(error: Exception, response: Any) -> tuple[int, int | None, str]:
    """HTTP status, Twilio error code and message of a refusal, read from Twilio's answer.

    The SDK's exceptions lose the body when it is not Twilio's JSON (a proxy's HTML page, an
    empty 502), so the answer the HTTP client kept is read instead: a Twilio error body gives its
    code and message, anything else a short, cleaned excerpt.
    """
    status = getattr(response, "status_code", None) or getattr(error, "status", None) or 0
    text = str(getattr(response, "text", "") or "")
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict):
        code, message = body.get("code"), body.get("message") or body.get("detail")
        if isinstance(code, int) and isinstance(message, str):
            return int(status), code, excerpt(message)
    return int(status), None, excerpt(text) or "(an empty answer)"


def excerpt(text: str, limit: int = ERROR_EXCERPT) -> str:
    """Outside text fit for one line of a message: control and format characters (escape
    sequences, bidirectional overrides) removed, spaces collapsed, at most `limit` characters."""
    kept = "".join(c for c in text if c.isspace() or unicodedata.category(c)[0] != "C")
    line = " ".join(kept.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _may_have_arrived(error: OSError) -> bool:
    """Whether a request that failed on the network may still have reached Twilio. Only a
    connection never made (refused, no route, a name not found, a connect timeout) is sure not
    to have; a timeout waiting for the answer or a dropped connection may come after Twilio
    took the text."""
    from requests.exceptions import ConnectTimeout
    from urllib3.exceptions import ConnectTimeoutError

    reason = getattr(error.args[0], "reason", None) if error.args else None
    return not isinstance(error, ConnectTimeout) and not isinstance(reason, ConnectTimeoutError)


def _cause(error: OSError) -> str:
    """What went wrong on the network, in short: the innermost reason, without the request's
    URL (a lookup's URL holds the lead's number)."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    cause = reason if isinstance(reason, Exception) else error
    return excerpt(f"{type(cause).__name__}: {cause}")


def _listing_start(since: datetime) -> str:
    return (since.astimezone(UTC) - DAY_OVERLAP).strftime("%Y-%m-%d")


def sender_fields(sender: str) -> dict[str, str]:
    """The SDK's keyword for a sender: a messaging service SID (MG...) or a phone number."""
    if sender.startswith("MG"):
        return {"messaging_service_sid": sender}
    return {"from_": sender}


class TwilioTexts:
    """A TextSender over one Twilio account; reuse one object for a whole send run.

    `team_senders` are the team's officers' own numbers and messaging services (team.py): texts
    to any of them are replies to us, and a text sent from any of them is one of ours."""

    def __init__(
        self,
        settings: TwilioSettings,
        *,
        timeout: float = REQUEST_TIMEOUT,
        team_senders: tuple[str, ...] = (),
    ) -> None:
        from twilio.rest import Client

        self._settings = settings
        default = settings.from_number or settings.messaging_service_sid
        self._ours = tuple(dict.fromkeys(s for s in (default, *team_senders) if s))
        self._http = _http_client(settings.base_url, timeout)
        self._client = Client(settings.account_sid, settings.auth_token, http_client=self._http)

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self._http.close()

    def send_text(self, to: str, body: str, sender: str = "") -> SendOutcome:
        """Send from `sender` (an officer's number or messaging service), else [twilio]'s."""
        settings = self._settings
        chosen = sender_fields(sender or settings.from_number or settings.messaging_service_sid)
        if settings.status_callback:
            # Delivery statuses come to the listener as they happen; the send run's polling
            # (dispatch/recovery.py) still catches any Twilio could not deliver.
            chosen["status_callback"] = settings.status_callback
        try:
            with self._calling(SENDING):
                message = self._client.messages.create(to=to, body=body, **chosen)
        except TwilioError as error:
            return SendOutcome(
                error.outcome,
                error_code=error.error_code,
                error_message=str(error),
                retry_after=self._http.retry_after if error.outcome == "retry" else None,
            )
        return SendOutcome("sent", provider_id=message.sid, provider_status=message.status)

    def find_sent(self, to: str, body: str, since: datetime) -> str | None:
        earliest = since - CLOCK_SLACK
        query: dict[str, Any] = {"to": to, "date_sent_after": _listing_start(since)}
        if self._one_number:
            query["from_"] = self._settings.from_number
        with self._calling("look for an earlier text"):
            for message in self._client.messages.stream(limit=FIND_SENT_LIMIT, **query):
                if (
                    message.body == body
                    and message.direction != "inbound"
                    and self._is_ours(message.from_, message.messaging_service_sid)
                    and message.date_created is not None
                    and message.date_created >= earliest
                ):
                    return str(message.sid)
        return None

    def delivery_status(self, provider_id: str) -> DeliveryStatus:
        with self._calling(f"fetch text {provider_id}", missing_text=provider_id):
            message = self._client.messages(provider_id).fetch()
        code = message.error_code
        return DeliveryStatus(
            str(message.sid), str(message.status), str(code) if code is not None else None
        )

    def list_inbound(self, since: datetime) -> Inbound:
        """Texts our number received since `since` (less a few minutes), oldest first, once each.

        The slack can return a text already seen by an earlier poll: callers dedupe by provider_id.
        At most INBOUND_PAGES pages are read: a listing longer than that (a messaging service
        lists the whole account; a broken endpoint may never end) comes back incomplete.
        """
        earliest = since - CLOCK_SLACK
        query: dict[str, Any] = {"date_sent_after": _listing_start(since), "page_size": PAGE_SIZE}
        if self._one_number:
            query["to"] = self._settings.from_number
        received: dict[str, InboundText] = {}  # by SID: a text listed twice counts once
        with self._calling("list incoming texts"):
            page = self._client.messages.page(**query)
            for pages_read in range(1, INBOUND_PAGES + 1):
                for message in page:
                    at = message.date_sent or message.date_created
                    if (
                        message.direction == "inbound"
                        and self._is_ours(message.to, message.messaging_service_sid)
                        and at is not None
                        and at >= earliest
                    ):
                        received[message.sid] = InboundText(
                            provider_id=str(message.sid),
                            from_number=str(message.from_),
                            to_number=str(message.to),
                            body=str(message.body or ""),
                            received_at=at,
                            service_sid=str(message.messaging_service_sid or ""),
                        )
                complete = page.next_page_url is None
                if complete or pages_read == INBOUND_PAGES:
                    break
                page = page.next_page()
        texts = sorted(received.values(), key=lambda text: text.received_at)
        return Inbound(tuple(texts), complete)

    def check(self) -> str | None:
        settings = self._settings
        if not settings.configured:
            return (
                "Twilio is not configured; set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
                "TWILIO_FROM (or TWILIO_MESSAGING_SERVICE_SID)"
            )
        try:
            with self._calling("check the Twilio account"):
                account = self._client.api.accounts(settings.account_sid).fetch()
            number_found = not settings.from_number or self.is_on_account(settings.from_number)
            service = settings.messaging_service_sid
            service_found = not service or self.is_on_account(service)
        except TwilioError as error:
            return str(error)
        if account.status != "active":
            return (
                f"Twilio account {settings.account_sid} is {account.status}; "
                "reactivate it in the Twilio console"
            )
        if not number_found:
            return (
                f"{settings.from_number} is not a phone number on Twilio account "
                f"{settings.account_sid}; set TWILIO_FROM to one of the account's numbers"
            )
        if not service_found:
            return (
                f"{service} is not a messaging service on Twilio account {settings.account_sid}; "
                "set TWILIO_MESSAGING_SERVICE_SID to one of the account's"
            )
        return None

    def is_on_account(self, sender: str) -> bool:
        """Whether `sender`, a phone number or a messaging service SID (MG...), is this
        account's: the one check for [twilio]'s number and each officer's (doctor.py)."""
        with self._calling("list the account's numbers and messaging services"):
            if sender.startswith("MG"):
                services = self._client.messaging.v1.services.list(limit=NUMBERS_LISTED)
                return any(service.sid == sender for service in services)
            # Twilio's PhoneNumber filter matches part of a number: compare whole numbers.
            numbers = self._client.incoming_phone_numbers.list(
                phone_number=sender, limit=NUMBERS_LISTED
            )
            return any(number.phone_number == sender for number in numbers)

    @property
    def _one_number(self) -> bool:
        """Whether every text is ours through the one [twilio] number: Twilio can then filter
        listings by it; with a team's numbers (or a service) the filter is made here."""
        return bool(self._settings.from_number) and self._ours == (self._settings.from_number,)

    def _is_ours(self, number: str | None, service_sid: str | None) -> bool:
        return number in self._ours or (service_sid is not None and service_sid in self._ours)

    @contextmanager
    def _calling(self, what: str, missing_text: str | None = None) -> Iterator[None]:
        """Turn Twilio's refusals and network errors into a TwilioError saying what failed."""
        from twilio.base.exceptions import TwilioException

        try:
            yield
        except TwilioException as error:
            refused = self._refused(what, *_refusal(error, self._http.last_response), missing_text)
            refused.retry_after = self._http.retry_after
            raise refused from None
        except ValueError as error:  # an answer that is not JSON, e.g. a proxy's page with 200
            answer = self._http.last_response
            if answer is None:
                raise
            status, _, detail = _refusal(error, answer)
            # A text whose "accepted" could not be read may well have been accepted.
            outcome: Outcome = "unconfirmed" if what == SENDING else "retry"
            raise TwilioError(
                self._printable(f"Twilio's answer could not be read (HTTP {status}): {detail}"),
                outcome,
            ) from None
        except OSError as error:  # requests' connection errors and timeouts are OSErrors
            if what == SENDING and _may_have_arrived(error):
                raise TwilioError(self._no_answer(error), "unconfirmed") from None
            raise TwilioError(self._unreachable(error), "retry") from None

    def _refused(
        self, what: str, status: int, code: int | None, detail: str, missing_text: str | None = None
    ) -> TwilioError:
        settings = self._settings
        code_text = str(code) if code is not None else None
        if missing_text and code == 20404:
            return TwilioError(
                f"Twilio has no text {missing_text} on account {settings.account_sid} (20404); "
                "it was sent from another account or deleted",
                "failed",
                code_text,
            )
        outcome = classify_twilio_error(status, code)
        if outcome == "halt":
            fix = HALT_FIXES.get(code or 0, BAD_CREDENTIALS)
            sender = settings.from_number or f"messaging service {settings.messaging_service_sid}"
            message = fix.format(account=settings.account_sid, sender=sender)
        else:
            error = f"HTTP {status}, error {code}" if code is not None else f"HTTP {status}"
            message = f"Twilio could not {what} ({error}): {detail}"
        return TwilioError(self._printable(message), outcome, code_text)

    def _unreachable(self, error: OSError) -> str:
        return self._printable(
            f"cannot reach Twilio at {self._settings.base_url} ({_cause(error)}); "
            "check the network or LEADCHASE_TWILIO_BASE_URL"
        )

    def _no_answer(self, error: OSError) -> str:
        return self._printable(
            f"no answer from Twilio at {self._settings.base_url} ({_cause(error)}); the text may "
            "have gone, so it is looked up at Twilio before it is ever sent again"
        )

    def _printable(self, text: str) -> str:
        """One line, without the auth token."""
        token = self._settings.auth_token
        line = " ".join(text.split())
        return line.replace(token, "[auth token]") if token else line
