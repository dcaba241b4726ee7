"""The listener's bearer token: one per workspace, in a private file beside leadchase.toml.

`init` makes it, `leadchase token rotate` replaces it (a workspace made before the listener
gets its first one that way), and every request is checked against the file as it is then, so
a rotation takes effect without restarting the daemon. Only `leadchase token show` prints it.
"""

from __future__ import annotations

import hmac
import os
import secrets
import stat
from pathlib import Path

from leadchase.errors import ConfigError
from leadchase.files import write_private

TOKEN_FILE = ".leadchase-listener-token"
_TOKEN_BYTES = 32


def token_path(root: Path) -> Path:
    return root / TOKEN_FILE


def new_token() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


def ensure_token(root: Path) -> bool:
    """Give the workspace a token unless it has one; True when one was made."""
    try:
        return write_private(token_path(root), new_token() + "\n", keep_existing=True)
    except OSError as error:
        raise ConfigError(
            f"cannot create {token_path(root)}: {error.strerror}; check the workspace folder's "
            "permissions"
        ) from None


def rotate_token(root: Path) -> None:
    """A new token in place of the old one: senders using the old one get 401 from now on."""
    try:
        write_private(token_path(root), new_token() + "\n")
    except OSError as error:
        raise ConfigError(
            f"cannot write {token_path(root)}: {error.strerror}; check the workspace folder's "
            "permissions"
        ) from None


def read_token(root: Path) -> str:
    """The workspace's token; a missing, shared or empty file is a one-line error."""
    path = token_path(root)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except FileNotFoundError:
        raise ConfigError(
            f"this workspace has no listener token yet ({path}); run `leadchase token rotate`"
        ) from None
    except OSError as error:
        raise ConfigError(
            f"cannot read {path}: {error.strerror}; check its owner and permissions"
        ) from None
    if os.name == "posix" and mode & 0o077:
        raise ConfigError(f"{path} is readable by others (mode {mode:o}); run `chmod 600 {path}`")
    if not text:
        raise ConfigError(f"{path} is empty; run `leadchase token rotate` to make a new token")
    return text


def token_matches(expected: str, authorization: str | None) -> bool:
    """Whether an Authorization header carries the token, compared in constant time."""
    scheme, _, given = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8"))
