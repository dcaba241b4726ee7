"""`with open_workspace(...)`: the database opens on first use and is always closed at the end."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadchase.context import open_workspace
from leadchase.store import suppressions
from leadchase.workspace import Workspace
from tests.conftest import NOW


def _write_log(workspace: Workspace) -> Path:
    """SQLite's write-ahead log: it exists while a connection is open, and goes with the last."""
    return workspace.default_database.with_name(workspace.default_database.name + "-wal")


def test_a_block_that_never_uses_the_database_never_opens_it(workspace: Workspace) -> None:
    with open_workspace(workspace.root) as context:
        assert context.settings.workspace.root == workspace.root
        assert not context.database_open
    assert not workspace.default_database.exists()


def test_the_database_is_closed_when_the_block_ends(workspace: Workspace) -> None:
    with open_workspace(workspace.root) as context:
        with context.database.writing() as connection:
            suppressions.add(connection, "+14155552671", channel="dnc", reason="dnc", now=NOW)
        assert context.database_open and _write_log(workspace).exists()
    assert not context.database_open
    assert not _write_log(workspace).exists()


def test_the_database_is_closed_when_the_block_fails(workspace: Workspace) -> None:
    with (
        pytest.raises(ValueError, match="a bug in the block"),
        open_workspace(workspace.root) as context,
    ):
        with context.database.writing() as connection:
            suppressions.add(connection, "+14155552671", channel="dnc", reason="dnc", now=NOW)
        raise ValueError("a bug in the block")
    assert not context.database_open
    assert not _write_log(workspace).exists()


def test_a_closed_workspace_does_not_reopen_its_database(workspace: Workspace) -> None:
    with open_workspace(workspace.root) as context:
        pass
    with pytest.raises(RuntimeError, match="workspace is closed"):
        context.database  # noqa: B018
