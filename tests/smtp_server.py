"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd), recording every email it accepts.

    with SmtpTestServer(user="ana", password="s3cret") as server:
        ...  # point SmtpSettings at server.host, server.port
        server.received[0].message["Subject"]

It can require a login, speak STARTTLS or implicit TLS with a certificate made for the test,
refuse recipients, answer any command with a chosen 4xx/5xx reply, and drop open connections.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass(frozen=True)
class ReceivedEmail:
    message: EmailMessage
    mail_from: str
    rcpt_tos: tuple[str, ...]
    peer: tuple[str, int]  # the client's address and port: one per connection
    login: str | None  # the user the client logged in as, if it did
    encrypted: bool


@dataclass(frozen=True)
class TlsFiles:
    certificate: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificate, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """What a client needs to trust this test certificate (and nothing else)."""
        return ssl.create_default_context(cafile=str(self.certificate))


def make_self_signed_certificate(folder: Path) -> TlsFiles:
    """A one-day certificate for 127.0.0.1, made with the openssl command line tool.

    The `cryptography` package is not a dependency, and Python cannot make certificates alone.
    """
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError(
            "the TLS tests need the openssl command; install it (apt-get install openssl)"
        )
    files = TlsFiles(folder / "cert.pem", folder / "key.pem")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(files.key),
            "-out",
            str(files.certificate),
        ],
        check=True,
        capture_output=True,
    )
    return files


class _AnyPortController(Controller):
    def _trigger_server(self) -> None:
        # Bound to port 0, the system picked a free port: learn it before the first connection.
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


@dataclass
class _Handler:
    """aiosmtpd hooks: decide each reply from the test's wishes and record what arrives."""

    login_required: bool
    received: list[ReceivedEmail] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    clients: list[Any] = field(default_factory=list)
    quits: int = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        if server not in self.clients:
            self.clients.append(server)
        return responses

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if "MAIL" in self.failures:
            return self.failures["MAIL"]
        if self.login_required and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if "RCPT" in self.failures:
            return self.failures["RCPT"]
        if address in self.refused:
            return self.refused[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if "DATA" in self.failures:
            return self.failures["DATA"]
        # Lines arrive ending in CRLF, as SMTP requires; read them the way a mail program does.
        content = envelope.original_content.replace(b"\r\n", b"\n")
        message = BytesParser(policy=default_policy).parsebytes(content)
        assert isinstance(message, EmailMessage)
        login = session.auth_data.login.decode() if session.authenticated else None
        self.received.append(
            ReceivedEmail(
                message=message,
                mail_from=envelope.mail_from,
                rcpt_tos=tuple(envelope.rcpt_tos),
                peer=tuple(session.peer),
                login=login,
                encrypted=server.transport.get_extra_info("ssl_object") is not None,
            )
        )
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        self.quits += 1
        return "221 Bye"


class SmtpTestServer:
    """An aiosmtpd server in a thread on 127.0.0.1 and a free port; use it as a context manager.

    user/password: the server offers AUTH (PLAIN and LOGIN, or `mechanisms`) and refuses MAIL
    with 530 until the client logs in. tls + starttls: offers STARTTLS (and AUTH only after it).
    tls + implicit_tls: TLS from the first byte (port 465 style). leaky_auth_replies: a failed
    login is answered with the password it was given, as a careless server might.
    """

    host = "127.0.0.1"

    def __init__(
        self,
        *,
        user: str | None = None,
        password: str | None = None,
        mechanisms: tuple[str, ...] = ("PLAIN", "LOGIN"),
        tls: TlsFiles | None = None,
        implicit_tls: bool = False,
        leaky_auth_replies: bool = False,
    ) -> None:
        self._user = user
        self._password = password
        self._leaky = leaky_auth_replies
        self._handler = _Handler(login_required=user is not None)
        starttls_context = tls.server_context() if tls and not implicit_tls else None
        self._controller = _AnyPortController(
            self._handler,
            hostname=self.host,
            port=0,
            server_hostname="smtp.test",
            ssl_context=tls.server_context() if tls and implicit_tls else None,
            tls_context=starttls_context,
            authenticator=self._authenticate,
            # Real servers only take a password over TLS; a test without TLS still logs in.
            auth_require_tls=tls is not None,
            auth_exclude_mechanism=[m for m in ("PLAIN", "LOGIN") if m not in mechanisms],
        )

    def __enter__(self) -> SmtpTestServer:
        self._controller.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._controller.stop()

    @property
    def port(self) -> int:
        port: int = self._controller.port
        return port

    @property
    def received(self) -> list[ReceivedEmail]:
        return self._handler.received

    @property
    def connections(self) -> int:
        """How many clients said EHLO (a client counts once, even after STARTTLS)."""
        return len(self._handler.clients)

    @property
    def quits(self) -> int:
        return self._handler.quits

    def refuse(self, address: str, reply: str = "550 5.1.1 No such user here") -> None:
        self._handler.refused[address] = reply

    def fail(self, command: str, reply: str) -> None:
        """Answer every MAIL, RCPT or DATA with `reply` from now on, e.g. "451 4.3.0 Busy"."""
        if command not in ("MAIL", "RCPT", "DATA"):
            raise ValueError(f"cannot fail {command!r}; use MAIL, RCPT or DATA")
        self._handler.failures[command] = reply

    def drop_connections(self) -> None:
        """Close every open client connection, as a server does with idle ones."""

        async def close_all() -> None:
            for client in self._handler.clients:
                if client.transport is not None:
                    client.transport.close()
            # Let the closes reach the sockets before the test sends again.
            await asyncio.sleep(0)

        asyncio.run_coroutine_threadsafe(close_all(), self._controller.loop).result(timeout=5)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        if login == self._user and password == self._password:
            return AuthResult(success=True, auth_data=auth_data)
        if self._leaky:
            reply = f"535 5.7.8 Bad credentials {login}:{password}"
            return AuthResult(success=False, handled=False, message=reply)
        return AuthResult(success=False, handled=False)
