"""Pure scoring of the staff scorecard (domain spec P-3, P-5). No ORM, no clock; Decimal, half-up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIMENSIONS = ("attitude", "process", "quality", "infosec")
_CENT = Decimal("0.01")


def q2(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent (0-100), None when there is nothing to measure."""
    if not whole:
        return None
    return q2(Decimal(100) * part / whole)


def weighted(scores: dict[str, Decimal | None], weights: dict[str, int | float]) -> Decimal | None:
    """Weighted mean of the scores that exist; the weights of missing ones are left out (renormalised)."""
    present = {k: v for k, v in scores.items() if v is not None and Decimal(str(weights.get(k, 0))) > 0}
    total_weight = sum(Decimal(str(weights[k])) for k in present)
    if not present or not total_weight:
        return None
    return q2(sum(Decimal(str(weights[k])) * v for k, v in present.items()) / total_weight)


def infosec_score(*, violations: int, training_done: bool, violation_penalty: int, no_training_penalty: int) -> Decimal:
    """100 with no violation and the training done; each violation and a missed training take points off."""
    score = 100 - violations * violation_penalty - (0 if training_done else no_training_penalty)
    return q2(max(0, score))


def band(total: Decimal | None, *, improve_below: int, commend_from: int) -> str:
    if total is None:
        return ""
    if total < improve_below:
        return "improve"
    if total >= commend_from:
        return "commend"
    return ""
