"""Cadences: the YAML playbooks that say which touches a lead gets on which day.

model.py holds the data (pure, no YAML); stages.py the stages (stages.yaml); load.py reads a
folder of cadence files, file_reader.py checks each one that changed (checked.py keeps the rest).
PyYAML is imported only when a folder is actually read.
"""

from leadchase.cadence.load import check_cadences, load_cadences
from leadchase.cadence.model import (
    Cadence,
    CadenceSet,
    PlannedTouch,
    Problem,
    Step,
    TouchSpec,
    step_key,
)
from leadchase.cadence.stages import DEFAULT_STAGE_MAP, STAGES, StageInfo, StageMap

__all__ = [
    "DEFAULT_STAGE_MAP",
    "STAGES",
    "Cadence",
    "CadenceSet",
    "PlannedTouch",
    "Problem",
    "StageInfo",
    "StageMap",
    "Step",
    "TouchSpec",
    "check_cadences",
    "load_cadences",
    "step_key",
]
