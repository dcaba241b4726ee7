"""PostgreSQL against SQLite: the 100,000-row import, and `today` on the imported leads.

Both are information (INFO): the ratio says what a team pays for a shared server over the solo
SQLite file on the same machine. The server is LEADCHASE_TEST_POSTGRES_URL's, else the throwaway
one scripts/postgres.sh starts; with neither, the rows say MISSING and why. Every PostgreSQL
import gets a new empty database (dropped and created untimed before it), as every SQLite one
gets a new workspace; `today` then reads the database the last counted import filled.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from benchmarks.bench_import import (
    COMMAND,
    described,
    fresh_workspace,
    import_command,
    read_every_row,
)
from benchmarks.measure import (
    LEADCHASE,
    PAIRS,
    Contender,
    Paired,
    RunFailed,
    environment,
    paired,
)
from benchmarks.table import Row, compared

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "postgres.sh"
ON_POSTGRES = "on PostgreSQL"
ON_SQLITE = "on SQLite"


def server_url() -> tuple[str, str]:
    """A database URL this run may use, or "" and why there is none."""
    url = os.environ.get("LEADCHASE_TEST_POSTGRES_URL", "").strip()
    if url:
        return url, ""
    try:
        started = subprocess.run(
            ["bash", str(SCRIPT)], capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return "", f"scripts/postgres.sh failed: {error}"
    url = started.stdout.strip()
    why = started.stderr.strip().splitlines()[-1:] or ["scripts/postgres.sh printed no URL"]
    return (url, "") if started.returncode == 0 and url else ("", why[0])


def _fresh_database(url: str, name: str) -> Callable[[], str]:
    """Drop and create the database `name` on `url`'s server; its URL."""
    from sqlalchemy.engine import make_url

    def make() -> str:
        import psycopg

        admin = make_url(url).set(drivername="postgresql")
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{name}"')
        return admin.set(database=name).render_as_string(hide_password=False)

    return make


def _postgres_workspace(folder: Path, make_database: Callable[[], str]) -> None:
    """A `leadchase init` workspace whose [database] url names a new empty database."""
    fresh_workspace(folder)
    settings = folder / "leadchase.toml"
    text = settings.read_text(encoding="utf-8")
    if text.count('\nurl = ""\n') != 1:
        raise RunFailed("leadchase init", f"wrote no empty [database] url in {settings}")
    settings.write_text(text.replace('\nurl = ""\n', f'\nurl = "{make_database()}"\n'))


def bench_postgres(path: Path, work: Path, rows: int, pairs: int = PAIRS) -> list[Row]:
    import_row = Row(
        f"import {rows:,} vendor rows into PostgreSQL",
        f"{COMMAND}, [database] url = postgresql://...",
        f"{COMMAND} into SQLite",
        "(information)",
        "N/A",
    )
    today_row = Row(
        f"today on {rows:,} leads on PostgreSQL",
        "leadchase today, [database] url = postgresql://...",
        "leadchase today on SQLite",
        "(information)",
        "N/A",
    )
    url, why = server_url()
    if not url:
        for row in (import_row, today_row):
            row.note = f"MISSING: no PostgreSQL server ({why})"
        print(f"  MISSING: PostgreSQL rows skipped: {why}", flush=True)
        return [import_row, today_row]
    from sqlalchemy.engine import make_url

    database = f"{make_url(url).database}_bench"
    pg_home, sqlite_home = work / "ws-postgres", work / "ws-postgres-sqlite"
    make_database = _fresh_database(url, database)
    contenders = [
        Contender(
            ON_POSTGRES,
            import_command(path, pg_home),
            environment(LEADCHASE_HOME=str(pg_home)),
            prepare=lambda: _postgres_workspace(pg_home, make_database),
            check=read_every_row(rows),
        ),
        Contender(
            ON_SQLITE,
            import_command(path, sqlite_home),
            environment(LEADCHASE_HOME=str(sqlite_home)),
            prepare=lambda: fresh_workspace(sqlite_home),
            check=read_every_row(rows),
        ),
    ]
    print(f"  {import_row.what}: PostgreSQL / SQLite, {pairs} rounds ...", flush=True)
    try:
        measured = paired(contenders, pairs)
    except RunFailed as failure:
        import_row.status, import_row.note = "ERROR", str(failure)
        today_row.note = "no PostgreSQL import to read"
        return [import_row, today_row]
    rows_out = [_compared(import_row, measured, described(measured.runs[ON_POSTGRES][-1]))]
    today = [
        Contender(ON_POSTGRES, [LEADCHASE, "today"], environment(LEADCHASE_HOME=str(pg_home))),
        Contender(ON_SQLITE, [LEADCHASE, "today"], environment(LEADCHASE_HOME=str(sqlite_home))),
    ]
    print(f"  {today_row.what}: PostgreSQL / SQLite, {pairs} rounds ...", flush=True)
    try:
        rows_out.append(_compared(today_row, paired(today, pairs), ""))
    except RunFailed as failure:
        today_row.status, today_row.note = "ERROR", str(failure)
        rows_out.append(today_row)
    return rows_out


def _compared(row: Row, measured: Paired, note: str) -> Row:
    return compared(
        measured,
        ON_POSTGRES,
        ON_SQLITE,
        None,
        what=row.what,
        command=row.command,
        baseline=row.baseline,
        target=row.target,
        note=note,
    )
