"""How a person points at a lead: "#7" as every screen prints it, a phone in any format, a name
typed without its accents ("jimenez" for Jiménez). Pure text rules; store/ runs the queries.
"""

from __future__ import annotations

import re
import unicodedata

# Letters a typed name may carry accents on; a search for the plain letter matches all of them.
_ACCENTED = {
    "a": "aàáâãäåāą",
    "c": "cçćč",
    "e": "eèéêëēęě",
    "i": "iìíîïī",
    "n": "nñń",
    "o": "oòóôõöøō",
    "s": "sśš",
    "u": "uùúûüūů",
    "y": "yýÿ",
    "z": "zźżž",
}
_PHONE_TEXT = re.compile(r"[\d\s().+\-]+")
_LEAD_ID = re.compile(r"#?\s*(\d+)")


def lead_number(reference: str) -> int | None:
    """The lead id in "7" or "#7"; None for anything else (a phone, an email, a name).

    Without "#", only a short number is an id: "3055550124" is a phone number."""
    text = reference.strip()
    match = _LEAD_ID.fullmatch(text)
    if match is None or (not text.startswith("#") and len(match.group(1)) >= 9):
        return None
    return int(match.group(1))


def phone_digits(text: str) -> str | None:
    """The digits of a phone number typed in any format, "(305) 555-0124" -> "3055550124"."""
    if not _PHONE_TEXT.fullmatch(text.strip()):
        return None
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) >= 3 else None


def without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def name_pattern(text: str) -> str:
    """A case- and accent-insensitive regular expression for `text` inside a name.

    Written for both Python's re (SQLite's REGEXP) and PostgreSQL's regular expressions: an
    embedded (?i), character classes, and a backslash only before punctuation."""
    parts = []
    for char in without_accents(text.strip().casefold()):
        if char in _ACCENTED:
            parts.append(f"[{_ACCENTED[char]}]")
        elif char.isalnum() or char == " ":
            parts.append(char)
        else:
            parts.append("\\" + char)
    return "(?i)" + "".join(parts)
