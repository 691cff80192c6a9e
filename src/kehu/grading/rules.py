"""Pure grading rules (domain spec 3A): no ORM, no clock; every number is passed in.

The defaults of the callers come from parameters (G-6, G-7, G-8 are PROPOSED in the spec);
these functions only apply them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

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


# ----------------------------------------------------------------------------- scorecard policy
#
# A policy's configuration (stored as JSON on ScorecardPolicy.config):
#   indicators: four rows (G-3) {code, weight, terms}; each term scores one raw value of month M-1:
#     {"raw": R, "kind": "linear", "points": P, "full_at": F, "zero_below": Z?, "missing": V?}
#         → P × min(1, raw / F), 0 when raw < Z; a missing raw (nothing due that month) counts as V
#     {"raw": R, "kind": "thresholds", "better": "higher"|"lower", "steps": [[bound, points], ...]}
#         → points of the first step the raw reaches (≥ bound when higher is better, ≤ when lower is)
#   The indicator scores the sum of its terms, never more than its weight (G-4).
#   bands: [["A", 90], ["B", 80], ["C", 70], ["D", 60]] best first; below the last is E (G-7).
#   knockouts: [{"code": K, "cap": G}] (G-8), K one of KNOCKOUTS.

INDICATORS: tuple[str, ...] = ("volume", "fulfilment", "payment", "operating")
# S9 Ch.5 §1 grades on the operating AND financial status: the financial indicator, fed from the customer's
# yearly statements (grading.FinancialStatement), is optional so that the policies without it keep working.
OPTIONAL_INDICATORS: tuple[str, ...] = ("financial",)
ALL_INDICATORS: tuple[str, ...] = INDICATORS + OPTIONAL_INDICATORS
RAWS: tuple[str, ...] = ("volume", "fulfilment", "on_time", "overdue_days", "licence_ok", "not_sued",
                         "archive_complete", "current_ratio", "debt_ratio", "overdue_to_others")
KNOCKOUTS: tuple[str, ...] = ("disqualified", "sued_for_unpaid_goods", "archive_incomplete")
SCALE_MAX = Decimal(100)


class PolicyInvalid(ValueError):
    pass


def _dec(value: object, what: str) -> Decimal:
    try:
        out = Decimal(str(value))
    except Exception:  # noqa: BLE001 - any unparsable value is the same input error
        raise PolicyInvalid(f"{what} is not a number") from None
    if not out.is_finite():
        raise PolicyInvalid(f"{what} is not a number")
    return out


def default_policy(*, volume_full_amount: Decimal, weights: Mapping[str, int | str],
                   bands: Sequence[Sequence[object]], fulfilment_floor: Decimal) -> dict[str, Any]:
    """The PROPOSED scorecard of domain spec G-6/G-7/G-8 built from the parameters; with a positive
    "financial" weight among ``weights`` it has the financial indicator too (S9 Ch.5 §1)."""
    w = {k: str(v) for k, v in weights.items()}
    config: dict[str, Any] = {
        "indicators": [
            {"code": "volume", "weight": w["volume"], "terms": [
                {"raw": "volume", "kind": "linear", "points": w["volume"], "full_at": str(volume_full_amount)}]},
            {"code": "fulfilment", "weight": w["fulfilment"], "terms": [
                {"raw": "fulfilment", "kind": "linear", "points": w["fulfilment"], "full_at": "1",
                 "zero_below": str(fulfilment_floor), "missing": "1"}]},
            # payment 30 = paid on time 20 + overdue 10 − 2 per started 10 days, 0 beyond 40 days
            {"code": "payment", "weight": w["payment"], "terms": [
                {"raw": "on_time", "kind": "linear", "points": "20", "full_at": "1", "missing": "1"},
                {"raw": "overdue_days", "kind": "thresholds", "better": "lower",
                 "steps": [["0", "10"], ["10", "8"], ["20", "6"], ["30", "4"], ["40", "2"]]}]},
            # operating status 15 = licences valid 5 + no litigation 5 + archive complete 5 (the source's
            # "financial health" is the optional financial indicator fed from the yearly statements: financial_indicator)
            {"code": "operating", "weight": w["operating"], "terms": [
                {"raw": "licence_ok", "kind": "thresholds", "better": "higher", "steps": [["1", "5"]]},
                {"raw": "not_sued", "kind": "thresholds", "better": "higher", "steps": [["1", "5"]]},
                {"raw": "archive_complete", "kind": "thresholds", "better": "higher", "steps": [["1", "5"]]}]},
        ],
        "bands": [[g, str(b)] for g, b in bands],
        "knockouts": [{"code": "disqualified", "cap": "E"}, {"code": "sued_for_unpaid_goods", "cap": "C"},
                      {"code": "archive_incomplete", "cap": "B"}],
    }
    if Decimal(w.get("financial", "0")) > 0:
        config["indicators"].append(financial_indicator(w["financial"]))
    return config


def financial_indicator(weight: Decimal | int | str) -> dict[str, Any]:
    """The financial indicator of the default scorecard (PROPOSED: the sources name the financial status, not
    how to score it), out of ``weight``: 40 % for the current ratio (full at 1.5), 40 % for the debt ratio (full
    at or below 60 %, half at or below 80 %), 20 % for owing nothing overdue to other creditors. A customer
    without a statement scores 0 here (no points for an indicator without data)."""
    w = Decimal(str(weight))
    part = (w * Decimal("0.4")).quantize(Decimal("0.01"))
    rest = w - 2 * part
    return {"code": "financial", "weight": str(w), "terms": [
        {"raw": "current_ratio", "kind": "linear", "points": str(part), "full_at": "1.5"},
        {"raw": "debt_ratio", "kind": "thresholds", "better": "lower",
         "steps": [["0.6", str(part)], ["0.8", str((part / 2).quantize(Decimal("0.01")))]]},
        {"raw": "overdue_to_others", "kind": "thresholds", "better": "lower", "steps": [["0", str(rest)]]}]}


def validate_policy(config: object) -> dict[str, Any]:
    """Check a configuration and return it normalised (numbers as strings). Raises PolicyInvalid."""
    if not isinstance(config, Mapping):
        raise PolicyInvalid("the configuration must be an object")
    indicators = config.get("indicators")
    codes = [i.get("code") for i in indicators if isinstance(i, Mapping)] if isinstance(indicators, list) else []
    if not isinstance(indicators, list) or len(codes) != len(indicators) or len(set(codes)) != len(codes) \
            or not set(INDICATORS) <= set(codes) or not set(codes) <= set(ALL_INDICATORS):
        raise PolicyInvalid("indicators must be exactly: " + ", ".join(INDICATORS) + " (and optionally "
                            + ", ".join(OPTIONAL_INDICATORS) + ")")
    out_ind = []
    total = Decimal(0)
    for ind in indicators:
        weight = _dec(ind.get("weight"), f"{ind['code']}.weight")
        if weight < 0:
            raise PolicyInvalid(f"{ind['code']}.weight is negative")
        total += weight
        terms = ind.get("terms")
        if not isinstance(terms, list) or not terms:
            raise PolicyInvalid(f"{ind['code']} needs at least one term")
        out_terms = []
        for term in terms:
            if not isinstance(term, Mapping) or term.get("raw") not in RAWS:
                raise PolicyInvalid(f"{ind['code']}: raw must be one of " + ", ".join(RAWS))
            kind = term.get("kind")
            t: dict[str, Any] = {"raw": term["raw"], "kind": kind}
            if kind == "linear":
                t["points"] = str(_dec(term.get("points"), "points"))
                full = _dec(term.get("full_at"), "full_at")
                if full <= 0:
                    raise PolicyInvalid("full_at must be positive")
                t["full_at"] = str(full)
                if term.get("zero_below") not in (None, ""):
                    t["zero_below"] = str(_dec(term["zero_below"], "zero_below"))
                if term.get("missing") not in (None, ""):
                    t["missing"] = str(_dec(term["missing"], "missing"))
            elif kind == "thresholds":
                better = term.get("better", "higher")
                if better not in ("higher", "lower"):
                    raise PolicyInvalid("better must be higher or lower")
                steps = term.get("steps")
                if not isinstance(steps, list) or not steps:
                    raise PolicyInvalid("thresholds need steps")
                parsed = [(_dec(s[0], "bound"), _dec(s[1], "points")) for s in steps
                          if isinstance(s, (list, tuple)) and len(s) == 2]
                if len(parsed) != len(steps):
                    raise PolicyInvalid("each step is [bound, points]")
                parsed.sort(key=lambda s: s[0], reverse=(better == "higher"))
                t["better"] = better
                t["steps"] = [[str(b), str(p)] for b, p in parsed]
            else:
                raise PolicyInvalid("kind must be linear or thresholds")
            out_terms.append(t)
        out_ind.append({"code": ind["code"], "weight": str(weight), "terms": out_terms})
    if total != SCALE_MAX:
        raise PolicyInvalid(f"the weights add up to {total}, not {SCALE_MAX}")
    bands = config.get("bands")
    if not isinstance(bands, list) or [b[0] for b in bands if isinstance(b, (list, tuple))] != list(GRADES[:-1]):
        raise PolicyInvalid("bands must give the lower bounds of A, B, C, D in that order")
    bounds = [_dec(b[1], f"band {b[0]}") for b in bands]
    if any(lo >= hi for hi, lo in zip(bounds, bounds[1:], strict=False)) or bounds[0] > SCALE_MAX or bounds[-1] < 0:
        raise PolicyInvalid("band bounds must fall from A to D within 0-100")
    knockouts = config.get("knockouts", [])
    if not isinstance(knockouts, list):
        raise PolicyInvalid("knockouts must be a list")
    out_ko = []
    for ko in knockouts:
        if not isinstance(ko, Mapping) or ko.get("code") not in KNOCKOUTS or ko.get("cap") not in GRADES:
            raise PolicyInvalid("each knock-out is {code, cap} with code one of " + ", ".join(KNOCKOUTS))
        out_ko.append({"code": ko["code"], "cap": ko["cap"]})
    order = {c: i for i, c in enumerate(ALL_INDICATORS)}
    out_ind.sort(key=lambda i: order[i["code"]])
    return {"indicators": out_ind, "bands": [[g, str(b)] for (g, _), b in zip(bands, bounds, strict=True)],
            "knockouts": out_ko}


def policy_bands(config: Mapping[str, Any]) -> list[tuple[str, Decimal]]:
    return [(g, Decimal(b)) for g, b in config["bands"]]


def policy_weights(config: Mapping[str, Any]) -> dict[str, Decimal]:
    return {i["code"]: Decimal(i["weight"]) for i in config["indicators"]}


# ----------------------------------------------------------------------------- reference scoring (Python)

def term_points(term: Mapping[str, Any], raw: Decimal | None) -> Decimal:
    if raw is None:
        if "missing" not in term:
            return Decimal(0)
        raw = Decimal(term["missing"])
    if term["kind"] == "linear":
        if "zero_below" in term and raw < Decimal(term["zero_below"]):
            return Decimal(0)
        ratio = min(Decimal(1), max(Decimal(0), raw / Decimal(term["full_at"])))
        return Decimal(term["points"]) * ratio
    for bound, points in term["steps"]:
        if (raw >= Decimal(bound)) if term["better"] == "higher" else (raw <= Decimal(bound)):
            return Decimal(points)
    return Decimal(0)


def knockout_cap(config: Mapping[str, Any], flags: Mapping[str, bool]) -> tuple[str, str | None]:
    """The knock-outs that apply and the most restrictive cap among them (G-8)."""
    hit = [k for k in config.get("knockouts", []) if flags.get(k["code"])]
    if not hit:
        return "", None
    worst = max(hit, key=lambda k: GRADES.index(k["cap"]))
    return ",".join(sorted(k["code"] for k in hit)), worst["cap"]


def score_customer(config: Mapping[str, Any], raws: Mapping[str, Decimal | None], flags: Mapping[str, bool]) -> dict[str, Any]:
    """Score one customer exactly as the set-based SQL does (used by tests and the explanation page)."""
    scores = {}
    for ind in config["indicators"]:
        points = sum((term_points(t, raws.get(t["raw"])) for t in ind["terms"]), Decimal(0))
        scores[ind["code"]] = indicator_score(points, Decimal(ind["weight"])).quantize(Decimal("0.01"))
    total = total_score(scores)
    computed = grade_for_score(total, policy_bands(config))
    knockout, cap = knockout_cap(config, flags)
    return {"scores": scores, "total": total, "computed": computed, "knockout": knockout, "cap": cap or "",
            "grade": cap_grade(computed, cap)}


def grade_change(previous: str, current: str) -> int | None:
    """Steps up (positive) or down (negative) from last month's grade; None without one."""
    if not previous:
        return None
    return GRADES.index(previous) - GRADES.index(current)


