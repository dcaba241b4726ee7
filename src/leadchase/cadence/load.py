"""Read a folder of cadence YAML files into a CadenceSet, collecting every problem.

Each file is read on its own: a file with any problem is reported and left out (the scheduler
never follows half a cadence) while the others still load. A file is checked by file_reader.py,
once per change (checked.py keeps the result): an unchanged file is never checked again, so
that module is imported only for a file that changed. The format is in docs/cadences.md.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

from leadchase.cadence.checked import Checked, checked
from leadchase.cadence.model import Cadence, CadenceSet, Problem
from leadchase.cadence.stages import StageMap, merged_order, read_stage_entry
from leadchase.cadence.yaml_values import Raw, fields_of, read_bytes, read_yaml
from leadchase.errors import CadenceError

STAGE_MAP_NAME = "stages"  # stages.yaml holds the stage map, every other *.yaml is a cadence


def load_cadences(folder: Path, *, template_names: Collection[str] | None = None) -> CadenceSet:
    """Load every cadence file (*.yaml, *.yml) in folder, and the stage map from stages.yaml.

    With template_names, a cadence that uses any other template is a problem. Problems never
    raise; only a missing folder does, because then there is nothing to report on.
    """
    if not folder.is_dir():
        raise CadenceError(f"cadence folder {folder} not found (run 'leadchase init')")
    folder_name = folder.resolve().name
    known = None if template_names is None else frozenset(template_names)
    problems: list[Problem] = []
    cadences: dict[str, Cadence] = {}
    fingerprints: dict[str, str] = {}
    broken: set[str] = set()
    first_file: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        label = f"{folder_name}/{path.name}"
        if path.stem in first_file:
            other = f"{folder_name}/{first_file[path.stem].name}"
            message = f"'{path.stem}' is already defined by {other} (keep one of the two files)"
            problems.append(Problem(label, None, message))
            continue
        first_file[path.stem] = path
        if path.stem == STAGE_MAP_NAME:
            continue
        cadence, found, fingerprint = _read_cadence(path, label, known)
        problems.extend(found)
        if cadence is None or fingerprint is None:
            broken.add(path.stem)
        else:
            cadences[cadence.name] = cadence
            fingerprints[cadence.name] = fingerprint
    stage_file = first_file.get(STAGE_MAP_NAME)
    stage_label = f"{folder_name}/{stage_file.name if stage_file else STAGE_MAP_NAME + '.yaml'}"
    stage_map = _read_stage_map(stage_file, stage_label, cadences, broken, problems)
    return CadenceSet(cadences, stage_map, tuple(problems), fingerprints)


def _read_cadence(path: Path, label: str, known: frozenset[str] | None) -> Checked:
    """One cadence file checked, or its result kept from an earlier check of the same bytes
    (checked.py)."""
    try:
        data = read_bytes(path)
    except CadenceError as problem:
        return None, (Problem(label, None, str(problem)),), None

    def check() -> tuple[Cadence | None, list[Problem]]:
        from leadchase.cadence.file_reader import CadenceReader

        reader = CadenceReader(path, data, label, known)
        return reader.read(), reader.problems

    return checked(path, data, label, known, check)


def check_cadences(
    folder: Path, *, template_names: Collection[str] | None = None
) -> tuple[Problem, ...]:
    """What `leadchase cadence check` reports; empty when the folder is ready to use."""
    return load_cadences(folder, template_names=template_names).problems


def _read_stage_map(
    path: Path | None, label: str, loaded: Collection[str], broken: set[str], out: list[Problem]
) -> StageMap:
    """The stages of stages.yaml (stages.py), the shipped ones it leaves out in their place.
    A stage whose cadence is missing or broken gets no cadence (and a problem), so the
    scheduler never looks up a missing name; a shipped stage the file leaves out just goes
    without when the folder lacks its cadence (a workspace made before that stage shipped)."""
    fields: dict[str, Raw] = {}
    if path is not None:
        try:
            fields = fields_of(read_yaml(path) or {}, "the stage map")
        except CadenceError as problem:
            out.append(Problem(label, None, str(problem)))
    listed = []
    for stage, value in fields.items():
        try:
            listed.append(read_stage_entry(stage, value))
        except CadenceError as problem:
            out.append(Problem(label, None, str(problem)))
    named = {item.name for item in listed}
    stages = []
    for entry in merged_order(listed):
        name = entry.cadence
        quiet = path is not None and entry.name not in named and name not in broken
        if name is None or name in loaded or quiet:
            stages.append(entry if name is None or name in loaded else replace(entry, cadence=None))
            continue
        if name in broken:
            why = "which did not load (fix the problems reported for it)"
        else:
            why = f"which does not exist (add {name}.yaml or map '{entry.name}' to another cadence)"
        default = "" if entry.name in named else " by default"
        out.append(Problem(label, None, f"stage '{entry.name}' uses '{name}'{default}, {why}"))
        stages.append(replace(entry, cadence=None))
    return StageMap(tuple(stages))
