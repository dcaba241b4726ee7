"""A victim file for the planted-link tests, and the checks every written file must pass."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

VICTIM_TEXT = "the victim's own words\n"


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file elsewhere that a planted link points at; nothing may change it."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    path = elsewhere / "victim.txt"
    path.write_text(VICTIM_TEXT, encoding="utf-8")
    path.chmod(0o644)
    return path


def untouched(victim: Path) -> bool:
    return (
        victim.read_text(encoding="utf-8") == VICTIM_TEXT
        and stat.S_IMODE(victim.stat().st_mode) == 0o644
    )


def regular_private(path: Path) -> bool:
    status = path.lstat()
    return stat.S_ISREG(status.st_mode) and stat.S_IMODE(status.st_mode) == 0o600
