"""Per-lead unsubscribe tokens and the CAN-SPAM pieces of an automated email.

Every automated email carries a List-Unsubscribe header and a line in the body. The header is a
mailto: link to the officer with a token in the subject, so an unsubscribe click arrives as an
ordinary reply that names the lead, even when the lead writes from another address. The token is
an HMAC of the lead id under a per-workspace secret, so nobody can forge one for another lead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import stat
from pathlib import Path
from urllib.parse import quote

from leadchase.errors import ConfigError
from leadchase.files import write_private

SECRET_FILE = ".leadchase-secret"

_PREFIX = "lc"
# 80 bits of HMAC: far beyond guessing, and short enough for a subject line.
_MAC_BYTES = 10
# No word boundary before the prefix: a mail program that leaves the mailto: subject encoded
# hands us "unsubscribe%20lc-42-...".
_TOKEN = re.compile(rf"(?<![a-z]){_PREFIX}-(\d{{1,18}})-([a-z2-7]{{16}})\b", re.IGNORECASE)
_SECRET_SHAPE = re.compile(r"[0-9a-f]{64}")


def _mac(secret_key: str, lead_id: int) -> str:
    digest = hmac.new(
        secret_key.encode("utf-8"), f"unsubscribe:{lead_id}".encode(), hashlib.sha256
    ).digest()
    return base64.b32encode(digest[:_MAC_BYTES]).decode("ascii").lower()


def unsubscribe_token(secret_key: str, lead_id: int) -> str:
    """A short, url-safe token naming the lead, e.g. "lc-42-mfrggzdfmztwq2lk"; stable per key."""
    if lead_id < 0:
        raise ValueError(f"lead id must not be negative, got {lead_id}")
    return f"{_PREFIX}-{lead_id}-{_mac(secret_key, lead_id)}"


def verify_token(secret_key: str, token: str) -> int | None:
    """The lead id a token names, or None when it was not made with this key (or was altered)."""
    match = _TOKEN.fullmatch(token.strip())
    if match is None:
        return None
    lead_id = int(match.group(1))
    if not hmac.compare_digest(_mac(secret_key, lead_id), match.group(2).lower()):
        return None
    return lead_id


def find_token(text: str) -> str | None:
    """The first unsubscribe token in an inbound subject or body (verify it before trusting it)."""
    match = _TOKEN.search(text)
    return match.group(0).lower() if match else None


def list_unsubscribe_header(officer_email: str, token: str) -> str:
    """The List-Unsubscribe value: a mailto: link to the officer carrying the lead's token."""
    address = quote(officer_email.strip(), safe="@+")
    return f"<mailto:{address}?subject={quote(f'unsubscribe {token}')}>"


def workspace_secret(path: Path) -> str:
    """The workspace's unsubscribe key, from <workspace>/.leadchase-secret, made on first use.

    Changing the key breaks the unsubscribe links in every email already sent, so the file is
    created once, privately (0600), and never rewritten.
    """
    secret_file = path / SECRET_FILE
    if not secret_file.exists():
        _create_secret(secret_file)
    try:
        mode = stat.S_IMODE(secret_file.stat().st_mode)
        text = secret_file.read_bytes().decode("ascii", errors="replace").strip()
    except OSError as error:
        raise ConfigError(
            f"cannot read {secret_file}: {error.strerror}; check its owner and permissions"
        ) from None
    if os.name == "posix" and mode & 0o077:
        raise ConfigError(
            f"{secret_file} is readable by others (mode {mode:o}); run `chmod 600 {secret_file}`"
        )
    if not _SECRET_SHAPE.fullmatch(text):
        raise ConfigError(
            f"{secret_file} is damaged (expected 64 hex characters); delete it to make a new one "
            "(unsubscribe links in emails already sent will stop working)"
        )
    return text


def _create_secret(secret_file: Path) -> None:
    # Written whole and linked into place: a cron run and the daemon starting together must
    # never see a half-written file, and the first one to link wins.
    try:
        write_private(secret_file, secrets.token_hex(32) + "\n", keep_existing=True)
    except OSError as error:
        raise ConfigError(
            f"cannot create {secret_file}: {error.strerror}; check the workspace folder's permissions"
        ) from None
