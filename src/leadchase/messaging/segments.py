"""How many SMS segments a text costs.

Carriers bill and deliver texts in segments. A text that fits the GSM-7 alphabet packs 160
characters into one segment (153 per segment once it is split, because each part carries a
header); a single character outside that alphabet (an emoji, a curly quote) switches the whole
text to UCS-2, which fits only 70 (67 when split) UTF-16 code units. Twilio's own segment
calculator works the same way, including never splitting an escape sequence or a surrogate
pair across two segments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Characters reached through the escape code: each costs two septets.
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
_GSM7 = GSM7_BASIC | GSM7_EXTENSION

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
# Twilio refuses a longer body; [twilio] max_segments (default 10) usually holds a text first.
TWILIO_MOST_CHARACTERS = 1600
DEFAULT_MAX_SEGMENTS = 10

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class SegmentInfo:
    """What a text costs: its encoding, length in characters and encoded units, and segments."""

    encoding: Encoding
    characters: int
    units: int
    segments: int


def too_long(info: SegmentInfo | None, max_segments: int) -> str | None:
    """Why a text is too long to send (a send holds it), or None; an email is never too long."""
    if info is None:
        return None
    if info.characters > TWILIO_MOST_CHARACTERS:
        return (
            f"the text is {info.characters:,} characters; "
            f"Twilio refuses more than {TWILIO_MOST_CHARACTERS:,}"
        )
    if info.segments > max_segments:
        return f"the text is {info.segments} segments; [twilio] max_segments is {max_segments}"
    return None


def is_gsm7(char: str) -> bool:
    return char in GSM7_BASIC or char in GSM7_EXTENSION


def non_gsm7_characters(text: str) -> list[str]:
    """The distinct characters that force a text into UCS-2, in order of appearance."""
    return list(dict.fromkeys(char for char in text if not is_gsm7(char)))


def segment_info(text: str) -> SegmentInfo:
    if _GSM7.issuperset(text):
        costs = [2 if char in GSM7_EXTENSION else 1 for char in text]
        return _count("GSM-7", len(text), costs, GSM7_SINGLE, GSM7_PART)
    costs = [2 if ord(char) > 0xFFFF else 1 for char in text]
    return _count("UCS-2", len(text), costs, UCS2_SINGLE, UCS2_PART)


def _count(
    encoding: Encoding, characters: int, costs: list[int], single: int, part: int
) -> SegmentInfo:
    units = sum(costs)
    if units == 0:
        return SegmentInfo(encoding, characters, 0, 0)
    if units <= single:
        return SegmentInfo(encoding, characters, units, 1)
    # Pack greedily: a two-unit character that does not fit starts the next segment.
    segments, used = 1, 0
    for cost in costs:
        if used + cost > part:
            segments, used = segments + 1, 0
        used += cost
    return SegmentInfo(encoding, characters, units, segments)