# ----------------------------------------------------------------------------- SQL generation
# The same scoring as CASE expressions over the raw columns of a derived table ``r``. All numbers are
# validated Decimals rendered as literals, so the text is safe to inline.

def _num(value: str) -> str:
    return format(Decimal(value), "f")


def _raw_sql(raw: str) -> str:
    return {
        "volume": "r.raw_volume",
        "current_ratio": "r.raw_current_ratio",
        "debt_ratio": "r.raw_debt_ratio",
        "overdue_to_others": "r.raw_overdue_others",
        "fulfilment": "r.raw_fulfilment",
        "on_time": "r.raw_on_time",
        "overdue_days": "r.raw_overdue_days",
        "licence_ok": "(CASE WHEN r.raw_licence_ok THEN 1 ELSE 0 END)",
        "not_sued": "(CASE WHEN r.raw_sued THEN 0 ELSE 1 END)",
        "archive_complete": "(CASE WHEN r.raw_archive_complete THEN 1 ELSE 0 END)",
    }[raw]


def term_sql(term: Mapping[str, Any]) -> str:
    raw = _raw_sql(term["raw"])
    if "missing" in term:
        raw = f"COALESCE({raw}, {_num(term['missing'])})"
    if term["kind"] == "linear":
        ratio = f"(1.0 * {raw} / {_num(term['full_at'])})"
        expr = (f"(CASE WHEN {raw} IS NULL THEN 0 WHEN {ratio} >= 1 THEN {_num(term['points'])} "
                f"WHEN {ratio} <= 0 THEN 0 ELSE {_num(term['points'])} * {ratio} END)")
        if "zero_below" in term:
            expr = f"(CASE WHEN {raw} < {_num(term['zero_below'])} THEN 0 ELSE {expr} END)"
        return expr
    op = ">=" if term["better"] == "higher" else "<="
    whens = " ".join(f"WHEN {raw} {op} {_num(b)} THEN {_num(p)}" for b, p in term["steps"])
    return f"(CASE {whens} ELSE 0 END)"


