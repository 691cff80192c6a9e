"""Pure rules of bank credit lines (domain spec 3C): ratings, the authority matrix, the B-6 formula,
limits and net exposure. No ORM and no clock: time and parameters are passed in."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from kehu.core.money import round_money

ZERO = Decimal("0.00")

# The bank's customer rating scale, best first (ABC-style letter ratings).
RATINGS = ["AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C"]

PRODUCTS = ["loan", "trade_finance", "discount", "acceptance", "letter_of_credit", "letter_of_guarantee", "other"]
# Glossary 0.3: loans, trade finance and discounting are on the balance sheet; acceptances, L/Cs and
# guarantees (and commitments) are off it. "other" is treated as on-balance-sheet.
OFF_BALANCE_PRODUCTS = {"acceptance", "letter_of_credit", "letter_of_guarantee"}

LINE_STATUSES = ["in_approval", "active", "frozen", "expired", "renewal_pending", "rejected", "closed", "exited"]
# status -> statuses it may move to (one service per arrow)
LINE_TRANSITIONS: dict[str, set[str]] = {
    "in_approval": {"active", "rejected"},
    "active": {"frozen", "expired", "renewal_pending", "closed", "exited"},
    "frozen": {"active", "expired", "renewal_pending", "closed", "exited"},
    "expired": {"renewal_pending", "closed", "exited"},
    "renewal_pending": {"expired", "closed", "exited"},
    "rejected": set(),
    "closed": set(),
    "exited": set(),
}
# Statuses whose counters still carry outstanding or reserved amounts
LIVE_STATUSES = {"active", "frozen", "expired", "renewal_pending"}

USE_STATUSES = ["reserved", "posted", "settled"]
CLASSIFICATIONS = ["normal", "special_mention", "substandard", "doubtful", "loss"]
NON_PERFORMING = {"substandard", "doubtful", "loss"}


def add_months(start: date, months: int) -> date:
    """The last day of a validity of ``months`` months starting on ``start`` (12 months from 2026-03-01
    end on 2027-02-28)."""

    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    end_day = min(start.day, calendar.monthrange(year, month)[1])

    return date(year, month, end_day) - timedelta(days=1)


def can_transition(old: str, new: str) -> bool:
    return new in LINE_TRANSITIONS.get(old, set())


def rating_rank(rating: str) -> int:
    """0 for the best rating; ratings not on the scale rank below the worst."""
    try:
        return RATINGS.index(rating)
    except ValueError:
        return len(RATINGS)


def rating_at_least(rating: str | None, minimum: str) -> bool:
    """B-2: only customers rated at or above ``minimum`` (default A) may get a comprehensive line."""
    if not rating:
        return False
    return rating_rank(rating) <= rating_rank(minimum)


def is_off_balance(product: str) -> bool:
    return product in OFF_BALANCE_PRODUCTS


def temp_in_force(temp_amount: Decimal, temp_valid_to: date | None, today: date) -> bool:
    return temp_amount > 0 and temp_valid_to is not None and today <= temp_valid_to


def effective_limit(line_amount: Decimal, temp_amount: Decimal, temp_valid_to: date | None, today: date) -> Decimal:
    """The amount a new reservation may use up to: the line, plus the temporary line while it is in force."""
    return line_amount + (temp_amount if temp_in_force(temp_amount, temp_valid_to, today) else ZERO)


def available(limit: Decimal, outstanding: Decimal, reserved: Decimal) -> Decimal:
    return max(ZERO, limit - outstanding - reserved)


def temp_after_expiry(line_amount: Decimal, temp_amount: Decimal, used: Decimal) -> Decimal:
    """When a temporary line lapses it shrinks to the part still in use, so used <= line + temp holds and
    runs down as the use is repaid; it never grows."""
    return min(temp_amount, max(ZERO, used - line_amount))


def net_exposure(outstanding: Decimal, margin: Decimal, low_risk_collateral: Decimal) -> Decimal:
    """B-9: exposure (敞口) = max(0, outstanding − margin − eligible low-risk collateral after haircut)."""
    return max(ZERO, outstanding - margin - low_risk_collateral)


def convert(amount: Decimal, fx_rate: Decimal) -> Decimal:
    """An amount in another currency expressed in the line's currency, rounded half up to the cent."""
    return round_money(amount * fx_rate)


# ------------------------------------------------------------------ the authority matrix (B-7)


@dataclass(frozen=True)
class AuthorityRow:
    level: int  # org-unit depth: 0 head office, 1 branch, 2 sub-branch
    product: str  # "" for the comprehensive line as a whole
    min_rating: str  # "" for any rating
    collateral: str  # "" for any collateral
    max_amount: Decimal | None  # None: no upper bound
    min_mortgage_share_pct: Decimal = ZERO


def parse_matrix(rows: list[dict[str, Any]]) -> list[AuthorityRow]:
    out = []
    for r in rows:
        max_amount = r.get("max_amount")
        out.append(AuthorityRow(
            level=int(r["level"]), product=r.get("product", "") or "", min_rating=r.get("min_rating", "") or "",
            collateral=r.get("collateral", "") or "",
            max_amount=None if max_amount in (None, "") else Decimal(str(max_amount)),
            min_mortgage_share_pct=Decimal(str(r.get("min_mortgage_share_pct", 0) or 0)),
        ))
    return out


