"""`--officer NAME`: one officer's leads, for `today`, `leads` and the like."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from leadchase.context import Context
    from leadchase.store.records import OfficerScope

OfficerOption = Annotated[
    str | None,
    typer.Option(
        "--officer",
        help="Only this officer's leads (\"all\": everyone's). Default: $LEADCHASE_OFFICER, "
        "else yours ([officer]) once the team has officers.",
        show_default=False,
    ),
]


def officer_scope(context: Context, name: str | None) -> tuple[OfficerScope | None, str]:
    """The leads `--officer` (or $LEADCHASE_OFFICER) picks, and whose they are in words ("" for
    everyone's)."""
    import os

    from leadchase.team import DEFAULT, OFFICER_ENV, Team

    # Read without SQLAlchemy: `today` asks this (store/fast.py).
    team = Team(context.settings.officer, tuple(context.reader.officers()))
    scope = team.working_scope(name, os.environ.get(OFFICER_ENV))
    if scope is None:
        return None, ""
    whose = team.name_of(scope.officer_id)
    return scope, "the default officer" if whose == DEFAULT else whose
