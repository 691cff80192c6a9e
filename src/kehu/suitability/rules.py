"""Pure suitability rules (domain spec section 9, M-1..M-14). No ORM, no clock: time and parameters are
passed in, so every rule is tested on its own, at its boundaries and under each rule version."""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

CLASSES = ("C1", "C2", "C3", "C4", "C5")
RISKS = ("R1", "R2", "R3", "R4", "R5")


# --------------------------------------------------------------------------- rule versions


def version_in_force(versions: dict[str, dict[str, Any]], on: date) -> tuple[str, dict[str, Any]]:
    """The rule set in force on ``on``: of ``{code: {"effective_from": "YYYY-MM-DD", ...}}`` the one with
    the latest ``effective_from`` not after ``on``. A day before every version is a configuration error."""
    best: tuple[date, str] | None = None
    for code, spec in versions.items():
        start = date.fromisoformat(str(spec["effective_from"]))
        if start <= on and (best is None or start > best[0]):
            best = (start, code)
    if best is None:
        raise ValueError(f"no rule version in force on {on}")
    return best[1], versions[best[1]]


def _d(value: object) -> Decimal:
    return Decimal(str(value))


# --------------------------------------------------------------------------- questionnaire (M-4, M-10)


def score_questionnaire(questions: list[dict[str, Any]], answers: dict[str, str]) -> int:
    """Sum of the scores of the chosen options; every question must be answered with one of its options."""
    total = 0
    for question in questions:
        chosen = answers.get(question["code"])
        scores = {str(o["code"]): int(o["score"]) for o in question["options"]}
        if chosen is None or str(chosen) not in scores:
            raise ValueError(question["code"])
        total += scores[str(chosen)]
    extra = set(answers) - {q["code"] for q in questions}
    if extra:
        raise ValueError(sorted(extra)[0])
    return total


def class_for_score(score: int, bands: dict[str, Any]) -> tuple[str, bool]:
    """(C1..C5, lowest category). ``bands`` gives the highest score of C1..C4; C5 is above C4. The lowest
    category (最低类别) is the bottom of C1: scores up to ``lowest_max``."""
    for cls in CLASSES[:-1]:
        if score <= int(bands[cls]):
            return cls, cls == "C1" and score <= int(bands.get("lowest_max", -1))
    return "C5", False


def assessment_valid_until(assessed_on: date, years: int) -> date:
    """The last day an assessment made on ``assessed_on`` is valid (M-12: 2 years by default)."""
    try:
        end = assessed_on.replace(year=assessed_on.year + years)
    except ValueError:  # 29 February
        end = assessed_on.replace(year=assessed_on.year + years, day=28)
    return end - timedelta(days=1)


def assessment_is_valid(valid_until: date, today: date, *, facts_changed_after_assessment: bool) -> bool:
    """M-12: re-test when the assessment expires or material facts change."""
    return today <= valid_until and not facts_changed_after_assessment


# --------------------------------------------------------------------------- matching (M-10)


@dataclass(frozen=True)
class Match:
    allowed: bool
    needs_warning: bool
    reason_code: str


def match(*, investor_class: str | None, lowest_category: bool, professional: bool, product_risk: str,
          matrix: dict[str, list[str]], above_level_policy: str, assessment_valid: bool) -> Match:
    """Whether an investor may buy a product of ``product_risk`` (M-10).

    A professional investor is matched with every level (2017 measures). An ordinary investor needs a valid
    assessment; within the matrix the sale is allowed; above it, ``above_level_policy`` decides: ``refuse``
    (the default) or ``warn_confirm`` (allowed after a written warning and the investor's confirmation),
    which never applies to the lowest category."""
    if product_risk not in RISKS:
        raise ValueError(product_risk)
    if professional:
        return Match(True, False, "professional")
    if investor_class is None:
        return Match(False, False, "assessment_missing")
    if not assessment_valid:
        return Match(False, False, "assessment_expired")
    if product_risk in matrix.get(investor_class, ()):
        return Match(True, False, "matched")
    if lowest_category:
        return Match(False, False, "lowest_category")
    if above_level_policy == "warn_confirm":
        return Match(True, True, "above_level_warning")
    return Match(False, False, "above_level_refused")


