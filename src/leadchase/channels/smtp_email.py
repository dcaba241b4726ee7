"""Email through any SMTP server with smtplib: one connection per send run, errors as outcomes.

The send run only learns "sent", "failed", "retry" or "halt". Which SMTP replies mean what:
- a recipient refused for good (5xx on RCPT) or a message refused (5xx on DATA): failed;
- any 4xx, a refused or dropped connection, a timeout: retry later;
- a rejected login, a refused sender, a TLS problem: halt, because every email would fail the
  same way until the user fixes a LEADCHASE_SMTP_* setting, which the message names.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from leadchase.channels.base import Outcome, OutgoingEmail, SendOutcome
from leadchase.channels.config import SmtpSettings
from leadchase.clock import now

DEFAULT_TIMEOUT = 20.0
_MAX_REPLY = 200  # characters of a server reply kept in a message

Clock = Callable[[], datetime]


def build_message(email: OutgoingEmail, moment: datetime) -> EmailMessage:
    """The email as sent: the headers mail clients and spam filters expect, plain utf-8 text."""
    message = EmailMessage()
    message["From"] = Address(email.from_name.strip(), addr_spec=email.from_address.strip())
    message["To"] = Address(addr_spec=email.to.strip())
    # Template output can carry line breaks; a header must not.
    message["Subject"] = " ".join(email.subject.split())
    message["Date"] = format_datetime(moment)
    message["Message-ID"] = make_msgid(domain=_domain(email.from_address))
    if email.reply_to:
        message["Reply-To"] = Address(addr_spec=email.reply_to.strip())
    if email.list_unsubscribe:
        message["List-Unsubscribe"] = email.list_unsubscribe
        # One-click unsubscribe (RFC 8058) is a POST to an https URL; a mailto-only header
        # must not claim it.
        if "<https://" in email.list_unsubscribe:
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Quoted-printable keeps accented names 7-bit clean for servers without 8BITMIME.
    cte = None if email.body.isascii() else "quoted-printable"
    message.set_content(email.body, charset="utf-8", cte=cte)
    return message


def _domain(address: str) -> str:
    return address.strip().rpartition("@")[2] or "localhost"


class _Stopped(Exception):
    """Connecting failed; carries the outcome so the send path does not classify it again."""

    def __init__(self, outcome: SendOutcome) -> None:
        super().__init__(outcome.error_message)
        self.outcome = outcome


class SmtpEmails:
    """EmailSender over SMTP. One connection serves a whole send run: call close() at the end."""

    def __init__(
        self,
        settings: SmtpSettings,
        clock: Clock = now,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._settings = settings
        # The clock only dates the email (leadchase.clock.now honours LEADCHASE_NOW).
        self._clock = clock
        self._timeout = timeout
        # No ssl_context means the system's trusted certificates; tests trust their own.
        self._ssl_context = ssl_context
        self._connection: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpEmails:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def send_email(self, email: OutgoingEmail) -> SendOutcome:
        try:
            message = build_message(email, self._clock())
        except (ValueError, HeaderParseError) as error:
            return self._outcome("failed", f"cannot write an email to {email.to!r}: {error}")
        sender = self._settings.from_address or email.from_address.strip()
        recipient = email.to.strip()
        reused = self._connection is not None
        try:
            try:
                self._deliver(message, sender, recipient)
            except smtplib.SMTPServerDisconnected:
                if not reused:
                    raise
                # Servers close connections left idle between sends; a fresh one gets one try.
                self._drop()
                self._deliver(message, sender, recipient)
        except _Stopped as stopped:
            return stopped.outcome
        except (smtplib.SMTPException, OSError) as error:
            # smtplib resets the session after a refusal; anything else leaves it unusable.
            if not isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
                self._drop()
            return self._sending_outcome(error, sender, recipient)
        return SendOutcome(
            "sent", provider_id=str(message["Message-ID"]), provider_status="accepted"
        )

    def check(self) -> str | None:
        """None when the server takes a login and the sender; else what is wrong and the fix."""
        settings = self._settings
        if not settings.host:
            return "SMTP host is not set; set LEADCHASE_SMTP_HOST or [smtp] host in leadchase.toml"
        if not settings.from_address:
            return "SMTP sender is not set; set LEADCHASE_SMTP_FROM or [smtp] from_address"
        if settings.user and not settings.password:
            return (
                f"SMTP user {settings.user} has no password; set LEADCHASE_SMTP_PASSWORD in the "
                "environment or the secrets file"
            )
        try:
            connection = self._open()
        except _Stopped as stopped:
            return stopped.outcome.error_message
        try:
            # MAIL FROM then RSET: proves the server takes this sender without sending anything.
            connection.noop()
            code, reply = connection.mail(settings.from_address)
            if code != 250:
                error = smtplib.SMTPSenderRefused(code, reply, settings.from_address)
                return self._sending_outcome(error, settings.from_address, "").error_message
            connection.rset()
        except (smtplib.SMTPException, OSError) as error:
            return self._sending_outcome(error, settings.from_address, "").error_message
        finally:
            _quit(connection)
        return None

    def close(self) -> None:
        """Say goodbye to the server; safe to call twice or when nothing was sent."""
        self._drop()

    def _deliver(self, message: EmailMessage, sender: str, recipient: str) -> None:
        if self._connection is None:
            self._connection = self._open()
        self._connection.send_message(message, from_addr=sender, to_addrs=[recipient])

    def _drop(self) -> None:
        if self._connection is not None:
            _quit(self._connection)
            self._connection = None

    def _open(self) -> smtplib.SMTP:
        """A connection ready to send: connected, encrypted as configured, logged in."""
        settings = self._settings
        context = self._ssl_context or ssl.create_default_context()
        connection: smtplib.SMTP | None = None
        try:
            if settings.tls == "ssl":
                connection = smtplib.SMTP_SSL(
                    settings.host, settings.port, timeout=self._timeout, context=context
                )
            else:
                connection = smtplib.SMTP(settings.host, settings.port, timeout=self._timeout)
            connection.ehlo()
            if settings.tls == "starttls":
                if not connection.has_extn("starttls"):
                    raise self._stop(
                        "halt",
                        f"{self._where} does not offer STARTTLS; set LEADCHASE_SMTP_TLS=ssl "
                        "(usually with LEADCHASE_SMTP_PORT=465), or none for a local relay",
                    )
                connection.starttls(context=context)
                connection.ehlo()
            if settings.user:
                if not connection.has_extn("auth"):
                    raise self._stop(
                        "halt",
                        f"{self._where} offers no login on this connection; set "
                        "LEADCHASE_SMTP_TLS=starttls or ssl, or unset LEADCHASE_SMTP_USER",
                    )
                connection.login(settings.user, settings.password)
        except (smtplib.SMTPException, OSError) as error:
            if connection is not None:
                _quit(connection)
            raise self._connecting_outcome(error) from None
        except _Stopped:
            if connection is not None:
                _quit(connection)
            raise
        return connection

    @property
    def _where(self) -> str:
        return f"SMTP server {self._settings.host}:{self._settings.port}"

    def _connecting_outcome(self, error: Exception) -> _Stopped:
        where = self._where
        tls_hint = (
            "; port 465 wants LEADCHASE_SMTP_TLS=ssl"
            if self._settings.port == 465 and self._settings.tls != "ssl"
            else ""
        )
        if isinstance(error, smtplib.SMTPAuthenticationError):
            return self._stop(
                "halt",
                f"{where} rejected the login for {self._settings.user} ({_reply(error)}); check "
                "LEADCHASE_SMTP_USER and LEADCHASE_SMTP_PASSWORD (many providers want an app password)",
                error.smtp_code,
            )
        if isinstance(error, ssl.SSLError):
            reason = error.reason or str(error)
            if isinstance(error, ssl.SSLCertVerificationError):
                reason = f"certificate verify failed: {error.verify_message}"
            return self._stop(
                "halt",
                f"TLS with {where} failed ({reason}); check LEADCHASE_SMTP_TLS (ssl for port 465, "
                "starttls for 587) and LEADCHASE_SMTP_HOST",
            )
        if isinstance(error, smtplib.SMTPResponseException):
            kind: Outcome = "retry" if _is_temporary(error.smtp_code) else "halt"
            return self._stop(
                kind,
                f"{where} refused the session ({_reply(error)}); check LEADCHASE_SMTP_HOST, "
                "LEADCHASE_SMTP_PORT and LEADCHASE_SMTP_TLS",
                error.smtp_code,
            )
        if isinstance(error, socket.gaierror):
            return self._stop(
                "retry",
                f"cannot find SMTP host {self._settings.host!r} ({error.strerror}); check "
                "LEADCHASE_SMTP_HOST and the network",
            )
        if isinstance(error, ConnectionRefusedError):
            return self._stop(
                "retry",
                f"{where} refused the connection; check that it is running, LEADCHASE_SMTP_HOST "
                "and LEADCHASE_SMTP_PORT",
            )
        if isinstance(error, TimeoutError | smtplib.SMTPServerDisconnected):
            return self._stop(
                "retry",
                f"{where} did not answer ({error}); will try again{tls_hint}",
            )
        if isinstance(error, OSError):
            return self._stop(
                "retry", f"cannot reach {where} ({error.strerror or error}); will try again"
            )
        return self._stop("halt", f"{where}: {error}; check the LEADCHASE_SMTP_* settings")

    def _sending_outcome(self, error: Exception, sender: str, recipient: str) -> SendOutcome:
        where = self._where
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            code, reply = next(iter(error.recipients.values()), (550, b""))
            return self._outcome(
                "retry" if _is_temporary(code) else "failed",
                f"{where} refused recipient {recipient} ({code} {_text(reply)})",
                code,
            )
        if isinstance(error, smtplib.SMTPSenderRefused):
            if _is_temporary(error.smtp_code):
                return self._outcome(
                    "retry", f"{where} deferred sender {sender} ({_reply(error)})", error.smtp_code
                )
            return self._outcome(
                "halt",
                f"{where} refused sender {sender} ({_reply(error)}); set LEADCHASE_SMTP_FROM to an "
                "address your account may send from, and LEADCHASE_SMTP_USER and "
                "LEADCHASE_SMTP_PASSWORD if the server wants a login",
                error.smtp_code,
            )
        if isinstance(error, smtplib.SMTPResponseException):
            kind: Outcome = "retry" if _is_temporary(error.smtp_code) else "failed"
            return self._outcome(
                kind, f"{where} refused the email to {recipient} ({_reply(error)})", error.smtp_code
            )
        if isinstance(error, smtplib.SMTPNotSupportedError):
            return self._outcome("failed", f"{where} cannot deliver to {recipient}: {error}", None)
        if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
            return self._outcome(
                "retry", f"{where} dropped the connection ({error}); will try again"
            )
        return self._outcome("retry", f"{where}: {error}; will try again")

    def _stop(self, kind: Outcome, message: str, code: int | None = None) -> _Stopped:
        return _Stopped(self._outcome(kind, message, code))

    def _outcome(self, kind: Outcome, message: str, code: int | None = None) -> SendOutcome:
        # A server may echo what it was sent; the password must never reach a log or a screen.
        if self._settings.password:
            message = message.replace(self._settings.password, "***")
        return SendOutcome(
            kind, error_code=None if code is None else str(code), error_message=message
        )


def _is_temporary(code: int) -> bool:
    return 400 <= code < 500


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())[:_MAX_REPLY]


def _reply(error: smtplib.SMTPResponseException) -> str:
    return f"{error.smtp_code} {_text(error.smtp_error)}"


def _quit(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()
