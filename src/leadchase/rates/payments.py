"""The standard amortisation payment: what a fixed-rate loan costs each month.

The one place the formula is written. A rate-drop alert estimates the saving on the original
loan amount over the full term, at the note rate and at today's rate: a refinance quote starts
from the balance left, so it is an estimate, and the messages say so.
"""

from __future__ import annotations

MONTHS_PER_YEAR = 12


def monthly_payment(principal: float, annual_rate: float, years: int) -> float:
    """Principal and interest per month for `principal` at `annual_rate` percent over `years`:
    P * r / (1 - (1 + r) ** -n), with r the monthly rate and n the number of payments."""
    payments = years * MONTHS_PER_YEAR
    if payments <= 0:
        raise ValueError(f"a loan term of {years} years has no payments")
    monthly_rate = annual_rate / 100 / MONTHS_PER_YEAR
    if monthly_rate == 0:
        return principal / payments
    return principal * monthly_rate / (1 - (1 + monthly_rate) ** -payments)


def monthly_saving(principal: float, years: int, note_rate: float, today_rate: float) -> int:
    """Whole dollars a month less at today's rate than at the note rate (0 when not less)."""
    saving = monthly_payment(principal, note_rate, years) - monthly_payment(
        principal, today_rate, years
    )
    return max(0, round(saving))
