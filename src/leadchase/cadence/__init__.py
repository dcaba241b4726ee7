"""Cadences: the YAML playbooks that say which touches a lead gets on which day.

model.py holds the data (pure, no YAML); load.py reads and validates a folder of cadence files.
PyYAML is imported only when a folder is actually read.
"""

from leadchase.cadence.load import check_cadences, load_cadences
from leadchase.cadence.model import (
    DEFAULT_STAGE_MAP,
    STAGES,
    Cadence,
    CadenceSet,
    PlannedTouch,
    Problem,
    Stage,
    StageMap,
    Step,
    TouchSpec,
    step_key,
)

__all__ = [
    "DEFAULT_STAGE_MAP",
    "STAGES",
    "Cadence",
    "CadenceSet",
    "PlannedTouch",
    "Problem",
    "Stage",
    "StageMap",
    "Step",
    "TouchSpec",
    "check_cadences",
    "load_cadences",
    "step_key",
]
