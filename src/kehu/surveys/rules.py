"""Pure rules of the surveys: template checks, scoring, CSAT and quarters. No ORM, no clock."""

from __future__ import annotations

from datetime import date
from typing import Any


def template_problems(questions: object) -> list[str]:
    """What is wrong with a template's question list (empty when it may be published)."""
    if not isinstance(questions, list) or not questions:
        return ["no_questions"]
    problems: list[str] = []
    keys: set[object] = set()
    for q in questions:
        if not isinstance(q, dict) or not str(q.get("key") or "").strip() or not str(q.get("text") or "").strip():
            problems.append("question_needs_key_and_text")
            continue
        if q.get("type") not in ("scale", "text"):
            problems.append(f"bad_type:{q.get('key')}")
        if q["key"] in keys:
            problems.append(f"duplicate_key:{q['key']}")
        keys.add(q["key"])
    if not any(isinstance(q, dict) and q.get("key") == "overall" and q.get("type") == "scale" for q in questions):
        problems.append("overall_scale_question_missing")
    return problems


def parse_answers(questions: list[dict[str, Any]], raw: dict[str, Any], *, scale_max: int
                  ) -> tuple[dict[str, int | str], list[str]]:
    """Clean answers for the template's questions and the keys that are missing or out of range. Every
    scale question needs a score 1..scale_max; text questions are optional (at most 2,000 characters)."""
    answers: dict[str, int | str] = {}
    bad: list[str] = []
    for q in questions:
        value = raw.get(q["key"])
        if q["type"] == "scale":
            try:
                score = int(str(value).strip())
            except (TypeError, ValueError):
                bad.append(q["key"])
                continue
            if not 1 <= score <= scale_max:
                bad.append(q["key"])
                continue
            answers[q["key"]] = score
        else:
            answers[q["key"]] = str(value or "").strip()[:2000]
    return answers, bad


def lowest_score(questions: list[dict[str, Any]], answers: dict[str, Any]) -> int:
    return min(int(answers[q["key"]]) for q in questions if q["type"] == "scale")


def csat(overall_scores: list[int], *, satisfied_from: int) -> float | None:
    """Share of answers scoring ``satisfied_from`` or more (CSAT), in percent; None without answers."""
    if not overall_scores:
        return None
    return round(100.0 * sum(1 for s in overall_scores if s >= satisfied_from) / len(overall_scores), 1)


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"
