"""The PostgreSQL half of the suite cannot quietly go missing: under CI=true, leaving it out
fails the run; elsewhere it is left out with one line saying how to run it."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import PROJECT

ONE_TEST = "tests/test_store.py::test_migrations_are_idempotent"


def _pytest_without_postgres(ci: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LEADCHASE_TEST_POSTGRES_URL", "CI")}
    env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", ONE_TEST],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ci_fails_when_postgres_tests_are_left_out() -> None:
    result = _pytest_without_postgres("true")
    assert result.returncode == 1, result.stdout
    assert "1 PostgreSQL tests skipped: set LEADCHASE_TEST_POSTGRES_URL" in result.stdout


def test_elsewhere_they_are_left_out_with_one_line() -> None:
    result = _pytest_without_postgres("")
    assert result.returncode == 0, result.stdout
    lines = [line for line in result.stdout.splitlines() if "LEADCHASE_TEST_POSTGRES_URL" in line]
    assert len(lines) == 1 and "fails the run" not in lines[0]
