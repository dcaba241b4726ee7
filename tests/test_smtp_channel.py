"""SMTP email against a real SMTP server on 127.0.0.1, and the unsubscribe tokens it carries."""

from __future__ import annotations

import socket
import ssl
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadchase.channels.base import OutgoingEmail
from leadchase.channels.config import SmtpSettings
from leadchase.channels.smtp_email import SmtpEmails, build_message
from leadchase.channels.unsubscribe import (
    SECRET_FILE,
    find_token,
    list_unsubscribe_header,
    unsubscribe_token,
    verify_token,
    workspace_secret,
)
from leadchase.errors import ConfigError
from leadchase.messaging.context import default_unsubscribe_line
from tests.conftest import NOW
from tests.smtp_server import SmtpTestServer, TlsFiles, make_self_signed_certificate

KEY = "9f1c" * 16
PASSWORD = "correct-horse-battery"
TOKEN = unsubscribe_token(KEY, 42)
UNSUBSCRIBE = list_unsubscribe_header("ana@example-lending.com", TOKEN)
EMAIL = OutgoingEmail(
    to="maria.lopez@example.com",
    subject="Your home equity estimate",
    body=f"Hi María,\n\nDid the estimate look about right?\n\nAna\n\n{default_unsubscribe_line('')}",
    from_name="Ana Núñez",
    from_address="ana@example-lending.com",
    reply_to="ana@example-lending.com",
    list_unsubscribe=UNSUBSCRIBE,
)


@pytest.fixture
def server() -> Iterator[SmtpTestServer]:
    with SmtpTestServer() as running:
        yield running


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_self_signed_certificate(tmp_path_factory.mktemp("tls"))


def settings_for(server: SmtpTestServer, **changes: Any) -> SmtpSettings:
    settings = SmtpSettings(
        host=server.host, port=server.port, tls="none", from_address="ana@example-lending.com"
    )
    return replace(settings, **changes)


def emails(
    settings: SmtpSettings, *, timeout: float = 20.0, ssl_context: ssl.SSLContext | None = None
) -> SmtpEmails:
    return SmtpEmails(settings, lambda: NOW, timeout=timeout, ssl_context=ssl_context)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_email_arrives_with_its_headers_and_plain_body(server: SmtpTestServer) -> None:
    with emails(settings_for(server)) as sender:
        outcome = sender.send_email(EMAIL)

    assert outcome.outcome == "sent"
    [received] = server.received
    message = received.message
    assert outcome.provider_id == message["Message-ID"]
    assert message["Message-ID"].startswith("<")
    assert message["Message-ID"].endswith("@example-lending.com>")
    assert message["From"] == "Ana Núñez <ana@example-lending.com>"
    assert message["To"] == "maria.lopez@example.com"
    assert message["Reply-To"] == "ana@example-lending.com"
    assert message["Subject"] == "Your home equity estimate"
    assert message["Date"] == "Mon, 02 Mar 2026 15:00:00 +0000"
    # Folded onto a line of its own, as RFC 5322 allows for a long header.
    assert message["List-Unsubscribe"].strip() == (
        f"<mailto:ana@example-lending.com?subject=unsubscribe%20{TOKEN}>"
    )
    assert "List-Unsubscribe-Post" not in message
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content() == EMAIL.body + "\n"
    assert received.mail_from == "ana@example-lending.com"
    assert received.rcpt_tos == ("maria.lopez@example.com",)


def test_accented_names_travel_encoded_so_any_server_takes_them(server: SmtpTestServer) -> None:
    with emails(settings_for(server)) as sender:
        sender.send_email(EMAIL)

    raw = server.received[0].message.as_bytes()
    assert raw.isascii()
    assert b"From: Ana =?utf-8?q?N=C3=BA=C3=B1ez?= <ana@example-lending.com>" in raw
    assert server.received[0].message["Content-Transfer-Encoding"] == "quoted-printable"


def test_an_https_unsubscribe_offers_one_click_and_a_subject_stays_on_one_line() -> None:
    email = replace(
        EMAIL,
        subject="Quick question\nabout your   rate",
        list_unsubscribe=f"<https://example-lending.com/u/{TOKEN}>, {UNSUBSCRIBE}",
    )

    message = build_message(email, NOW)

    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Subject"] == "Quick question about your rate"


def test_a_bad_address_fails_that_email_without_calling_the_server(
    server: SmtpTestServer,
) -> None:
    with emails(settings_for(server)) as sender:
        outcome = sender.send_email(replace(EMAIL, to="maria lopez@example"))

    assert outcome.outcome == "failed"
    assert "maria lopez@example" in (outcome.error_message or "")
    assert server.connections == 0


