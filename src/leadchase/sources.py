"""Source families: the vendor form a lead came from, grouped under the source it belongs to.

Vendors put the form name in the source column ("FB Buyer Guide Form v2"), so one source
splits across many names. `[sources.families]` in leadchase.toml maps name patterns to a family
("Facebook"); the lead keeps its form name as the detail, and `stats` groups by family with a
drill-down to the forms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase


def family_of(source: str, families: Mapping[str, Sequence[str]]) -> str:
    """The family `source` belongs to: the first whose name or pattern (shell-style, any case:
    "FB *", "*facebook*") matches it; the source itself when none does."""
    folded = source.strip().casefold()
    for family, patterns in families.items():
        if folded == family.strip().casefold():
            return family
        if any(fnmatchcase(folded, pattern.strip().casefold()) for pattern in patterns):
            return family
    return source


def named_family(name: str, families: Mapping[str, Sequence[str]]) -> str | None:
    """The family called `name` (any case), or None when it names no family."""
    folded = name.strip().casefold()
    return next((family for family in families if family.strip().casefold() == folded), None)
