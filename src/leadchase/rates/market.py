"""Market rates as the officer types them: `30yr=6.125 15yr=5.5`, and which one a lead's loan
is compared with (its term: a 30-year loan with the 30yr rate).

A rate is a percent; anything outside 1 to 20 is a typo (65 for 6.5, 0.065 for 6.5), not a
mortgage rate, and stops the command before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from leadchase.cadence.model import RATE_DROP
from leadchase.errors import LeadchaseError
from leadchase.messaging.context import RateDetails
from leadchase.store.records import RateAlert, Touch

# The fixed-rate products a rate can be set for, longest first (how `rates` lists them).
PRODUCTS = ("30yr", "20yr", "15yr", "10yr")
LOWEST_RATE = 1.0
HIGHEST_RATE = 20.0

_PRODUCT = re.compile(r"(\d{1,2})\s*-?\s*(?:yrs?|years?|y)?", re.IGNORECASE)
_RATE = re.compile(r"(\d{1,3}(?:\.\d+)?|\.\d+)\s*%?")


class RateError(LeadchaseError):
    """A market rate that cannot be recorded as written."""


def product_for_term(years: int) -> str | None:
    """The product a loan of this term is compared with: 30 -> "30yr"; None if none is kept."""
    product = f"{years}yr"
    return product if product in PRODUCTS else None


def term_of(product: str) -> int:
    return int(product.removesuffix("yr"))


def product_name(product: str) -> str:
    """ "30yr" as a sentence says it: "30-year"."""
    return f"{term_of(product)}-year"


def parse_product(text: str) -> str:
    """ "30yr", "30YR", "30-year", "30" -> "30yr"; anything else is an unknown product."""
    match = _PRODUCT.fullmatch(text.strip())
    product = f"{int(match[1])}yr" if match else ""
    if product not in PRODUCTS:
        raise RateError(
            f"unknown product {text.strip()!r}; set one of {', '.join(PRODUCTS)}, "
            "e.g. leadchase rates set 30yr=6.125"
        )
    return product


def parse_rate(product: str, text: str) -> float:
    """ "6.125" or "6.125%" -> 6.125, between LOWEST_RATE and HIGHEST_RATE percent."""
    match = _RATE.fullmatch(text.strip())
    if match is None:
        raise RateError(
            f"{product}={text.strip()!r}: {text.strip()!r} is not a number; "
            f"write the rate as a percent, e.g. {product}=6.125"
        )
    rate = float(match[1])
    if not LOWEST_RATE <= rate <= HIGHEST_RATE:
        raise RateError(
            f"{product}={text.strip()}: {rate:g}% is not a mortgage rate; write a percent "
            f"from {LOWEST_RATE:g} to {HIGHEST_RATE:g}, e.g. {product}=6.125"
        )
    return round(rate, 4)


def parse_assignments(pairs: list[str]) -> dict[str, float]:
    """ "30yr=6.125" pairs -> {product: rate}; a product given twice is a mistake."""
    if not pairs:
        raise RateError("no rates given; write e.g. leadchase rates set 30yr=6.125 15yr=5.5")
    rates: dict[str, float] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals:
            raise RateError(f"{pair!r} is not product=rate; write e.g. 30yr=6.125")
        product = parse_product(name)
        if product in rates:
            raise RateError(f"{product} is given twice; give each product once")
        rates[product] = parse_rate(product, value)
    return rates


def check_day(day: date, today: date) -> date:
    """A rate is for a day that has come: one for tomorrow is not today's market."""
    if day > today:
        raise RateError(
            f"--on {day.isoformat()} is after today ({today.isoformat()}); record a rate on "
            "the day it is quoted"
        )
    return day


def rate_details_of(
    touch: Touch, alert_for: Callable[[int], RateAlert | None]
) -> RateDetails | None:
    """A rate-drop touch's numbers for its message, as its alert recorded them (`alert_for`
    finds the alert of a touch id); None for any other touch. No SQLAlchemy here: the agenda
    reads the alert through store/fast.py's reader."""
    if touch.cadence != RATE_DROP:
        return None
    alert = alert_for(touch.id)
    if alert is None:
        return None
    return RateDetails(
        product=product_name(alert.product),
        today=f"{alert.market_rate:g}%",
        monthly_saving=alert.monthly_saving,
    )
