"""The PostgreSQL rows of `make bench`: with no server to use they say MISSING and why."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.bench_postgres import bench_postgres


def test_no_postgres_gives_missing_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADCHASE_PG_BIN", str(tmp_path / "no-postgres-here"))
    rows = bench_postgres(tmp_path / "never-read.csv", tmp_path, 100_000)
    assert [row.what for row in rows] == [
        "import 100,000 vendor rows into PostgreSQL",
        "today on 100,000 leads on PostgreSQL",
    ]
    for row in rows:
        assert row.status == "N/A" and row.ratio is None
        assert row.note.startswith("MISSING: no PostgreSQL server (postgres.sh: no PostgreSQL")
