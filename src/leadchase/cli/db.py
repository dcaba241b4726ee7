"""`db check|backup|migrate|copy`: is the database whole, a private copy of it to restore from,
its schema brought up to date, and a workspace's data moved to a team's PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from leadchase.cli import common

if TYPE_CHECKING:
    from leadchase.store.health import Health
    from leadchase.store.server import ServerHealth

db_app = typer.Typer(
    help="The workspace database: check that it is whole, back it up, migrate it, copy it to "
    "PostgreSQL.",
    no_args_is_help=True,
)


@db_app.command()
def check(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="A database file to check, e.g. a backup (default: the workspace's).",
            show_default=False,
        ),
    ] = None,
    json_output: common.JsonOption = False,
) -> None:
    """Check the database with SQLite's integrity check and its schema migrations; changes nothing.

    On PostgreSQL: that the server answers, and its migrations. Exit code 1 when it is damaged
    (restore a backup: docs/running.md, Backups) or was made by a newer leadchase.
    """
    from leadchase.store.engine import sqlite_path
    from leadchase.store.health import check_database, database_file

    if file is None:
        with common.open_workspace() as context:
            url = context.settings.database_url
        if sqlite_path(url) is None:
            _check_server(url, json_output)
            return
        file = database_file(url)
    health = check_database(file)
    if json_output:
        common.print_json(_document(health))
    else:
        _render(health)
    if health.problems:
        common.fail(
            f"{health.path} is damaged: nothing was changed; restore a backup "
            "(docs/running.md, Backups)"
        )
    if health.unknown:
        common.fail(f"{health.path} was made by a newer leadchase: use that version")


@db_app.command()
def backup(
    to: Annotated[
        Path | None,
        typer.Option(
            "--to",
            help="The new file to write (default: backups/leadchase-YYYYMMDD-HHMMSS.db in the "
            "workspace, UTC). An existing file is never replaced.",
            show_default=False,
        ),
    ] = None,
    json_output: common.JsonOption = False,
) -> None:
    """Copy the database to a new private file (0600), safely while other runs write, and check the copy."""
    from leadchase.store.health import backup_workspace

    with common.open_workspace() as context:
        settings = context.settings
        health = backup_workspace(settings.database_url, settings.workspace.root, common.now(), to)
    if json_output:
        common.print_json(_document(health))
        return
    common.out.print(
        f"Backed up the database to {health.path} ({_size(health.size)}, checked: whole)",
        markup=False,
        soft_wrap=True,
    )


def _check_server(url: str, json_output: bool) -> None:
    from leadchase.store.server import check_server

    health = check_server(url)
    if json_output:
        common.print_json(
            {
                "database": health.where,
                "server_version": health.version,
                "ok": health.ok,
                "applied": health.applied,
                "pending": health.pending,
                "unknown": health.unknown,
            }
        )
    else:
        _render_server(health)
    if health.unknown:
        common.fail(f"{health.where} was made by a newer leadchase: use that version")


def _render_server(health: ServerHealth) -> None:
    out = common.out
    out.print(f"{health.where} (PostgreSQL {health.version})", markup=False, soft_wrap=True)
    out.print("  connection: ok")
    known = len(health.applied) + len(health.pending)
    out.print(f"  schema:     {len(health.applied)} of {known} migrations applied")
    if health.pending:
        missing = ", ".join(health.pending)
        out.print(f"    to apply: {missing} (`leadchase db migrate` does)", markup=False)
    if health.unknown:
        out.print(f"    from a newer leadchase: {', '.join(health.unknown)}", markup=False)
    if health.ok:
        out.print("The database answers and its schema is known.")


@db_app.command()
def migrate(json_output: common.JsonOption = False) -> None:
    """Apply the schema migrations the database has not had yet (every command also does,
    before it starts; this does it alone, e.g. once for a team before everyone upgrades)."""
    from leadchase.store.server import migrate_database

    with common.open_workspace() as context:
        url = context.settings.database_url
    ran, known = migrate_database(url)
    if json_output:
        common.print_json({"applied": ran, "migrations": known})
    elif ran:
        common.out.print(f"Applied {', '.join(ran)}; {known} of {known} migrations applied.")
    else:
        common.out.print(f"Nothing to apply: {known} of {known} migrations applied.")


@db_app.command()
def copy(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="The empty PostgreSQL database to fill, e.g. postgresql://me@db.example/leads.",
            show_default=False,
        ),
    ],
    json_output: common.JsonOption = False,
) -> None:
    """Copy the workspace's database (every lead, touch, message, opt-out...) into an empty
    PostgreSQL database, ids kept, and check each table's row count on both sides.

    Refuses a database that already holds data. The workspace keeps using its own database
    until [database] url in leadchase.toml names the new one (docs/team.md).
    """
    from leadchase.store.server import copy_database, shown

    with common.open_workspace() as context:
        url = context.settings.database_url
    copied = copy_database(url, to)
    if json_output:
        common.print_json(
            {
                "to": shown(to),
                "tables": {
                    t.name: {"source": t.source_rows, "copied": t.target_rows} for t in copied
                },
            }
        )
        return
    from leadchase.words import counted

    for table in copied:
        common.out.print(f"  {table.name}: {counted(table.target_rows, 'row')}", markup=False)
    common.out.print(
        f"Copied {counted(len(copied), 'table')} to {shown(to)}; every row count matches. "
        "Now set [database] url in leadchase.toml to it (docs/team.md).",
        markup=False,
        soft_wrap=True,
    )


def _render(health: Health) -> None:
    from leadchase.words import counted

    out = common.out
    out.print(f"{health.path} ({_size(health.size)})", markup=False, soft_wrap=True)
    if health.problems:
        out.print(f"  integrity: {counted(len(health.problems), 'problem')}")
        for line in health.problems:
            out.print(f"    {line}", markup=False)
    else:
        out.print("  integrity: ok")
    known = len(health.applied) + len(health.pending)
    if health.read:
        out.print(f"  schema:    {len(health.applied)} of {known} migrations applied")
    if health.pending:
        missing = ", ".join(health.pending)
        out.print(f"    to apply: {missing} (the next command that writes it does)", markup=False)
    if health.unknown:
        out.print(f"    from a newer leadchase: {', '.join(health.unknown)}", markup=False)
    if health.ok:
        out.print("The database is whole.")


def _document(health: Health) -> dict[str, object]:
    return {
        "path": str(health.path),
        "size": health.size,
        "ok": health.ok,
        "problems": health.problems,
        "applied": health.applied,
        "pending": health.pending,
        "unknown": health.unknown,
    }


def _size(size: int) -> str:
    return f"{size:,} bytes" if size < 10_000 else f"{size // 1000:,} KB"


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
