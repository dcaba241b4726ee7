"""Counts meet nouns one way everywhere: "1 planned touch", "2 planned touches", never "touch(es)"."""

from __future__ import annotations

from collections.abc import Sequence

_HISSING = ("s", "x", "z", "ch", "sh")


def plural(noun: str) -> str:
    """The plural of a noun or of a phrase ending in one: "planned touch" -> "planned touches"."""
    if noun.endswith(_HISSING):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return noun[:-1] + "ies"
    return noun + "s"


def counted(count: int, noun: str, plural_form: str | None = None) -> str:
    """ "1 lead", "0 leads", "3 replies"; pass `plural_form` for an irregular noun."""
    return f"{count} {noun if count == 1 else plural_form or plural(noun)}"


def either(choices: Sequence[str]) -> str:
    """ "call, text or email": the choices a person may type."""
    if len(choices) < 2:
        return "".join(choices)
    return f"{', '.join(choices[:-1])} or {choices[-1]}"


def ordinal(number: int) -> str:
    """ "1st", "2nd", "3rd", "4th", "11th", "21st": which one of a series (an anniversary)."""
    if number % 100 in (11, 12, 13):
        return f"{number}th"
    return f"{number}{({1: 'st', 2: 'nd', 3: 'rd'}).get(number % 10, 'th')}"
