"""The arithmetic behind every stats figure: median, percentile, share, counts with their base.

Pure and small so docs/reporting.md can state each definition exactly and tests can check it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

RATE_DIGITS = 4  # shares are fractions rounded to 4 places: 0.3333 is one in three


def share(part: int, whole: int) -> float | None:
    """part / whole rounded to RATE_DIGITS, or None when there is nothing to divide by."""
    return round(part / whole, RATE_DIGITS) if whole else None


def median(values: Sequence[float]) -> float | None:
    """The middle value of the sorted values, the mean of the two middle ones for an even count."""
    return percentile(values, 0.5)


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default, Excel's PERCENTILE.INC).

    For sorted values v[0..n-1] the position is (n - 1) * fraction; between two ranks the value
    moves in a straight line. None when there are no values.
    """
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    value = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
    return round(value, 3)


@dataclass(frozen=True)
class Tally:
    """How many of `total` did something (replied, opted out...), so a rate keeps its base."""

    total: int = 0
    hits: int = 0

    @property
    def rate(self) -> float | None:
        return share(self.hits, self.total)

    def add(self, total: int = 0, hits: int = 0) -> Tally:
        return Tally(self.total + total, self.hits + hits)
