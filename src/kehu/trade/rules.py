"""Pure trade-credit rules (domain spec 3B): no ORM, no clock; parameters passed in."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from kehu.core.rules import round_money


def credit_limit(
    *,
    avg_monthly_sales: Decimal,
    grade: str,
    coef_by_grade: Mapping[str, Decimal],
    term_by_grade: Mapping[str, int],
) -> Decimal:
    """L-2/L-4: limit = average monthly sales × (term days / 30) × coefficient of the grade."""
    coef = coef_by_grade.get(grade, Decimal(0))
    term = term_by_grade.get(grade, 0)
    if avg_monthly_sales <= 0 or coef <= 0 or term <= 0:
        return Decimal("0.00")
    return round_money(avg_monthly_sales * Decimal(term) / Decimal(30) * coef)


def order_fits(
    *, limit: Decimal, open_receivables: Decimal, shipped_not_invoiced: Decimal, order: Decimal
) -> bool:
    """L-5: open receivables + shipped but unbilled + this order ≤ limit."""
    return open_receivables + shipped_not_invoiced + order <= limit


def excess_ratio(*, limit: Decimal, exposure: Decimal) -> Decimal | None:
    """How far the exposure goes over the limit, as a fraction of the limit (None: no limit)."""
    if limit <= 0:
        return None
    return max(Decimal(0), (exposure - limit) / limit)
