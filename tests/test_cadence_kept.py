"""Checked cadence files kept in the workspace's parse cache (cadence/checked.py): an unchanged
file is not checked again, loads to the same cadence and fingerprint, and a kept result never
hides a problem (a change to the file, its folder or the templates there is checked afresh)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from leadchase.cadence import file_reader, load_cadences
from leadchase.cadence.model import fingerprint
from leadchase.parsed_cache import save, use_workspace
from tests.conftest import PROJECT, make_cadence_folder

BROKEN = """\
steps:
  - day: 1
    call: 1
  - days: 2-3
    text: {count: 2, templates: [demo/a]}
    fax: 1
"""


@pytest.fixture
def kept_in(tmp_path: Path) -> Iterator[Path]:
    use_workspace(tmp_path)
    yield tmp_path
    use_workspace(None)


def new_process(root: Path) -> None:
    """What a new `leadchase` process sees: only what the cache file on disk holds."""
    save()
    use_workspace(None)
    use_workspace(root)


def never_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: object) -> None:
        raise AssertionError("a kept cadence file was checked again")

    monkeypatch.setattr(file_reader.CadenceReader, "read", refuse)


def test_shipped_cadences_load_the_same_from_the_cache(
    kept_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = kept_in / "cadences"
    shutil.copytree(PROJECT / "cadences", folder)
    names = {"internet-lead/first-text", "aged-lead/first-text"}
    use_workspace(None)
    fresh = load_cadences(folder, template_names=None)
    fresh_named = load_cadences(folder, template_names=names)
    use_workspace(kept_in)
    load_cadences(folder, template_names=None)
    new_process(kept_in)
    with monkeypatch.context() as patched:
        never_checked(patched)
        kept = load_cadences(folder, template_names=None)
    assert kept == fresh and len(kept.cadences) >= 9 and kept.problems == ()
    assert kept.fingerprints == {name: fingerprint(c) for name, c in fresh.cadences.items()}
    # Other template names: checked afresh (and kept for them from then on).
    assert load_cadences(folder, template_names=names) == fresh_named
    new_process(kept_in)
    never_checked(monkeypatch)
    kept_named = load_cadences(folder, template_names=names)
    assert kept_named == fresh_named and kept_named.problems != ()
    closed = kept.cadences["closed"]
    # A touch shared by the days of a range is still one object.
    assert len({id(step.touches[0]) for step in closed.steps if step.anchor}) < 10


def test_a_broken_file_reports_the_same_problems_every_time(
    kept_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = make_cadence_folder(kept_in, {"demo.yaml": BROKEN})
    first = load_cadences(folder, template_names={"demo/b"})
    assert first.cadences == {} and first.fingerprints == {}
    assert [problem.step for problem in first.problems] == ["days: 2-3", "days: 2-3"]
    assert "unknown channel 'fax'" in str(first.problems[1])
    new_process(kept_in)
    never_checked(monkeypatch)
    assert load_cadences(folder, template_names={"demo/b"}) == first


def test_an_edit_to_a_kept_file_is_checked_afresh(kept_in: Path) -> None:
    folder = make_cadence_folder(kept_in, {"demo.yaml": "steps:\n  - day: 1\n    call: 1\n"})
    good = load_cadences(folder)
    assert good.problems == () and list(good.cadences) == ["demo"]
    new_process(kept_in)
    (folder / "demo.yaml").write_text("steps:\n  - day: 1\n    cal: 1\n", encoding="utf-8")
    broken = load_cadences(folder)
    assert broken.cadences == {} and "unknown channel 'cal'" in str(broken.problems[0])
    new_process(kept_in)
    (folder / "demo.yaml").write_text("steps:\n  - day: 2\n    call: 1\n", encoding="utf-8")
    edited = load_cadences(folder)
    assert edited.cadences["demo"].steps[0].day == 2
    assert edited.fingerprints["demo"] != good.fingerprints["demo"]
    assert edited.fingerprints["demo"] == fingerprint(edited.cadences["demo"])


def test_a_template_gone_is_reported_for_an_unchanged_file(kept_in: Path) -> None:
    text = "steps:\n  - day: 1\n    text: {template: demo/hello}\n"
    folder = make_cadence_folder(kept_in, {"demo.yaml": text})
    assert load_cadences(folder, template_names={"demo/hello"}).problems == ()
    new_process(kept_in)
    gone = load_cadences(folder, template_names={"demo/other"})
    assert "template 'demo/hello' does not exist" in str(gone.problems[0])
    new_process(kept_in)
    assert load_cadences(folder, template_names={"demo/hello"}).problems == ()


def test_problems_name_the_folder_the_file_is_in_now(kept_in: Path) -> None:
    folder = make_cadence_folder(kept_in, {"demo.yaml": BROKEN})
    assert str(load_cadences(folder).problems[0]).startswith("cadences/demo.yaml")
    new_process(kept_in)
    moved = folder.rename(kept_in / "playbooks")
    assert str(load_cadences(moved).problems[0]).startswith("playbooks/demo.yaml")


def test_template_names_are_the_j2_entries_rglob_lists(tmp_path: Path) -> None:
    from leadchase.cadence.followup import _template_names

    templates = tmp_path / "templates"
    for relative in (
        "demo/first-text.sms.j2",
        "demo/deeper/note.email.j2",
        "v1.2/odd.sms.j2",
        ".hidden/secret.sms.j2",
        "top.sms.j2",
        "demo/readme.txt",
        "elsewhere/linked.sms.j2",
    ):
        (templates / relative).parent.mkdir(parents=True, exist_ok=True)
        (templates / relative).write_text("Hi", encoding="utf-8")
    (templates / "folder.j2").mkdir()
    (templates / "link").symlink_to(templates / "elsewhere")  # listed, never entered
    (templates / "gone.sms.j2").symlink_to(tmp_path / "nowhere")
    names = {
        path.relative_to(templates).as_posix().split(".", 1)[0] for path in templates.rglob("*.j2")
    }
    assert _template_names(templates) == names
    assert {"demo/first-text", "demo/deeper/note", "v1", "folder", "gone", "top"} <= names
    assert not any(name.startswith("link/") for name in names)


def test_every_module_that_checks_a_cadence_file_is_part_of_the_cache_key() -> None:
    """A kept result is tied to the code that checked it: every leadchase module the file
    reader loads (its rules, its words, its errors) must be in the key, or a change there would
    leave old problems' text in a workspace's cache."""
    import subprocess
    import sys

    from leadchase.cadence import checked

    script = (
        "import sys\n"
        "import leadchase.cadence.file_reader\n"
        "print('\\n'.join(m.__file__ for n, m in sys.modules.items()\n"
        "    if n.startswith('leadchase.') and not m.__file__.endswith('__init__.py')))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    package = Path(checked.__file__).parent.parent
    relative = {Path(name).relative_to(package).as_posix() for name in loaded}
    assert relative - {"cadence/checked.py"} <= set(checked._CHECKING_MODULES)
    assert relative >= set(checked._CHECKING_MODULES)