def indicator_sql(indicator: Mapping[str, Any]) -> str:
    """min(weight, max(0, sum of terms)) rounded to cents (G-4)."""
    total = " + ".join(term_sql(t) for t in indicator["terms"])
    w = _num(indicator["weight"])
    return (f"ROUND(CAST(CASE WHEN ({total}) >= {w} THEN {w} WHEN ({total}) <= 0 THEN 0 ELSE ({total}) END "
            f"AS NUMERIC), 2)")


def rank_sql(total: str, config: Mapping[str, Any]) -> str:
    whens = " ".join(f"WHEN {total} >= {_num(b)} THEN {GRADES.index(g)}" for g, b in config["bands"])
    return f"(CASE {whens} ELSE {len(GRADES) - 1} END)"


_KO_SQL = {
    "disqualified": "r.raw_disqualified",
    "sued_for_unpaid_goods": "r.raw_sued",
    "archive_incomplete": "NOT r.raw_archive_complete",
}


def cap_rank_sql(config: Mapping[str, Any]) -> str:
    """Rank of the most restrictive knock-out cap that applies, -1 when none (G-8)."""
    kos = sorted(config.get("knockouts", []), key=lambda k: -GRADES.index(k["cap"]))
    if not kos:
        return "-1"
    whens = " ".join(f"WHEN {_KO_SQL[k['code']]} THEN {GRADES.index(k['cap'])}" for k in kos)
    return f"(CASE {whens} ELSE -1 END)"


def knockout_text_sql(config: Mapping[str, Any], concat: str) -> str:
    """Comma-joined codes of the knock-outs that apply, in code order (as ``knockout_cap``)."""
    codes = sorted({k["code"] for k in config.get("knockouts", [])})
    if not codes:
        return "''"
    parts = [f"(CASE WHEN {_KO_SQL[c]} THEN '{c},' ELSE '' END)" for c in codes]
    joined = concat.join(parts)
    # strip the trailing comma
    return f"(CASE WHEN LENGTH({joined}) > 0 THEN SUBSTR({joined}, 1, LENGTH({joined}) - 1) ELSE '' END)"


def letter_sql(rank: str) -> str:
    return f"SUBSTR('ABCDE', ({rank}) + 1, 1)"


def letter_rank_sql(column: str) -> str:
    return "(CASE " + " ".join(f"WHEN {column} = '{g}' THEN {i}" for i, g in enumerate(GRADES)) + " END)"
