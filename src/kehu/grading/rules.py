"""Pure grading rules (domain spec 3A): no ORM, no clock; every number is passed in.

The defaults of the callers come from parameters (G-6, G-7, G-8 are PROPOSED in the spec);
these functions only apply them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

GRADES: tuple[str, ...] = ("A", "B", "C", "D", "E")


def indicator_score(raw: Decimal, weight: Decimal) -> Decimal:
    """G-4: an indicator never scores more than its weight, nor below zero."""
    return max(Decimal(0), min(raw, weight))


def grade_for_score(score: Decimal, bands: Sequence[tuple[str, Decimal]]) -> str:
    """G-7: the first band (ordered best first) whose lower bound the score reaches.

    ``bands`` is e.g. (("A", 90), ("B", 80), ("C", 70), ("D", 60)); below the last bound is E.
    """
    for grade, lower in bands:
        if score >= lower:
            return grade
    return GRADES[-1]


def cap_grade(grade: str, cap: str | None) -> str:
    """G-8: a knock-out cap makes the grade no better than ``cap``."""
    if cap is None:
        return grade
    return GRADES[max(GRADES.index(grade), GRADES.index(cap))]


def grade_steps(a: str, b: str) -> int:
    """How many grade steps lie between two grades."""
    return abs(GRADES.index(a) - GRADES.index(b))


def override_allowed(computed: str, proposed: str, *, max_steps: int = 1) -> bool:
    """An override moves the computed grade by at most ``max_steps`` and must change it."""
    return 0 < grade_steps(computed, proposed) <= max_steps


def exit_due(history: Sequence[str], *, consecutive: int = 2) -> bool:
    """G-9: E in the last ``consecutive`` months (history oldest first) opens an exit review."""
    return len(history) >= consecutive and all(g == "E" for g in history[-consecutive:])


def total_score(scores: Mapping[str, Decimal]) -> Decimal:
    return sum(scores.values(), Decimal(0))