def test_a_send_run_uses_one_connection_and_says_goodbye(server: SmtpTestServer) -> None:
    sender = emails(settings_for(server))
    outcomes = [sender.send_email(replace(EMAIL, to=f"lead{n}@example.com")) for n in range(3)]
    sender.close()
    sender.close()

    assert [outcome.outcome for outcome in outcomes] == ["sent"] * 3
    assert len({outcome.provider_id for outcome in outcomes}) == 3
    assert len({received.peer for received in server.received}) == 1
    assert server.connections == 1
    assert server.quits == 1


def test_a_connection_the_server_dropped_is_reopened_once(server: SmtpTestServer) -> None:
    with emails(settings_for(server)) as sender:
        first = sender.send_email(EMAIL)
        server.drop_connections()
        second = sender.send_email(EMAIL)

    assert (first.outcome, second.outcome) == ("sent", "sent")
    assert len({received.peer for received in server.received}) == 2


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_logs_in_when_the_server_requires_it(mechanism: str) -> None:
    with SmtpTestServer(user="ana", password=PASSWORD, mechanisms=(mechanism,)) as server:
        settings = settings_for(server, user="ana", password=PASSWORD)
        with emails(settings) as sender:
            outcome = sender.send_email(EMAIL)

    assert outcome.outcome == "sent"
    assert server.received[0].login == "ana"


def test_no_login_where_one_is_required_halts_naming_the_setting() -> None:
    with SmtpTestServer(user="ana", password=PASSWORD) as server:
        with emails(settings_for(server)) as sender:
            outcome = sender.send_email(EMAIL)
        problem = emails(settings_for(server)).check()

    assert outcome.outcome == "halt"
    assert outcome.error_code == "530"
    assert "LEADCHASE_SMTP_USER" in (outcome.error_message or "")
    assert problem is not None
    assert "530" in problem
    assert "LEADCHASE_SMTP_USER" in problem
    assert server.received == []


def test_a_wrong_password_halts_and_is_never_repeated() -> None:
    with SmtpTestServer(user="ana", password=PASSWORD, leaky_auth_replies=True) as server:
        settings = settings_for(server, user="ana", password="wrong-horse-battery")
        with emails(settings) as sender:
            outcome = sender.send_email(EMAIL)
        problem = emails(settings).check()

    assert outcome.outcome == "halt"
    assert outcome.error_code == "535"
    assert "LEADCHASE_SMTP_PASSWORD" in (outcome.error_message or "")
    assert "ana:***" in (outcome.error_message or "")  # the server echoed it; we did not
    assert problem is not None
    assert "LEADCHASE_SMTP_PASSWORD" in problem
    for text in (repr(outcome), problem, repr(settings)):
        assert "wrong-horse-battery" not in text


def test_a_refused_recipient_fails_only_that_email(server: SmtpTestServer) -> None:
    server.refuse("gone@example.com")
    with emails(settings_for(server)) as sender:
        refused = sender.send_email(replace(EMAIL, to="gone@example.com"))
        accepted = sender.send_email(EMAIL)

    assert refused.outcome == "failed"
    assert refused.error_code == "550"
    assert "gone@example.com" in (refused.error_message or "")
    assert accepted.outcome == "sent"
    assert server.connections == 1


@pytest.mark.parametrize(
    ("command", "reply", "outcome"),
    [
        ("DATA", "451 4.3.0 Please try again later", "retry"),
        ("RCPT", "452 4.2.2 Mailbox full", "retry"),
        ("MAIL", "421 4.7.0 Too many connections", "retry"),
        ("DATA", "554 5.7.1 Message rejected as spam", "failed"),
        ("MAIL", "553 5.7.1 Sender address not allowed", "halt"),
    ],
)
def test_server_replies_become_outcomes(
    server: SmtpTestServer, command: str, reply: str, outcome: str
) -> None:
    server.fail(command, reply)
    with emails(settings_for(server)) as sender:
        result = sender.send_email(EMAIL)

    assert result.outcome == outcome
    assert result.error_code == reply[:3]
    assert reply[4:] in (result.error_message or "")
    if outcome == "halt":
        assert "LEADCHASE_SMTP_FROM" in (result.error_message or "")


def test_a_server_that_is_down_means_retry() -> None:
    settings = SmtpSettings(
        host="127.0.0.1", port=closed_port(), tls="none", from_address="ana@example-lending.com"
    )

    outcome = emails(settings).send_email(EMAIL)
    problem = emails(settings).check()

    assert outcome.outcome == "retry"
    assert "LEADCHASE_SMTP_PORT" in (outcome.error_message or "")
    assert problem == outcome.error_message


def test_a_server_that_never_answers_times_out_as_retry() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings = SmtpSettings(
            host="127.0.0.1",
            port=silent.getsockname()[1],
            tls="none",
            from_address="ana@example-lending.com",
        )
        outcome = emails(settings, timeout=0.2).send_email(EMAIL)

    assert outcome.outcome == "retry"
    assert "did not answer" in (outcome.error_message or "")


def test_check_passes_on_a_working_server(server: SmtpTestServer) -> None:
    assert emails(settings_for(server)).check() is None
    assert server.received == []


