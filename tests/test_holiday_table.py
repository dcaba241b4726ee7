"""data/us_holidays.csv is the holidays package's calendar, for every subdivision and year it holds."""

from __future__ import annotations

import holidays
from scripts.holiday_table import FIRST_YEAR, LAST_YEAR, SUBDIVISIONS

from leadchase.compliance.windows import _holiday_calendar, _holiday_table


def test_the_table_is_the_packages_calendar_for_every_covered_year() -> None:
    table = _holiday_table()
    for subdiv in SUBDIVISIONS:
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            package = holidays.country_holidays("US", subdiv=subdiv or None, years=year)
            assert table[subdiv, year] == dict(package.items()), (subdiv, year)


def test_years_outside_the_table_come_from_the_package() -> None:
    year = LAST_YEAR + 1
    assert ("", year) not in _holiday_table()
    assert _holiday_calendar(None, year) == dict(
        holidays.country_holidays("US", years=year).items()
    )
