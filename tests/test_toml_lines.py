"""The line scan behind settings errors: each key's line, whatever TOML spreads around it."""

from __future__ import annotations

import tomllib
from textwrap import dedent

from leadchase.config import default_settings_text
from leadchase.toml_lines import key_lines, line_of

TEXT = dedent(
    '''\
    # a comment = not a key
    top = 1

    [officer]
    name = "Pat # not a comment"
      phone="+13055550123"   # spaces and a comment
    "postal_address" = """
    1 Main St
    fake = "inside the string"
    """
    'nmls' = '12 = 34'

    [ cadence . "by_source" ]
    "Zillow.com" = "internet-lead"
    'Aged = Refi' = "aged-lead"

    [contact]
    window_end = "20:00"
    extra = [
      [1, 2],
      { inner = 3 },
    ]
    after = true
    officer.name = "dotted"
    inline = { nam = "x", other = 2 }

    [[listing]]
    item = 1
    '''
)


def test_every_key_is_found_on_its_line() -> None:
    lines = key_lines(TEXT)
    assert lines == {
        ("top",): 2,
        ("officer",): 4,
        ("officer", "name"): 5,
        ("officer", "phone"): 6,
        ("officer", "postal_address"): 7,
        ("officer", "nmls"): 11,
        ("cadence",): 13,
        ("cadence", "by_source"): 13,
        ("cadence", "by_source", "Zillow.com"): 14,
        ("cadence", "by_source", "Aged = Refi"): 15,
        ("contact",): 17,
        ("contact", "window_end"): 18,
        ("contact", "extra"): 19,
        ("contact", "after"): 23,
        ("contact", "officer"): 24,
        ("contact", "officer", "name"): 24,
        ("contact", "inline"): 25,
        ("listing",): 27,
        ("listing", "item"): 28,
    }
    tomllib.loads(TEXT)  # the sample is valid TOML, so these are the lines a user would see


def test_a_key_inside_an_inline_table_points_at_the_table() -> None:
    lines = key_lines(TEXT)
    assert line_of(lines, ("contact", "inline", "nam")) == 25
    assert line_of(lines, ("nowhere", "key")) is None


def test_every_shipped_setting_has_a_line() -> None:
    text = default_settings_text()
    lines = key_lines(text)
    written = text.splitlines()

    def walk(table: dict[str, object], path: tuple[str, ...]) -> None:
        for key, value in table.items():
            number = lines[(*path, key)]
            assert key in written[number - 1], (path, key, written[number - 1])
            if isinstance(value, dict):
                walk(value, (*path, key))

    walk(tomllib.loads(text), ())
