"""Write src/leadchase/data/us_holidays.csv from the holidays package.

Run it when the covered years need to move on (tests/test_holiday_table.py checks the table
against the package for every covered year). The table saves the policy check from loading
the package's hundreds of country modules on every `today` and `send`; years outside it still
come from the package.

    .venv/bin/python scripts/holiday_table.py
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import holidays

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "src" / "leadchase" / "data" / "us_holidays.csv"
FIRST_YEAR, LAST_YEAR = 2024, 2036
# The federal calendar ("") and the states whose law bans solicitation on their holidays
# (data/contact_rules.yaml: holidays: closed).
SUBDIVISIONS = ("", "AL", "LA", "PA", "RI", "UT")


def rows() -> list[tuple[str, str, str]]:
    found = []
    for subdiv in SUBDIVISIONS:
        years = range(FIRST_YEAR, LAST_YEAR + 1)
        calendar = holidays.country_holidays("US", subdiv=subdiv or None, years=years)
        found += [(subdiv, day.isoformat(), name) for day, name in sorted(calendar.items())]
    return found


def main() -> int:
    with TABLE.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("subdiv", "date", "name"))
        writer.writerows(rows())
    print(f"wrote {TABLE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
