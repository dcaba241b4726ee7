"""The parsed-YAML cache (parsed_cache.py): `today` reads unchanged cadences without PyYAML,
and any change to a file's bytes is read afresh."""

from __future__ import annotations

import marshal
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leadchase import parsed_cache
from leadchase.cadence.yaml_values import read_yaml
from leadchase.errors import CadenceError, ConfigError
from leadchase.parsed_cache import CACHE_FILE, use_workspace
from leadchase.workspace import Workspace
from tests.conftest import import_lead, run

ARRIVAL = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)  # 10:00 in San Francisco
LATER = ARRIVAL + timedelta(hours=1)


@pytest.fixture
def kept_in(tmp_path: Path) -> Iterator[Path]:
    use_workspace(tmp_path)
    yield tmp_path
    use_workspace(None)


def test_an_edited_file_is_parsed_again(kept_in: Path) -> None:
    path = kept_in / "cadence.yaml"
    path.write_text("name: first\n")
    assert read_yaml(path) == {"name": "first"}
    path.write_text("name: second\n")  # same size, maybe the same mtime: only bytes count
    assert read_yaml(path) == {"name": "second"}
    use_workspace(None)
    use_workspace(kept_in)  # a new process: what the file on disk holds
    assert read_yaml(path) == {"name": "second"}


def test_each_reader_gets_its_own_copy(kept_in: Path) -> None:
    path = kept_in / "cadence.yaml"
    path.write_text("steps: [a, b]\n")
    first = read_yaml(path)
    assert isinstance(first, dict) and isinstance(first["steps"], list)
    first["steps"].append("c")
    assert read_yaml(path) == {"steps": ["a", "b"]}


def test_the_cache_is_private_and_a_broken_one_is_ignored(kept_in: Path) -> None:
    path = kept_in / "cadence.yaml"
    path.write_text("name: kept\n")
    assert read_yaml(path) == {"name": "kept"}
    parsed_cache.save()
    cache = kept_in / CACHE_FILE
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    cache.write_bytes(b"not a marshal file")
    use_workspace(None)
    use_workspace(kept_in)
    assert read_yaml(path) == {"name": "kept"}


def test_a_syntax_error_is_reported_every_time(kept_in: Path) -> None:
    path = kept_in / "cadence.yaml"
    path.write_text("name: [unclosed\n")
    for _ in range(2):
        with pytest.raises(CadenceError, match="YAML syntax error"):
            read_yaml(path)


def test_without_a_workspace_nothing_is_written(tmp_path: Path) -> None:
    use_workspace(None)
    path = tmp_path / "cadence.yaml"
    path.write_text("name: alone\n")
    assert read_yaml(path) == {"name": "alone"}
    assert read_yaml(path) == {"name": "alone"}
    assert not (tmp_path / CACHE_FILE).exists()
    assert parsed_cache.parsed(path, b"x", lambda data: data.decode()) == "x"


def test_a_second_today_reads_cadences_and_law_table_without_yaml(workspace: Workspace) -> None:
    import_lead(workspace, ARRIVAL)
    assert run("today", now=LATER).exit_code == 0  # plans the cadences (a write)
    code = (
        "import sys\n"
        "from leadchase.cli import app\n"
        "try:\n"
        "    app(['today'])\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        "print('YAML=' + str('yaml' in sys.modules))\n"
    )
    env = {"LEADCHASE_HOME": str(workspace.root), "LEADCHASE_NOW": LATER.isoformat()}
    # Two new processes: the first parses what this one had parsed already, the second not.
    first, second = (
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
        )
        for _ in range(2)
    )
    assert first.returncode == 0, first.stderr
    assert (workspace.root / CACHE_FILE).exists()
    assert second.returncode == 0, second.stderr
    assert "CALL" in second.stdout
    assert second.stdout == first.stdout.replace("YAML=True", "YAML=False")
    assert second.stdout.strip().splitlines()[-1] == "YAML=False"


def test_an_edited_settings_file_is_read_afresh(workspace: Workspace) -> None:
    from leadchase.config import load_settings

    use_workspace(workspace.root)
    try:
        first = load_settings(workspace)
        text = workspace.settings_file.read_text(encoding="utf-8")
        edited = text.replace('window_end = "20:00"', 'window_end = "19:00"')
        assert edited != text
        workspace.settings_file.write_text(edited, encoding="utf-8")
        assert load_settings(workspace).contact.window_end.hour == 19
        assert first.contact.window_end.hour == 20
        workspace.settings_file.write_text(text + "\n[officer\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="fix the TOML syntax"):
            load_settings(workspace)
    finally:
        use_workspace(None)


def test_a_wording_compiled_once_renders_the_same_from_the_cache(kept_in: Path) -> None:
    import jinja2

    from leadchase.messaging.library import _from_source

    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    source = (
        "Hi {{ lead.first_name }}{% if step.is_first_touch %}, reply STOP to opt out{% endif %}"
    )
    values = {"lead": {"first_name": "Ann"}, "step": {"is_first_touch": True}}
    compiled = _from_source(environment, source).render(values)
    parsed_cache.save()
    stored = marshal.loads((kept_in / CACHE_FILE).read_bytes())[1]
    assert [key for key in stored if key.startswith("jinja: ")] != []
    use_workspace(None)
    use_workspace(kept_in)  # a new process: the code comes from the cache
    assert _from_source(environment, source).render(values) == compiled
    assert compiled == environment.from_string(source).render(values)
    assert compiled == "Hi Ann, reply STOP to opt out"
    with pytest.raises(jinja2.UndefinedError):  # still the environment's own rules
        _from_source(environment, source).render({"lead": {}, "step": {}})
    with pytest.raises(jinja2.TemplateSyntaxError):  # an error is never kept
        _from_source(environment, "{% if %}")