def _row_allows(row: AuthorityRow, *, amount: Decimal, rating: str, collateral: str,
                mortgage_share_pct: Decimal) -> bool:
    if row.min_rating and not rating_at_least(rating, row.min_rating):
        return False
    if row.collateral and row.collateral != collateral:
        return False
    if mortgage_share_pct < row.min_mortgage_share_pct:
        return False
    return row.max_amount is None or amount <= row.max_amount


def level_has_authority(matrix: list[AuthorityRow], level: int, *, line_amount: Decimal, rating: str,
                        collateral: str, mortgage_share_pct: Decimal, sub_limits: dict[str, Decimal]) -> bool:
    """A level may approve when one of its whole-line rows allows the amount and, for every product that
    has rows at that level, one of them allows the sub-limit."""
    rows = [r for r in matrix if r.level == level]
    def allows(row: AuthorityRow, amount: Decimal) -> bool:
        return _row_allows(row, amount=amount, rating=rating, collateral=collateral,
                           mortgage_share_pct=mortgage_share_pct)

    if not any(allows(r, line_amount) for r in rows if r.product == ""):
        return False
    for product, amount in sub_limits.items():
        product_rows = [r for r in rows if r.product == product]
        if product_rows and not any(allows(r, amount) for r in product_rows):
            return False
    return True


def required_level(matrix: list[AuthorityRow], *, line_amount: Decimal, rating: str, collateral: str = "",
                   mortgage_share_pct: Decimal = ZERO, sub_limits: dict[str, Decimal] | None = None) -> int | None:
    """The lowest level (deepest org depth) with authority for the request, or None when no level has it."""
    sub_limits = sub_limits or {}
    for level in sorted({r.level for r in matrix}, reverse=True):
        if level_has_authority(matrix, level, line_amount=line_amount, rating=rating, collateral=collateral,
                               mortgage_share_pct=mortgage_share_pct, sub_limits=sub_limits):
            return level
    return None


# ------------------------------------------------------------------ the formula method (B-6)


@dataclass(frozen=True)
class FormulaInputs:
    equity: Decimal
    intangibles: Decimal = ZERO
    related_party_receivables: Decimal = ZERO
    long_outstanding_receivables: Decimal = ZERO
    industry_debt_ratio: Decimal = Decimal("0.7")
    other_bank_lines: Decimal = ZERO
    annual_revenue: Decimal | None = None
    is_sme: bool = False


def formula_proposal(inputs: FormulaInputs, *, rating: str, requested: Decimal, k_rating: dict[str, float | str],
                     target_share: Decimal, concentration_cap: Decimal | None = None) -> dict[str, Any]:
    """B-6: MCL_theory = EffNetAssets × D*/(1−D*) × K_rating × TargetShare; then
    MCL = min(MCL_theory − other banks' lines, concentration cap, requested, SME revenue cap), floor 0.
    Returns every intermediate figure so the page can show the working beside the request."""
    eff = inputs.equity - inputs.intangibles - inputs.related_party_receivables - inputs.long_outstanding_receivables
    eff = max(ZERO, eff)
    d = inputs.industry_debt_ratio
    leverage = d / (Decimal(1) - d) if Decimal(0) <= d < Decimal(1) else ZERO
    k = Decimal(str(k_rating.get(rating, 0)))
    theory = round_money(eff * leverage * k * target_share)
    candidates = {"theory_less_other_banks": theory - inputs.other_bank_lines, "requested": requested}
    if concentration_cap is not None:
        candidates["concentration_cap"] = concentration_cap
    if inputs.is_sme and inputs.annual_revenue is not None:
        candidates["sme_revenue_cap"] = inputs.annual_revenue
    binding = min(candidates, key=lambda key: candidates[key])
    proposed = round_money(max(ZERO, candidates[binding]))
    return {
        "effective_net_assets": str(round_money(eff)),
        "target_leverage": str(leverage.quantize(Decimal("0.0001"))),
        "k_rating": str(k),
        "target_share": str(target_share),
        "mcl_theory": str(theory),
        "candidates": {key: str(round_money(value)) for key, value in candidates.items()},
        "binding": binding,
        "proposed_amount": str(proposed),
    }


# ------------------------------------------------------------------ the guard


@dataclass(frozen=True)
class Counter:
    """One limit the guard checks: a line, a sub-limit or a group line."""

    kind: str  # "line", "sub_limit", "group_line"
    limit: Decimal
    outstanding: Decimal
    reserved: Decimal


def refusal(counters: list[Counter], amount: Decimal) -> tuple[str, Counter] | None:
    """The first limit that ``amount`` does not fit in, or None when it fits in all of them."""
    for counter in counters:
        if counter.outstanding + counter.reserved + amount > counter.limit:
            return ("exceeds_" + counter.kind, counter)
    return None
