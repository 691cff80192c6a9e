from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from kehu.grading import rules as g
from kehu.tradecredit import rules as t

BANDS = (("A", D(90)), ("B", D(80)), ("C", D(70)), ("D", D(60)))
COEF = {"A": D("1.5"), "B": D("1.0"), "C": D("0.6"), "D": D(0), "E": D(0)}
TERM = {"A": 60, "B": 45, "C": 30, "D": 0, "E": 0}


def test_band_edges():
    assert g.grade_for_score(D(90), BANDS) == "A"
    assert g.grade_for_score(D("89.99"), BANDS) == "B"
    assert g.grade_for_score(D(70), BANDS) == "C"
    assert g.grade_for_score(D("59.99"), BANDS) == "E"


@given(st.decimals(min_value=0, max_value=100, places=2), st.decimals(min_value=0, max_value=100, places=2))
def test_grade_is_monotonic(a, b):
    lo, hi = sorted((a, b))
    assert g.GRADES.index(g.grade_for_score(hi, BANDS)) <= g.GRADES.index(g.grade_for_score(lo, BANDS))


@given(st.decimals(min_value=-50, max_value=200, places=2), st.decimals(min_value=0, max_value=40, places=2))
def test_indicator_never_exceeds_weight(raw, weight):
    assert D(0) <= g.indicator_score(raw, weight) <= weight


def test_knock_out_cap_and_override_steps():
    assert g.cap_grade("A", "C") == "C"
    assert g.cap_grade("D", "C") == "D"
    assert g.cap_grade("B", None) == "B"
    assert g.override_allowed("B", "A") and g.override_allowed("B", "C")
    assert not g.override_allowed("B", "D")
    assert not g.override_allowed("B", "B")


def test_exit_after_two_months_at_e():
    assert g.exit_due(["C", "E", "E"])
    assert not g.exit_due(["E", "D", "E"])
    assert not g.exit_due(["E"])


def test_credit_limit_formula():
    assert t.credit_limit(
        avg_monthly_sales=D("100000"), grade="A", coef_by_grade=COEF, term_by_grade=TERM
    ) == D("300000.00")
    assert t.credit_limit(
        avg_monthly_sales=D("100000"), grade="C", coef_by_grade=COEF, term_by_grade=TERM
    ) == D("60000.00")
    assert t.credit_limit(
        avg_monthly_sales=D("100000"), grade="D", coef_by_grade=COEF, term_by_grade=TERM
    ) == D("0.00")


def test_order_fits_and_excess():
    assert t.order_fits(limit=D(100), open_receivables=D(60), shipped_not_invoiced=D(20), order=D(20))
    assert not t.order_fits(
        limit=D(100), open_receivables=D(60), shipped_not_invoiced=D(20), order=D("20.01")
    )
    assert t.excess_ratio(limit=D(100), exposure=D(125)) == D("0.25")
    assert t.excess_ratio(limit=D(0), exposure=D(5)) is None