# --------------------------------------------------------------------------- qualified investors (M-7..M-9)


@dataclass(frozen=True)
class InvestorFacts:
    kind: str  # person / entity
    financial_assets: Decimal = Decimal("0")
    household_financial_net_assets: Decimal = Decimal("0")
    average_income: Decimal = Decimal("0")
    net_assets: Decimal = Decimal("0")
    experience_years: int = 0


def qualified(facts: InvestorFacts, rules: dict[str, Any]) -> tuple[bool, str]:
    """The qualified-investor test of one rule version; returns (passed, reason code).

    2012 (集合细则): person/household financial assets >= ¥1 m, institution net assets >= ¥10 m.
    2018 (运作管理规定): >= 2 years' experience plus household financial net assets >= ¥3 m, or household
    financial assets >= ¥5 m, or own 3-year average income >= ¥400k; entity net assets >= ¥10 m.
    Every limit is ``>=``: the exact threshold qualifies."""
    if facts.kind == "entity":
        ok = facts.net_assets >= _d(rules["entity_net_assets_min"])
        return ok, "qualified" if ok else "entity_net_assets_below"
    if facts.experience_years < int(rules.get("person_experience_years_min", 0)):
        return False, "experience_below"
    tests = []
    if rules.get("person_financial_assets_min") is not None:
        tests.append(facts.financial_assets >= _d(rules["person_financial_assets_min"]))
    if rules.get("person_household_net_assets_min") is not None:
        tests.append(facts.household_financial_net_assets >= _d(rules["person_household_net_assets_min"]))
    if rules.get("person_income_min") is not None:
        tests.append(facts.average_income >= _d(rules["person_income_min"]))
    ok = any(tests)
    return ok, "qualified" if ok else "person_wealth_below"


def professional_test(facts: InvestorFacts, thresholds: dict[str, Any], *, conversion: bool) -> tuple[bool, str]:
    """M-11 (2017 measures, natural persons): assets >= ¥5 m or income >= ¥500k, and >= 2 years; a conversion
    request of an ordinary investor: assets >= ¥3 m or income >= ¥300k, and >= 1 year."""
    if facts.kind == "entity":
        # The spec gives the 2017 thresholds for natural persons only; an entity is classified by hand.
        return False, "entity_not_covered"
    prefix = "conversion_" if conversion else ""
    if facts.experience_years < int(thresholds[f"{prefix}experience_years_min"]):
        return False, "experience_below"
    ok = facts.financial_assets >= _d(thresholds[f"{prefix}financial_assets_min"]) or \
        facts.average_income >= _d(thresholds[f"{prefix}income_min"])
    return ok, "passed" if ok else "wealth_below"


def minimum_for(*, plan_kind: str, product_type: str, product_minimum: Decimal, rules: dict[str, Any]) -> Decimal:
    """The least a subscription may be: the product's own minimum, raised to what the rule version asks
    (M-7 single-client ¥1 m; 2018 per-type minimums: fixed income ¥300k, mixed ¥400k, equity and
    derivatives ¥1 m)."""
    floor = Decimal("0")
    if plan_kind == "single":
        floor = _d(rules["single_client_min"])
    elif product_type in (rules.get("type_minimums") or {}):
        floor = _d(rules["type_minimums"][product_type])
    return max(_d(product_minimum), floor)


def investor_cap(*, plan_kind: str, product_cap: int | None, rules: dict[str, Any]) -> int | None:
    """The number of investors a plan may have: the product's cap, never above the rule's (M-8: 200 for
    collective and 2018 private plans); a single-client plan has one client."""
    if plan_kind == "single":
        return 1
    limit = int(rules["collective_max_investors"])
    return limit if product_cap is None else min(int(product_cap), limit)


def has_place(*, holders: int, already_holder: bool, cap: int | None) -> bool:
    """Whether one more investor fits under the cap (an investor already holding a place takes no new one)."""
    return cap is None or already_holder or holders < cap


# --------------------------------------------------------------------------- cooling-off (M-14)


