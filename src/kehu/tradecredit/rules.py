"""Pure trade-credit rules (domain spec 3B): no ORM, no clock; parameters passed in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from kehu.core.money import round_money

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# L-5 release authorities, lowest first (kehu.core.models.Role values).
AUTHORITIES = ("sales_manager", "finance_manager", "general_manager")

# Order statuses and the allowed transitions (style guide: the table next to the model's choices).
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    "accepted": frozenset({"shipped", "cancelled"}),
    "credit_hold": frozenset({"accepted", "rejected", "cancelled"}),
    "shipped": frozenset({"invoiced"}),
    "invoiced": frozenset(),
    "rejected": frozenset(),
    "cancelled": frozenset(),
}


def transition_allowed(current: str, target: str) -> bool:
    return target in ORDER_TRANSITIONS.get(current, frozenset())


def credit_limit(
    *,
    avg_monthly_sales: Decimal,
    grade: str,
    coef_by_grade: Mapping[str, Decimal],
    term_by_grade: Mapping[str, int],
    seasonal_factor: Decimal = Decimal(1),
) -> Decimal:
    """L-2/L-4: limit = average monthly sales × (term days / 30) × coefficient of the grade (× L-3 seasonal)."""
    coef = Decimal(str(coef_by_grade.get(grade, 0)))
    term = int(term_by_grade.get(grade, 0))
    if avg_monthly_sales <= 0 or coef <= 0 or term <= 0 or seasonal_factor <= 0:
        return ZERO
    return round_money(avg_monthly_sales * Decimal(term) / Decimal(30) * coef * seasonal_factor)


def limit_factor(*, term_days: int, coef: Decimal, seasonal_factor: Decimal) -> Fraction:
    """term/30 × coefficient × seasonal factor as an exact fraction (what one month of average sales is worth)."""
    if term_days <= 0 or coef <= 0 or seasonal_factor <= 0:
        return Fraction(0)
    return Fraction(term_days, 30) * Fraction(coef) * Fraction(seasonal_factor)


def round_half_up_cents(numerator: int, denominator: int) -> int:
    """round(numerator / denominator) half up, for non-negative integers (what the SQL computes)."""
    return (2 * numerator + denominator) // (2 * denominator)


def credit_limit_from_sales(
    *,
    sales_total: Decimal,
    months_with_sales: int,
    grade: str,
    coef_by_grade: Mapping[str, Decimal],
    term_by_grade: Mapping[str, int],
    seasonal_factor: Decimal = Decimal(1),
) -> Decimal:
    """L-2 from the raw figures: (sales total / months with sales) × term/30 × coefficient × seasonal factor,
    rounded once (half up) to the cent. The recalculation's SQL computes exactly this; rounding the average
    first could move the limit by a cent at a half-cent edge."""
    if months_with_sales <= 0 or sales_total <= 0:
        return ZERO
    factor = limit_factor(term_days=int(term_by_grade.get(grade, 0)),
                          coef=Decimal(str(coef_by_grade.get(grade, 0))), seasonal_factor=seasonal_factor)
    if factor == 0:
        return ZERO
    cents = int((sales_total * 100).to_integral_value(rounding=ROUND_HALF_UP))
    value = round_half_up_cents(cents * factor.numerator, months_with_sales * factor.denominator)
    return (Decimal(value) / 100).quantize(CENT)


def average_monthly_sales(sales_total: Decimal, months_with_sales: int) -> Decimal:
    if months_with_sales <= 0:
        return ZERO
    return round_money(sales_total / months_with_sales)


def recalc_outcome(
    *, current_amount: Decimal, current_term: int, new_amount: Decimal, new_term: int
) -> tuple[tuple[Decimal, int], tuple[Decimal, int] | None]:
    """L-6: what a recalculation applies now and what it proposes for approval.

    A decrease takes effect at once, an increase waits for approval; amount and term are judged apart, so
    the limit in force right after a recalculation is the smaller of the old and the new in each, and the
    new pair is proposed only where it is larger in either."""
    applied = (min(current_amount, new_amount), min(current_term, new_term))
    proposal = None if (new_amount, new_term) == applied else (new_amount, new_term)
    return applied, proposal


def order_fits(
    *, limit: Decimal, open_receivables: Decimal, shipped_not_invoiced: Decimal, order: Decimal,
    open_orders: Decimal = ZERO,
) -> bool:
    """L-5: open receivables + shipped but unbilled + accepted orders not yet shipped + this order ≤ limit."""
    return open_receivables + shipped_not_invoiced + open_orders + order <= limit


def excess_ratio(*, limit: Decimal, exposure: Decimal) -> Decimal | None:
    """How far the exposure goes over the limit, as a fraction of the limit (None: no limit)."""
    if limit <= 0:
        return None
    return max(Decimal(0), (exposure - limit) / limit)


def release_authority(
    *, limit: Decimal, exposure: Decimal, overdue: bool, bands: Sequence[Sequence[str]], overdue_authority: str
) -> str:
    """L-5: the lowest authority that may release an order, by its excess over the limit (≤10 per cent sales
    manager, ≤30 per cent finance manager, above: general manager) and the overdue authority if an invoice
    is overdue beyond grace. An exposure within the limit needs only the lowest authority."""
    needed = AUTHORITIES[0]
    ratio = excess_ratio(limit=limit, exposure=exposure)
    if exposure > limit:
        needed = AUTHORITIES[-1]
        if ratio is not None:
            for role, upper in bands:
                if ratio <= Decimal(str(upper)):
                    needed = role
                    break
    if overdue:
        needed = higher_authority(needed, overdue_authority)
    return needed


def higher_authority(a: str, b: str) -> str:
    return a if authority_rank(a) >= authority_rank(b) else b


def authority_rank(role: str) -> int:
    """0 for a role that releases nothing, then 1, 2, 3 from sales manager to general manager."""
    return AUTHORITIES.index(role) + 1 if role in AUTHORITIES else 0


def may_release(held_roles: Sequence[str], required: str) -> bool:
    return max((authority_rank(r) for r in held_roles), default=0) >= authority_rank(required)
