"""`db check|backup`: is the database whole, and a private copy of it to restore from."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from leadchase.cli import common

if TYPE_CHECKING:
    from leadchase.store.health import Health

db_app = typer.Typer(
    help="The workspace database: check that it is whole, back it up.",
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

    Exit code 1 when it is damaged (restore a backup: docs/running.md, Backups) or was made
    by a newer leadchase.
    """
    from leadchase.store.health import check_database, database_file

    if file is None:
        with common.open_workspace() as context:
            file = database_file(context.settings.database_url)
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