def cooling_off_end(signed_at: datetime, hours: int) -> datetime:
    """Cooling-off ends ``hours`` after the contract was signed (never fewer than 24, M-14): wall-clock hours,
    so it runs across midnight, weekends and holidays alike."""
    if signed_at.tzinfo is None:
        raise ValueError("aware datetimes only")
    if hours < 24:
        raise ValueError("cooling-off is at least 24 hours")
    return signed_at + timedelta(hours=hours)


def cooling_off_over(end: datetime, now: datetime) -> bool:
    return now >= end


# --------------------------------------------------------------------------- marketing check (M-6)

_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, no spaces or punctuation: "保 本" and "保-本" read as 保本."""
    return _STRIP.sub("", unicodedata.normalize("NFKC", text or "").lower())


def forbidden_promises(text: str, phrases: list[str]) -> list[str]:
    """The phrases of the managed list that the text contains (M-6: no promise of principal protection or of
    a minimum return, in any form)."""
    body = normalise(text)
    return [p for p in phrases if normalise(p) and normalise(p) in body]


# --------------------------------------------------------------------------- filings (M-1..M-3)


def filing_due(trigger: date, *, amount: int, unit: str, is_working_day: Callable[[date], bool]) -> date:
    """Due date of a filing ``amount`` days after ``trigger`` (the trigger day does not count).

    ``working_days`` counts the business calendar's working days (holidays skipped, make-up days counted),
    ``calendar_days`` every day, ``months`` calendar months (the last day of a shorter month)."""
    if amount < 0:
        raise ValueError("negative period")
    if unit == "calendar_days":
        return trigger + timedelta(days=amount)
    if unit == "months":

        month = trigger.month - 1 + amount
        year, month = trigger.year + month // 12, month % 12 + 1
        return date(year, month, min(trigger.day, calendar.monthrange(year, month)[1]))
    if unit == "working_days":
        day, counted = trigger, 0
        for _ in range(3660):
            if counted == amount:
                return day
            day += timedelta(days=1)
            if is_working_day(day):
                counted += 1
        raise ValueError("no working day in the calendar")
    raise ValueError(f"unknown unit {unit!r}")


def filing_alert(*, due: date, today: date, warn_days_before: int) -> str:
    """``overdue`` after the due date, ``due_soon`` within the warning window, else ``ok``."""
    if today > due:
        return "overdue"
    if (due - today).days <= warn_days_before:
        return "due_soon"
    return "ok"


def missing_documents(required: list[str], attached: list[str]) -> list[str]:
    return [kind for kind in required if kind not in set(attached)]


def plans_per_manager(plans: list[tuple[int | None, bool]]) -> dict[str, Any]:
    """M-3 capacity figure: (manager id, active) per plan -> active plans, managers, plans per manager."""
    active = [m for m, is_active in plans if is_active]
    managers = {m for m in active if m is not None}
    per = {m: active.count(m) for m in managers}
    ratio = (Decimal(len(active)) / len(managers)).quantize(Decimal("0.01")) if managers else None
    return {"plans": len(active), "managers": len(managers), "plans_per_manager": ratio,
            "unassigned": active.count(None), "by_manager": per}


# --------------------------------------------------------------------------- retention (M-13)


def retain_until(created_on: date, years: int) -> date:
    try:
        return created_on.replace(year=created_on.year + years)
    except ValueError:
        return created_on.replace(year=created_on.year + years, day=28)


def may_delete(retain_until_day: date, today: date) -> bool:
    return today > retain_until_day


# --------------------------------------------------------------------------- the subscription state machine

TRANSITIONS: dict[str, set[str]] = {
    "draft": {"kyc_done", "cancelled"},
    "kyc_done": {"suitability_ok", "warned_confirmed", "cancelled"},
    "suitability_ok": {"disclosure_signed", "cancelled"},
    "warned_confirmed": {"disclosure_signed", "cancelled"},
    "disclosure_signed": {"contract_signed", "cancelled"},
    "contract_signed": {"cooling_off", "cancelled"},
    "cooling_off": {"callback_done", "cancelled"},
    "callback_done": {"active"},
    "active": set(),
    "cancelled": set(),
}


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, set())
