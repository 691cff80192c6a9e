"""Pure rules of the trade facts (domain spec 3A facts): no ORM, no clock."""

from __future__ import annotations

from decimal import Decimal

from kehu.core.money import round_money

# Amounts are added up for grading and the credit check, so the facts are in one currency.
CURRENCIES = ("CNY",)
# Quantities are stored as NUMERIC(20, 4): anything at or above 10^15 would not fit after rounding.
MAX_QUANTITY = Decimal("1e15")


def shipped_value(amount: Decimal, due: Decimal, delivered: Decimal | None) -> Decimal:
    """The value one delivery has shipped: its amount pro rata to the quantity delivered (the row-level twin
    of ``selectors.shipped_value``, which computes the same in SQL)."""
    if not delivered:
        return Decimal("0.00")
    return round_money(amount * delivered / due) if due > 0 else amount


def delivery_problem(due: Decimal, delivered_on: object | None, delivered: Decimal | None) -> str | None:
    """What is wrong with a delivery's quantities, as an error code, or None."""
    if delivered is not None and delivered > due:
        return "over_delivery"
    if delivered_on is None and delivered:
        return "delivered_on_missing"
    if delivered_on is not None and not delivered:
        return "quantity_delivered_missing"
    return None
