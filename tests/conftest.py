"""Every test gets a fresh workspace in a temporary folder and a clean environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leadchase.config import default_settings_text
from leadchase.workspace import Workspace, create_workspace

PROJECT = Path(__file__).resolve().parents[1]
SAMPLES = PROJECT / "samples"

# A fixed moment for tests that need "now": Monday 2026-03-02 15:00 UTC (10:00 in New York).
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

_LEAKY_PREFIXES = ("LEADCHASE_", "TWILIO_", "SMTP_")


@pytest.fixture(autouse=True)
def _clean_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith(_LEAKY_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "200")
    yield


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    created, _ = create_workspace(tmp_path / "ws", default_settings_text())
    monkeypatch.setenv("LEADCHASE_HOME", str(created.root))
    return created
