"""The one amortisation formula, against payments any mortgage table gives, and how market
rates are read from the command line."""

from __future__ import annotations

from datetime import date

import pytest

from leadchase.rates.market import (
    RateError,
    check_day,
    parse_assignments,
    product_for_term,
)
from leadchase.rates.payments import monthly_payment, monthly_saving


@pytest.mark.parametrize(
    ("principal", "rate", "years", "payment"),
    [
        (200_000, 6.0, 30, 1199.10),
        (100_000, 5.0, 15, 790.79),
        (300_000, 7.0, 30, 1995.91),
        (300_000, 7.25, 30, 2046.53),
        (300_000, 6.125, 30, 1822.83),
        (120_000, 0.0, 10, 1000.00),  # no interest: the principal spread over the months
    ],
)
def test_monthly_payment_matches_known_values(
    principal: float, rate: float, years: int, payment: float
) -> None:
    assert monthly_payment(principal, rate, years) == pytest.approx(payment, abs=0.005)


def test_monthly_saving_is_the_difference_in_whole_dollars() -> None:
    assert monthly_saving(300_000, 30, 7.25, 6.125) == 224  # 2046.53 - 1822.83
    assert monthly_saving(250_000, 15, 6.5, 5.5) == 135
    assert monthly_saving(250_000, 30, 5.5, 6.5) == 0  # a higher rate saves nothing


def test_a_term_without_payments_is_refused() -> None:
    with pytest.raises(ValueError, match="no payments"):
        monthly_payment(100_000, 6.0, 0)


def test_rates_are_read_as_typed() -> None:
    assert parse_assignments(["30yr=6.125", "15YR=5.5%", "20-year=6"]) == {
        "30yr": 6.125,
        "15yr": 5.5,
        "20yr": 6.0,
    }
    assert product_for_term(30) == "30yr" and product_for_term(25) is None


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        (["7yr=5"], "unknown product '7yr'; set one of 30yr, 20yr, 15yr, 10yr"),
        (["30yr=abc"], "'abc' is not a number"),
        (["30yr=65"], "65% is not a mortgage rate; write a percent from 1 to 20"),
        (["30yr=0.065"], "0.065% is not a mortgage rate"),
        (["30yr"], "'30yr' is not product=rate"),
        (["30yr=6", "30=6.5"], "30yr is given twice"),
        ([], "no rates given"),
    ],
)
def test_bad_rates_say_what_and_how_to_fix(pairs: list[str], message: str) -> None:
    with pytest.raises(RateError, match=message):
        parse_assignments(pairs)


def test_a_rate_for_a_day_to_come_is_refused() -> None:
    today = date(2026, 3, 2)
    assert check_day(date(2026, 3, 1), today) == date(2026, 3, 1)
    with pytest.raises(RateError, match="after today"):
        check_day(date(2026, 3, 3), today)
