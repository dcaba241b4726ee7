"""What `leadchase today` imports: only what the agenda uses, since every module and every class
it builds at import is paid for on each run (issue #17's start-up target)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from leadchase.workspace import Workspace
from tests.conftest import import_lead

ARRIVAL = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)  # 10:00 in San Francisco
LATER = ARRIVAL + timedelta(hours=1)
# Modules other commands need: planning touches, the store's history, writing files, `init`,
# checking a cadence file that changed, the tables of leadchase.toml only background work reads.
NOT_FOR_TODAY = (
    "leadchase.cadence.schedule",
    "leadchase.store.history_records",
    "leadchase.files",
    "leadchase.new_workspace",
    "leadchase.cadence.file_reader",
    "leadchase.settings_background",
)


def test_today_imports_none_of_the_modules_only_other_commands_need(
    workspace: Workspace,
) -> None:
    import_lead(workspace, ARRIVAL)
    code = (
        "import sys\n"
        "from leadchase.cli import app\n"
        "try:\n"
        "    app(['today'])\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        f"print('LOADED=' + ','.join(m for m in {NOT_FOR_TODAY!r} if m in sys.modules))\n"
    )
    env = {"LEADCHASE_HOME": str(workspace.root), "LEADCHASE_NOW": LATER.isoformat()}
    # The first agenda records the cadences it planned with and keeps what it parsed (writes),
    # in a process of its own: this one may have parsed the shared files already.
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
        )
        assert result.returncode == 0, result.stderr
    assert "TEXT" in result.stdout  # a text was rendered and shown, through the whole path
    assert result.stdout.strip().splitlines()[-1] == "LOADED="


def test_every_dataclass_today_builds_has_a_docstring(workspace: Workspace) -> None:
    # Without one, @dataclass writes it from inspect.signature(cls) as the class is made: a
    # cost on every start for a text nobody reads.
    import_lead(workspace, ARRIVAL)
    code = (
        "import dataclasses, sys\n"
        "from leadchase.cli import app\n"
        "try:\n"
        "    app(['today'])\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        "made = [\n"
        "    value for name, module in list(sys.modules.items()) if name.startswith('leadchase')\n"
        "    for value in vars(module).values()\n"
        "    if isinstance(value, type) and dataclasses.is_dataclass(value)\n"
        "    and value.__module__ == name\n"
        "]\n"
        "written = [c.__qualname__ for c in made if (c.__doc__ or '').startswith(c.__name__ + '(')]\n"
        "print(f'DATACLASSES={len(made)} UNWRITTEN=' + ','.join(written))\n"
    )
    env = {"LEADCHASE_HOME": str(workspace.root), "LEADCHASE_NOW": LATER.isoformat()}
    for _ in range(2):  # the first plans the new lead's touches (other modules): not counted
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
        )
        assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("DATACLASSES=") and int(last.split()[0].split("=")[1]) > 40, last
    assert last.endswith("UNWRITTEN="), last
