"""People's names as typed into lead forms: tidied for a text message's "Hi {{ first }}".

Only SHOUTED or all-lower-case names are re-cased, word by word (Mc- and listed Mac- names get
their second capital; de/van/von... stay lower inside a name; II, III, IV stay upper); anything
with mixed case ("DeShawn", "van der Berg") is how the person typed it and is kept.
"""

from __future__ import annotations

import re
from itertools import pairwise

# Split a word into pieces that each start with a capital: after a hyphen, period or comma, and
# after the apostrophe of a one-letter prefix (O'Brien, D'Angelo), not of "Ja'mal"-style names.
_PIECES = re.compile(r"([-.,]|(?<=\b\w)['’])")
_SUFFIXES_UPPER = frozenset({"ii", "iii", "iv"})
# "Mac" starts a surname with a second capital only in these; "Mack", "Macy", "Mace" do not.
_MAC_NAMES = frozenset(
    {
        "macarthur",
        "macaulay",
        "macbride",
        "maccallum",
        "macdonald",
        "macdougall",
        "macduff",
        "macfarlane",
        "macgregor",
        "macinnes",
        "macintyre",
        "mackay",
        "mackenzie",
        "mackinnon",
        "maclachlan",
        "maclaren",
        "maclean",
        "macleod",
        "macmillan",
        "macnamara",
        "macneil",
        "macpherson",
        "macqueen",
        "macrae",
    }
)
# Inside a name these stay lower case: "Maria de la Cruz", "Ludwig van Beethoven".
_PARTICLES = frozenset({"de", "del", "della", "der", "van", "von"})
_ARTICLES = frozenset({"la", "las", "los", "den"})
_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
# What a spreadsheet runs as a formula when a cell starts with it.
_FORMULA_STARTS = ("=", "+", "-", "@")
_TITLES = frozenset({"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "mx", "mx.", "dr", "dr."})


def tidy_name(raw: str) -> str:
    """Trimmed, single-spaced, and re-cased when typed all upper or all lower case."""
    text = " ".join(raw.split())
    if not (text.isupper() or text.islower()):
        return text
    words = text.lower().split(" ")
    recased = [_recase_word(words[0])]
    for previous, word in pairwise(words):
        particle = word in _PARTICLES or (word in _ARTICLES and previous in _PARTICLES)
        recased.append(word if particle else _recase_word(word))
    return " ".join(recased)


def not_a_name(text: str) -> bool:
    """A cell no greeting should use: a spreadsheet formula ("=cmd|' /C calc'!A0", "@SUM(A1)")
    or mostly punctuation and digits ("@@@!!", "123"): fewer letters than other characters."""
    text = text.strip()
    if not text:
        return False
    if text[0] in _FORMULA_STARTS:
        return True
    if text.replace(" ", "").isalpha():  # nearly every name: letters and spaces only
        return False
    letters = sum(char.isalpha() for char in text)
    return letters < sum(not (char.isalpha() or char.isspace()) for char in text)


def split_full_name(full: str) -> tuple[str, str]:
    """(first, last) from "John Smith", "Smith, John", "Dr. Mary Ann O'Brien Jr.".

    The first name is the first word (what a text message greets); the last name is the rest,
    middle names and suffixes included, so nothing typed is lost: "Mary Ann Smith" gives
    ("Mary", "Ann Smith"). "Smith, John Paul" reads as last name first: ("John", "Paul Smith").
    A leading title (Mr., Dr. ...) is dropped when a name follows it; "Mr. Smith" has no first.
    """
    name = tidy_name(full)
    if "," in name:
        name = _last_name_first(name)
    words = name.split(" ")
    if len(words) > 1 and words[0].lower() in _TITLES:
        if len(words) == 2:
            return "", words[1]  # "Mr. Smith": a last name; greeting him "Hi Smith" is wrong
        words = words[1:]
    return words[0], " ".join(words[1:])


def _last_name_first(name: str) -> str:
    """ "Smith, John" -> "John Smith"; "John Smith, Jr." and "Smith, John, Jr." keep the suffix."""
    parts = [part.strip() for part in name.split(",") if part.strip()]
    if not parts:
        return ""
    suffixes = [part for part in parts[1:] if part.lower() in _NAME_SUFFIXES]
    given = [part for part in parts[1:] if part.lower() not in _NAME_SUFFIXES]
    return " ".join([*given, parts[0], *suffixes])


def _recase_word(lower: str) -> str:
    if lower in _SUFFIXES_UPPER:
        return lower.upper()
    if lower.isalpha():  # the common case, without splitting into pieces
        return _recase_piece(lower)
    return "".join(_recase_piece(piece) for piece in _PIECES.split(lower))


def _recase_piece(piece: str) -> str:
    if piece.startswith("mc") and len(piece) > 3:
        return "Mc" + _capitalise(piece[2:])
    if piece in _MAC_NAMES:
        return "Mac" + _capitalise(piece[3:])
    return _capitalise(piece)


def _capitalise(piece: str) -> str:
    initial = piece[:1].upper()
    # Keep a letter whose capital is two letters ("ß" -> "SS") as it is.
    return (initial if len(initial) == 1 else piece[:1]) + piece[1:]
