"""The 357号 reporting rules and the report validations, as pure functions."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kehu.customers.generators import make_uscc
from kehu.exposure import rules
from kehu.exposure.rules import LineFact

D = Decimal


def test_r1_comprehensive_line_not_exposure():
    facts = [LineFact("comprehensive", "active", D("200000000"), outstanding=D("150000000"),
                      non_exposure=D("100000000"))]
    assert rules.report_line(facts, prev_line_amount=D("1")) == (D("200000000"), "mcl", False)


def test_r1_frozen_line_is_still_reported():
    facts = [LineFact("comprehensive", "frozen", D("300"))]
    assert rules.report_line(facts, prev_line_amount=None) == (D("300"), "mcl", False)


def test_r2_without_mcl_aggregate_lines_and_add_back_non_exposure():
    facts = [LineFact("specific", "active", D("60"), non_exposure=D("10")),
             LineFact("specific", "active", D("50"), non_exposure=D("5")),
             LineFact("specific", "rejected", D("999"))]
    assert rules.report_line(facts, prev_line_amount=None) == (D("125"), "aggregated", False)


def test_r3_renewal_pending_carries_previous_period_line():
    facts = [LineFact("comprehensive", "renewal_pending", D("500"), outstanding=D("100"))]
    assert rules.report_line(facts, prev_line_amount=D("450")) == (D("450"), "carried_forward", True)
    # no previous period (first month): the matured line itself
    assert rules.report_line(facts, prev_line_amount=None) == (D("500"), "carried_forward", True)


def test_r3_real_exit_drops_out():
    assert rules.report_line([LineFact("comprehensive", "exited", D("500"))], prev_line_amount=D("500")) is None
    assert rules.report_line([LineFact("comprehensive", "expired", D("500"))], prev_line_amount=D("500")) is None
    assert rules.report_line([], prev_line_amount=D("500")) is None


def test_matured_with_outstanding_is_not_an_exit():
    facts = [LineFact("comprehensive", "expired", D("500"), outstanding=D("20"))]
    assert rules.report_line(facts, prev_line_amount=None) == (D("500"), "matured", False)


def test_r4_threshold_is_inclusive():
    assert rules.in_scope(D("100000000.00"), D("100000000.00"))
    assert not rules.in_scope(D("99999999.99"), D("100000000.00"))


def _row(uscc, line="200", out="100", **kw):
    return {"customer_id": 1, "uscc": uscc, "line_amount": D(line), "outstanding_amount": D(out), **kw}


HEADER = {"org_code": "B0001H", "year": "2026", "month": "10", "preparer": "张三", "phone": "010-1", "reviewer": "李四"}


def test_validation_catches_each_problem():
    import random

    good = make_uscc(random.Random(1))
    assert rules.validate_report(HEADER, [_row(good)]) == []
    codes = lambda probs: sorted(p["code"] for p in probs)  # noqa: E731
    assert codes(rules.validate_report({**HEADER, "phone": ""}, [])) == ["header_incomplete"]
    assert codes(rules.validate_report(HEADER, [_row(good, line="99", out="100")])) == ["line_below_outstanding"]
    assert codes(rules.validate_report(HEADER, [_row(good), _row(good)])) == ["duplicate_code"]
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert codes(rules.validate_report(HEADER, [_row(bad)])) == ["invalid_code"]
    assert codes(rules.validate_report(HEADER, [_row(good, basis="carried_forward", carried_forward=False)])) == [
        "carried_forward_unflagged"]


def test_xml_structure_round_trip_and_validation():
    import random

    rows = [{"uscc": make_uscc(random.Random(i)), "name": f"客户{i}", "group_code": "", "line_amount": D("123456789.00"),
             "outstanding_amount": D("1"), "on_balance_amount": D("1"), "off_balance_amount": D("0"),
             "exposure_amount": D("1"), "carried_forward": i == 1} for i in range(3)]
    data = rules.build_xml(HEADER, rows)
    assert rules.validate_xml(data) == []
    assert b"<gather" in data and data.count(b"<report ") == 3
    assert b'<cell name="line_amount">12345.68</cell>' in data  # 万元
    assert rules.validate_xml(b"<gather><oops/></gather>")
    assert rules.validate_xml(b"not xml")
    dup = rules.build_xml(HEADER, rows + rows[:1])
    assert any("duplicate" in p for p in rules.validate_xml(dup))


@given(amount=st.integers(0, 10**12), base=st.integers(1, 10**12))
def test_concentration_level_is_monotonic(amount, base):
    levels = [D(80), D(90), D(100)]
    share, level = rules.concentration_level(D(amount), D(base), D(10), levels)
    share2, level2 = rules.concentration_level(D(amount) + D(base) // 100, D(base), D(10), levels)
    assert share2 >= share
    assert (level2 or 0) >= (level or 0)
    if level is not None:
        assert share >= D(10) * level / 100


def test_previous_period_and_bounds():
    assert rules.previous_period("2026-01") == "2025-12"
    assert rules.month_bounds("2026-02")[1].day == 28