@pytest.mark.parametrize(
    ("changes", "setting"),
    [
        ({"host": ""}, "LEADCHASE_SMTP_HOST"),
        ({"from_address": ""}, "LEADCHASE_SMTP_FROM"),
        ({"user": "ana"}, "LEADCHASE_SMTP_PASSWORD"),
    ],
)
def test_check_names_the_missing_setting(
    server: SmtpTestServer, changes: dict[str, str], setting: str
) -> None:
    problem = emails(settings_for(server, **changes)).check()

    assert problem is not None
    assert setting in problem


def test_starttls_with_login(tls_files: TlsFiles) -> None:
    with SmtpTestServer(user="ana", password=PASSWORD, tls=tls_files) as server:
        settings = settings_for(server, tls="starttls", user="ana", password=PASSWORD)
        sender = emails(settings, ssl_context=tls_files.client_context())
        outcome = sender.send_email(EMAIL)
        sender.close()
        problem = emails(settings, ssl_context=tls_files.client_context()).check()

    assert outcome.outcome == "sent"
    assert problem is None
    assert server.received[0].encrypted
    assert server.received[0].login == "ana"


def test_implicit_tls(tls_files: TlsFiles) -> None:
    with SmtpTestServer(tls=tls_files, implicit_tls=True) as server:
        settings = settings_for(server, tls="ssl")
        with emails(settings, ssl_context=tls_files.client_context()) as sender:
            outcome = sender.send_email(EMAIL)

    assert outcome.outcome == "sent"
    assert server.received[0].encrypted


def test_an_untrusted_certificate_halts(tls_files: TlsFiles) -> None:
    with SmtpTestServer(tls=tls_files) as server:
        outcome = emails(settings_for(server, tls="starttls")).send_email(EMAIL)

    assert outcome.outcome == "halt"
    assert "certificate verify failed" in (outcome.error_message or "")
    assert "LEADCHASE_SMTP_TLS" in (outcome.error_message or "")


@pytest.mark.parametrize(("tls", "words"), [("starttls", "STARTTLS"), ("ssl", "TLS with")])
def test_tls_against_a_plain_server_halts(server: SmtpTestServer, tls: str, words: str) -> None:
    outcome = emails(settings_for(server, tls=tls)).send_email(EMAIL)

    assert outcome.outcome == "halt"
    assert words in (outcome.error_message or "")
    assert "LEADCHASE_SMTP_TLS" in (outcome.error_message or "")


def test_a_token_names_its_lead_and_nothing_else() -> None:
    assert unsubscribe_token(KEY, 42) == TOKEN
    assert len(TOKEN) <= 24
    assert verify_token(KEY, TOKEN) == 42
    assert verify_token(KEY, TOKEN.upper()) == 42
    assert verify_token("another-workspace", TOKEN) is None
    assert verify_token(KEY, TOKEN.replace("lc-42-", "lc-43-")) is None
    altered = TOKEN[:-1] + ("a" if TOKEN[-1] != "a" else "b")
    assert verify_token(KEY, altered) is None
    assert verify_token(KEY, "unsubscribe") is None


@given(lead_id=st.integers(min_value=0, max_value=10**12), key=st.text(min_size=1))
def test_every_token_survives_a_reply(lead_id: int, key: str) -> None:
    token = unsubscribe_token(key, lead_id)
    reply = f"Re: unsubscribe {token}\n\n> On Monday Ana wrote:"

    assert find_token(reply) == token
    assert verify_token(key, token) == lead_id


def test_find_token_in_inbound_text() -> None:
    assert find_token(f"Subject: UNSUBSCRIBE {TOKEN.upper()}") == TOKEN
    assert find_token(f"unsubscribe%20{TOKEN}") == TOKEN
    assert find_token("please stop emailing me") is None
    assert find_token(f"blc-42-{TOKEN[-16:]}") is None


def test_the_unsubscribe_header() -> None:
    assert list_unsubscribe_header("officer@example.com", "lc-7-abc") == (
        "<mailto:officer@example.com?subject=unsubscribe%20lc-7-abc>"
    )


def test_the_workspace_secret_is_private_and_stable(tmp_path: Path) -> None:
    secret = workspace_secret(tmp_path)

    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600
    assert len(secret) == 64
    assert int(secret, 16) >= 0
    assert workspace_secret(tmp_path) == secret
    assert [path.name for path in tmp_path.iterdir()] == [SECRET_FILE]


def test_a_secret_others_can_read_or_a_damaged_one_is_refused(tmp_path: Path) -> None:
    secret_file = tmp_path / SECRET_FILE
    workspace_secret(tmp_path)
    secret_file.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        workspace_secret(tmp_path)

    secret_file.chmod(0o600)
    secret_file.write_text("not hex\n")
    with pytest.raises(ConfigError, match="damaged"):
        workspace_secret(tmp_path)
