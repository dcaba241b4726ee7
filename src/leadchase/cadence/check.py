"""`leadchase cadence check`: every cadence file, the stage map and the templates cadences use.

The loader reports what is wrong in the YAML; the template lint what is wrong in the templates
the cadences send, so one command says whether the follow-up will run as written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from leadchase.cadence.model import Cadence, Problem
from leadchase.cadence.service import FollowUp
from leadchase.config import Settings
from leadchase.messaging import Finding, TemplateLibrary, lint_repeats, lint_used


@dataclass(frozen=True)
class CadenceCheck:
    cadences: tuple[str, ...]  # the ones that loaded, by name
    problems: tuple[Problem, ...]
    templates_used: int
    findings: tuple[Finding, ...]

    @property
    def template_errors(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == "error")

    @property
    def template_warnings(self) -> int:
        return len(self.findings) - self.template_errors

    @property
    def valid(self) -> bool:
        return not self.problems and not self.template_errors


def check_workspace_cadences(settings: Settings) -> CadenceCheck:
    followup = FollowUp.load(settings)
    cadences = followup.cadences.cadences
    used = {
        touch.template
        for cadence in cadences.values()
        for touch in cadence.touches()
        if touch.template
    }
    library = TemplateLibrary(settings.workspace.templates_dir)
    findings = lint_used(library, used) + lint_repeats(library, template_uses(cadences))
    return CadenceCheck(
        tuple(sorted(cadences)), followup.cadences.problems, len(used), tuple(findings)
    )


def template_uses(cadences: Mapping[str, Cadence]) -> dict[str, dict[str, int]]:
    """How many times each cadence sends each template to one lead within two years (the span
    in which no wording repeats; Cadence.touches_in_two_years)."""
    return {
        name: dict(
            Counter(touch.template for touch in cadence.touches_in_two_years() if touch.template)
        )
        for name, cadence in cadences.items()
    }
