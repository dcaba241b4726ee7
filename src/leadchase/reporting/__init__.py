"""Reporting: is the follow-up working? Speed to lead, attempts, replies, conversion by source.

model.py is the result and its JSON schema, compute.py the pure figures, service.py the reads.
Every figure is defined in docs/reporting.md.
"""

from leadchase.reporting.model import Stats
from leadchase.reporting.service import DEFAULT_SINCE, build_stats, parse_since

__all__ = ["DEFAULT_SINCE", "Stats", "build_stats", "parse_since"]
