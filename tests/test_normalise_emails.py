"""Email normalising agrees with email-validator, including on its fast path."""

from __future__ import annotations

import subprocess
import sys

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st

from leadchase.contact.emails import SPECIAL_USE_DOMAINS, normalise_email


def email_validator_says(address: str) -> str | None:
    try:
        return validate_email(address.strip().lower(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("john.smith@example.com", "john.smith@example.com"),
        ("  John.Smith@Gmail.COM ", "john.smith@gmail.com"),
        ("mailto:Jane@Example.org", "jane@example.org"),
        ("MAILTO:jane@example.org", "jane@example.org"),
        ("<jane@example.org>", "jane@example.org"),
        ("<mailto:jane@example.org>", "jane@example.org"),
        ("jane+leads@sub.example-mail.co.uk", "jane+leads@sub.example-mail.co.uk"),
        ("josé@exämple.com", "josé@exämple.com"),  # slow path: international
        ("jane@xn--exmple-cua.com", "jane@exämple.com"),  # punycode comes back readable
        ("jane@localhost", None),
        ("jane@mail.test", None),  # special-use domain
        ("jane@example", None),  # no top-level domain
        ("jane@123.45", None),
        ("jane..doe@example.com", None),
        (".jane@example.com", None),
        ("jane@-example.com", None),
        ("jane@ex--ample.com", None),
        ("jane@example.com; joe@example.com", None),
        ("John Smith <jane@example.com>", None),
        ("n/a", None),
        ("", None),
    ],
)
def test_examples(raw: str, expected: str | None) -> None:
    assert normalise_email(raw) == expected


ATEXT = "abcxyzABCXYZ0189!#$%&'*+/=?^_`{|}~-"
words = st.text(alphabet="abcJK09_+-", min_size=1, max_size=8)
hostname_labels = st.text(alphabet="abcXYZ019-", min_size=1, max_size=12)
common_top_level = st.sampled_from(["com", "net", "org", "US", "io", "co", "test", "local", "c"])
# Addresses shaped like real ones (most take the fast path), with hyphen, case and
# special-use edge cases.
plausible = st.builds(
    "{}@{}.{}".format,
    st.lists(words, min_size=1, max_size=3).map(".".join),
    st.lists(hostname_labels, min_size=1, max_size=3).map(".".join),
    common_top_level,
)
local_parts = st.one_of(
    st.text(alphabet=ATEXT + ".", min_size=1, max_size=70), st.text(min_size=1, max_size=10)
)
odd_labels = st.one_of(
    hostname_labels,
    st.sampled_from(["gmail", "a" * 63, "b" * 64, "xn--exmple-cua", "ab--cd", "ÿ", "é"]),
)
odd_top_level = st.sampled_from(
    [
        "com",
        "localhost",
        "invalid",
        "arpa",
        "onion",
        "example",
        "1com",
        "com1",
        "co-m",
        "x" * 64,
        "",
        "ελ",
    ]
)
odd = st.builds(
    "{}{}{}".format,
    local_parts,
    st.sampled_from(["@", "@@", ""]),
    st.builds(
        lambda labels, top: ".".join([*labels, top]),
        st.lists(odd_labels, max_size=4),
        odd_top_level,
    ),
)
addresses = st.one_of(plausible, odd)


@given(addresses)
@settings(max_examples=2000, deadline=None)
@example("a" * 64 + "@example.com")
@example("a" * 65 + "@example.com")
@example("a@" + "b" * 63 + ".com")
@example("a@" + ("b" * 60 + ".") * 4 + "com")
@example("a@b.example")
def test_agrees_with_email_validator(address: str) -> None:
    assert normalise_email(address) == email_validator_says(address)


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_never_raises_on_arbitrary_text(raw: str) -> None:
    result = normalise_email(raw)
    assert result is None or "@" in result


def test_special_use_domains_are_email_validators() -> None:
    import email_validator

    assert frozenset(email_validator.SPECIAL_USE_DOMAIN_NAMES) == SPECIAL_USE_DOMAINS


# The shapes refused without asking email-validator: no @, nothing on one side of it, a space.
no_email = st.one_of(
    st.text(alphabet=ATEXT + ". /", max_size=12).filter(lambda text: "@" not in text),
    st.builds("{}@".format, st.text(max_size=12)),
    st.builds("@{}".format, st.text(max_size=12)),
    st.builds("{} {}@{}".format, words, words, st.sampled_from(["gmail.com", "aol.com", "x"])),
    st.builds("{}@{} {}".format, words, words, st.sampled_from(["com", "net.org"])),
    st.sampled_from(["noemail", "n/a", "none", "declined", "test@", "@gmail.com", "john.smith@"]),
)


@given(no_email)
@settings(max_examples=1500, deadline=None)
@example('"mary ann"@example.com')
@example("mary ann <mary@example.com>")
@example("@@")
def test_refused_shapes_agree_with_email_validator(address: str) -> None:
    assert normalise_email(address) == email_validator_says(address)


def test_common_shapes_do_not_load_email_validator() -> None:
    code = (
        "import sys\n"
        "from leadchase.contact.emails import SPECIAL_USE_DOMAINS, normalise_email\n"
        "cells = ['Jane@Example.com', 'n/a', 'test@', '@gmail.com', 'mary ann1@aol.com', 'a@b.test']\n"
        "print([normalise_email(cell) for cell in cells], 'email_validator' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split()[-1] == "False"
    assert done.stdout.startswith("['jane@example.com', None, None, None, None, None]")
