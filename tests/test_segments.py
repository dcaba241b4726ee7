"""SMS segment counting against known cases, including exact segment boundaries."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadchase.messaging.segments import GSM7_BASIC, non_gsm7_characters, segment_info


@pytest.mark.parametrize(
    ("length", "segments"),
    [(0, 0), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)],
)
def test_gsm7_boundaries(length: int, segments: int) -> None:
    info = segment_info("a" * length)
    assert info.encoding == "GSM-7"
    assert (info.characters, info.units, info.segments) == (length, length, segments)


@pytest.mark.parametrize(
    ("length", "segments"), [(70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_ucs2_boundaries(length: int, segments: int) -> None:
    info = segment_info("ж" * length)
    assert info.encoding == "UCS-2"
    assert (info.characters, info.units, info.segments) == (length, length, segments)


@pytest.mark.parametrize("char", list("^{}\\[~]|€"))
def test_extension_characters_count_double(char: str) -> None:
    info = segment_info("a" * 158 + char)
    assert (info.encoding, info.characters, info.units, info.segments) == ("GSM-7", 159, 160, 1)
    assert segment_info("a" * 159 + char).segments == 2


def test_escape_sequence_is_never_split_across_segments() -> None:
    # 306 units would fit two segments, but "[" cannot straddle the first boundary.
    info = segment_info("a" * 152 + "[" + "a" * 152)
    assert (info.units, info.segments) == (306, 3)


def test_emoji_switches_to_ucs2_and_counts_two_units() -> None:
    info = segment_info("a" * 68 + "😀")
    assert (info.encoding, info.characters, info.units, info.segments) == ("UCS-2", 69, 70, 1)
    assert segment_info("a" * 69 + "😀").segments == 2
    assert segment_info("😀" * 35).segments == 1
    assert segment_info("😀" * 36).segments == 2


def test_surrogate_pair_is_never_split_across_segments() -> None:
    info = segment_info("ж" * 66 + "😀" + "ж" * 66)
    assert (info.units, info.segments) == (134, 3)


def test_one_curly_quote_switches_the_whole_text_to_ucs2() -> None:
    straight = "It's Dana. " * 10
    assert segment_info(straight).encoding == "GSM-7"
    curly = segment_info(straight.replace("'", "\u2019", 1))
    assert (curly.encoding, curly.segments) == ("UCS-2", 2)
    assert non_gsm7_characters("It\u2019s \u201cok\u201d \u2019") == ["\u2019", "\u201c", "\u201d"]


def test_gsm7_accented_letters_stay_single_unit() -> None:
    info = segment_info("Ça va? ¿Qué tal? Ñandú £5 ")
    assert info.encoding == "UCS-2"  # á and ú are not in the GSM-7 alphabet
    assert segment_info("Ça va? Écoute: Ñ ü ö ä à è é ù ì ò £ ¥ §").encoding == "GSM-7"


@given(st.text(alphabet=sorted(GSM7_BASIC), max_size=700))
def test_plain_gsm7_text_matches_the_textbook_formula(text: str) -> None:
    info = segment_info(text)
    expected = 0 if not text else 1 if len(text) <= 160 else math.ceil(len(text) / 153)
    assert (info.encoding, info.units, info.segments) == ("GSM-7", len(text), expected)
