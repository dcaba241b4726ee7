"""Shared set-up for agenda tests: a workspace context, a lead imported through the real import path."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from leadchase.context import open_workspace
from leadchase.importing.pipeline import ImportOptions
from leadchase.importing.service import import_files
from leadchase.workspace import Workspace


def import_lead(
    workspace: Workspace,
    now: datetime,
    *,
    phone: str = "4155552671",
    email: str = "ann@example.com",
    state: str = "CA",
    zip_code: str = "94103",
    lead_date: datetime | None = None,
    name: str = "Ann Lee",
    source: str = "Zillow",
) -> int:
    lead_file = Path(workspace.root) / f"lead-{abs(hash((phone, email, now)))}.csv"
    date_text = (lead_date or now).isoformat()
    lead_file.write_text(
        f"name,phone,email,state,zip,lead_date,source\n{name},{phone},{email},{state},{zip_code},{date_text},{source}\n",
        encoding="utf-8",
    )
    with open_workspace(workspace.root) as context:
        (result,) = import_files(context, [lead_file], ImportOptions(), now)
    assert result.imported == 1, result.to_json()
    assert result.first_new_lead_id is not None
    return result.first_new_lead_id
