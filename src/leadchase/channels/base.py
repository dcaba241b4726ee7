"""What the send run needs from a text or email provider: one small interface each.

Providers classify their own errors into outcomes the send run understands, so dispatch/ never
sees an HTTP status or a Twilio error code table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from leadchase.errors import EXIT_HALTED, LeadchaseError

Outcome = Literal[
    "sent",  # the provider accepted the message
    "failed",  # a permanent failure for this message only (recorded, not retried)
    "retry",  # a passing problem (429, 5xx, 30003): try again later with backoff
    "halt",  # a configuration problem (bad credentials, bad sender): stop the whole run
    "opted-out",  # the recipient has opted out at the carrier/provider (Twilio 21610)
    "not-textable",  # the number cannot take texts (landline, invalid): stop texting it
    # The request went out but no answer came back (a timeout, a dropped connection): the
    # message may have been sent. Never resent blindly: looked up at the provider first.
    "unconfirmed",
]


class ProviderError(LeadchaseError):
    """A provider refused a request or could not be reached; `outcome` says what a send run does:
    "retry" (passing trouble), "halt" (a setting to fix) or "failed" (this request only)."""

    def __init__(
        self,
        message: str,
        outcome: Outcome,
        error_code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.outcome: Outcome = outcome
        self.error_code = error_code
        self.retry_after = retry_after  # seconds, when the provider said so
        if outcome == "halt":
            self.exit_code = EXIT_HALTED


@dataclass(frozen=True)
class SendOutcome:
    outcome: Outcome
    provider_id: str | None = None  # Twilio SID or email Message-ID
    provider_status: str | None = None  # e.g. "queued", "accepted"
    error_code: str | None = None
    error_message: str | None = None  # never contains a secret
    retry_after: float | None = None  # seconds, when the provider said so


@dataclass(frozen=True)
class DeliveryStatus:
    provider_id: str
    status: str  # queued | sending | sent | delivered | undelivered | failed | ...
    error_code: str | None = None


@dataclass(frozen=True)
class InboundText:
    provider_id: str
    from_number: str
    to_number: str
    body: str
    received_at: datetime
    service_sid: str = ""  # the messaging service whose number got it (Twilio marks it)


@dataclass(frozen=True)
class Inbound:
    """A listing of incoming texts; not `complete` when it stopped at its page cap."""

    texts: tuple[InboundText, ...]
    complete: bool = True


class TextSender(Protocol):
    def send_text(self, to: str, body: str, sender: str = "") -> SendOutcome:
        """Send `body` to `to` from `sender` (an officer's own number or messaging service),
        or from the workspace's when it is ""."""
        ...

    def find_sent(self, to: str, body: str, since: datetime) -> str | None:
        """The provider id of a message already sent to `to` with `body` since `since`, if any.

        Used to reconcile a touch whose send run crashed between the call and the record.
        """
        ...

    def delivery_status(self, provider_id: str) -> DeliveryStatus: ...

    def list_inbound(self, since: datetime) -> Inbound:
        """Texts received on our number(s) since about `since`, de-duplicated, oldest first."""
        ...

    def check(self) -> str | None:
        """None when credentials and sender work; else what is wrong and how to fix it."""
        ...

    def close(self) -> None:
        """Release the HTTP session a run reused for all its requests."""
        ...


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    body: str
    from_name: str
    from_address: str
    reply_to: str | None = None
    list_unsubscribe: str | None = None  # the header value, e.g. "<mailto:...?subject=unsubscribe>"


class EmailSender(Protocol):
    def send_email(self, email: OutgoingEmail) -> SendOutcome: ...

    def check(self) -> str | None: ...

    def close(self) -> None:
        """End the connection a run reused for all its emails."""
        ...
