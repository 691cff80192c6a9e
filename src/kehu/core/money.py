"""Money: one rounding rule for everything shown or reported (ROUND_HALF_UP, 2 places; style guide "Money")."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def round_money(amount: Decimal) -> Decimal:
    """Return the amount rounded to the cent, half up: the one rounding function for money shown or reported."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
