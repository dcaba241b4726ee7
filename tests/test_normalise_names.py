"""Names are tidied for greetings without losing or mangling what the lead typed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadchase.importing.names import not_a_name, split_full_name, tidy_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("JOHN SMITH", "John Smith"),
        ("  john    smith ", "John Smith"),
        ("mary o'brien", "Mary O'Brien"),
        ("D’ANGELO", "D’Angelo"),
        ("JA'MAL", "Ja'mal"),
        ("MCDONALD", "McDonald"),
        ("MACDONALD", "MacDonald"),
        ("MACDONALD, JOHN", "MacDonald, John"),
        ("MACK", "Mack"),
        ("MACY", "Macy"),
        ("SMITH-JONES", "Smith-Jones"),
        ("JOSÉ NÚÑEZ", "José Núñez"),
        ("JOHN SMITH III", "John Smith III"),
        ("JOHN SMITH II", "John Smith II"),
        ("JOHN SMITH IV", "John Smith IV"),
        ("JOHN SMITH JR", "John Smith Jr"),
        ("JOHN SMITH JR.", "John Smith Jr."),
        ("J.R. SMITH", "J.R. Smith"),
        ("maria de la cruz", "Maria de la Cruz"),
        ("LUDWIG VAN BEETHOVEN", "Ludwig van Beethoven"),
        ("DeShawn", "DeShawn"),
        ("van der Berg", "van der Berg"),
        ("McDONALD", "McDONALD"),  # mixed case: as typed
        ("", ""),
        ("   ", ""),
    ],
)
def test_tidy_name(raw: str, expected: str) -> None:
    assert tidy_name(raw) == expected


@pytest.mark.parametrize(
    ("full", "expected"),
    [
        ("John Smith", ("John", "Smith")),
        ("JOHN SMITH", ("John", "Smith")),
        ("Smith, John", ("John", "Smith")),
        ("Smith, John Paul", ("John", "Paul Smith")),
        ("John Paul Smith", ("John", "Paul Smith")),
        ("Maria de la Cruz", ("Maria", "de la Cruz")),
        ("John Smith, Jr.", ("John", "Smith Jr.")),
        ("Smith, John, Jr.", ("John", "Smith Jr.")),
        ("JOHN SMITH III", ("John", "Smith III")),
        ("Dr. Mary O'Brien", ("Mary", "O'Brien")),
        ("Mr. Smith", ("", "Smith")),
        ("Madonna", ("Madonna", "")),
        ("", ("", "")),
        (" , ", ("", "")),
    ],
)
def test_split_full_name(full: str, expected: tuple[str, str]) -> None:
    assert split_full_name(full) == expected


@pytest.mark.parametrize(
    "text",
    ["=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\")", "+1 305", "-", "@SUM(A1)", "@@@!!", "123",
     "???", "..", "#1 (2)"],
)  # fmt: skip
def test_formulas_and_punctuation_are_not_names(text: str) -> None:
    assert not_a_name(text)


@pytest.mark.parametrize(
    "text", ["", "Ann", "J.", "A.J.", "O'Brien-Smith", "J. R. Ortiz", "Ann (cell)", "José", "李"]
)
def test_names_with_some_punctuation_are_names(text: str) -> None:
    assert not not_a_name(text)


def names_from(letters: str) -> st.SearchStrategy[str]:
    pieces = st.sampled_from([*letters, "MAC", "mc", "DE ", " la", "III", "jr"])
    return st.lists(pieces, max_size=12).map("".join)


name_text = names_from("abcmoxyzABCMOXYZéÉñÑüÜß'’-. ,\t")


@given(name_text)
@settings(max_examples=400, deadline=None)
def test_tidying_only_changes_spacing_and_case(raw: str) -> None:
    tidy = tidy_name(raw)
    assert tidy.lower() == " ".join(raw.split()).lower()
    assert tidy_name(tidy) == tidy


@given(st.text(max_size=30))
@settings(max_examples=300, deadline=None)
def test_mixed_case_is_kept_as_typed(raw: str) -> None:
    spaced = " ".join(raw.split())
    if not (spaced.isupper() or spaced.islower()):
        assert tidy_name(raw) == spaced


# No commas (last name first) and no titles (Mr, Mx...) here.
plain_name_text = names_from("abcmoyzABCMOYZéÉñÑüÜß'’- \t")


@given(plain_name_text)
@settings(max_examples=400, deadline=None)
def test_split_keeps_every_word(full: str) -> None:
    first, last = split_full_name(full)
    assert " " not in first
    assert " ".join(part for part in (first, last) if part) == tidy_name(full)
