"""Email addresses: trimmed, lower-cased and syntax-checked the way email-validator checks them.

The common plain-ASCII shape is accepted by a precompiled regex that only admits addresses
email-validator also admits (tests/test_normalise_emails.py checks that agreement); everything
else is asked of email-validator itself (without DNS: deliverability is not checked), except
the shapes vendors write for "no email" ("n/a", "test@", "@gmail.com", "mary ann@aol.com"),
which it always refuses: they are refused here without loading it (about 13 ms of start-up).
"""

from __future__ import annotations

import re
from functools import lru_cache

# A strict subset of RFC 5322 dot-atoms and of hostnames: no "--" (reserved for punycode and
# refused by email-validator), a letters-only top-level domain.
_COMMON_ADDRESS = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*"
    r"@(?:[a-z0-9]+(?:-[a-z0-9]+)*\.)+[a-z]{2,63}"
)
_LONG_LABEL = re.compile(r"[a-z0-9-]{64}")
# email-validator's SPECIAL_USE_DOMAIN_NAMES, which it refuses (localhost, *.test, *.invalid...)
# even without DNS; tests/test_normalise_emails.py pins this copy to the installed package.
SPECIAL_USE_DOMAINS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})
_SPECIAL_USE_SUFFIXES = tuple("." + name for name in sorted(SPECIAL_USE_DOMAINS))
_MAX_ADDRESS = 254
_MAX_LOCAL_PART = 64


def normalise_email(raw: str) -> str | None:
    """The address in "John@Example.com", " <john@example.com> ", "mailto:..."; None if invalid."""
    address = _unwrap(_unwrap(raw.strip().lower()))
    if _COMMON_ADDRESS.fullmatch(address):
        if _within_limits(address):
            return address
        if _is_special_use(address.rpartition("@")[2]):
            return None  # refused whatever else it holds
    elif _refused_for_sure(address):
        return None
    return _validated(address)


def _refused_for_sure(address: str) -> bool:
    """No @, nothing before or after it, or a space outside quotes: email-validator refuses
    every such address, whatever else it holds."""
    return (
        "@" not in address
        or address.startswith("@")
        or address.endswith("@")
        or ('"' not in address and " " in address)
    )


def _unwrap(text: str) -> str:
    """Drop one layer of "<...>" or "mailto:" (HTML exports have both: "<mailto:...>")."""
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1].strip()
    if text.startswith("mailto:"):
        return text[7:].strip()
    return text


def _within_limits(address: str) -> bool:
    local, _, domain = address.rpartition("@")
    return (
        len(address) <= _MAX_ADDRESS
        and len(local) <= _MAX_LOCAL_PART
        and _domain_within_limits(domain)
    )


@lru_cache(maxsize=4096)
def _domain_within_limits(domain: str) -> bool:
    """A few domains (gmail.com, aol.com...) hold most of a file's addresses: checked once."""
    return not _LONG_LABEL.search(domain) and not _is_special_use(domain)


def _is_special_use(domain: str) -> bool:
    return domain in SPECIAL_USE_DOMAINS or domain.endswith(_SPECIAL_USE_SUFFIXES)


def _validated(address: str) -> str | None:
    from email_validator import EmailNotValidError, validate_email

    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.normalized
