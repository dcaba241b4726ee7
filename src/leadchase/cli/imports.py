"""`leadchase import`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from leadchase.cli import common

if TYPE_CHECKING:
    from datetime import datetime

    from leadchase.context import Context
    from leadchase.importing.pipeline import ImportOptions, ImportResult, ProgressCallback


def import_(
    files: Annotated[
        list[Path], typer.Argument(help="Lead files (CSV/TSV in any encoding vendors send).")
    ],
    source: Annotated[
        str,
        typer.Option(
            help="Source name for every lead in these files (else the file's source column)."
        ),
    ] = "",
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help='Map a vendor header to a lead field, e.g. --map "Best Time=notes". Repeatable.',
            show_default=False,
        ),
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(
            help="Where to write rejected rows (default: FILE.rejects.csv beside the file)."
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Show the column mapping, sample rows and counts; change nothing."
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Read a file again even though the same file was imported before (by default it is recognised at once and skipped).",
        ),
    ] = False,
    cadence: Annotated[
        str | None,
        typer.Option(
            help="Cadence for the new leads (default: by source in leadchase.toml, else by age).",
            show_default=False,
        ),
    ] = None,
    officer: Annotated[
        str | None,
        typer.Option(
            help="The officer who gets the new leads (default: the [assign] rules in leadchase.toml, else you).",
            show_default=False,
        ),
    ] = None,
    json_output: common.JsonOption = False,
) -> None:
    """Import lead files: detect the format, clean every field, dedupe, and reject what cannot be used."""
    from leadchase.importing.pipeline import ImportOptions
    from leadchase.importing.service import import_files

    if rejects is not None and len(files) > 1:
        common.fail("--rejects names one file, but several lead files were given; drop --rejects")
    overrides = _parse_map(mapping or [])
    with common.open_workspace() as context:
        options = ImportOptions(
            source=source.strip(),
            overrides=overrides,
            rejects_path=rejects,
            dry_run=dry_run,
            force=force,
            default_zone=context.settings.contact.default_timezone,
        )
        zones = common.zones(context)
        now = common.now()
        if json_output or not common.out.is_terminal:
            results = import_files(context, files, options, now, cadence=cadence, officer=officer)
        else:
            results = _with_progress(context, files, options, now, cadence, officer)
    if json_output:
        documents = [result.to_json() for result in results]
        common.print_json(documents[0] if len(documents) == 1 else documents)
        return
    from leadchase.cli.render_import import render_result

    for result in results:
        render_result(common.out, result, zones, now)


def _with_progress(
    context: Context,
    files: list[Path],
    options: ImportOptions,
    now: datetime,
    cadence: str | None,
    officer: str | None,
) -> list[ImportResult]:
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from leadchase.importing.service import import_files

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=common.err,
        transient=True,
    ) as bar:
        task = bar.add_task("importing", total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        callback: ProgressCallback = report
        return import_files(context, files, options, now, callback, cadence, officer)


def _parse_map(pairs: list[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for pair in pairs:
        header, sep, field = pair.rpartition("=")
        if not sep or not header.strip() or not field.strip():
            common.fail(
                f'--map {pair!r} is not "Vendor Header=field"; e.g. --map "Cell #=cell_phone"'
            )
        overrides[header.strip()] = field.strip()
    return overrides


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
