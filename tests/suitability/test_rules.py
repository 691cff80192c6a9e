"""The pure suitability rules: every cell of the 5x5 matrix, thresholds at the exact boundary under each rule
version, cooling-off across midnight, filing due dates on China's calendar, the marketing check."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehu.core.calendar import BusinessCalendar, is_working_day
from kehu.suitability import rules
from kehu.suitability.params import FORBIDDEN, MATRIX, PRO_2017, QI_2012, QI_2018

SH = ZoneInfo("Asia/Shanghai")
VERSIONS = {"2012": QI_2012, "2018": QI_2018}


def _match(cls, risk, policy="refuse", lowest=False):
    return rules.match(investor_class=cls, lowest_category=lowest, professional=False, product_risk=risk,
                       matrix=MATRIX, above_level_policy=policy, assessment_valid=True)


@pytest.mark.parametrize("cls", rules.CLASSES)
@pytest.mark.parametrize("risk", rules.RISKS)
def test_every_cell_of_the_matrix_under_both_policies(cls, risk):
    within = int(risk[1]) <= int(cls[1])  # C1 -> R1, C2 -> R1-R2, ..., C5 -> R1-R5
    refused = _match(cls, risk)
    assert (refused.allowed, refused.needs_warning) == (within, False)
    assert refused.reason_code == ("matched" if within else "above_level_refused")
    warned = _match(cls, risk, policy="warn_confirm")
    assert warned.allowed is True
    assert warned.needs_warning is (not within)
    assert warned.reason_code == ("matched" if within else "above_level_warning")


@pytest.mark.parametrize("risk", rules.RISKS[1:])
def test_the_lowest_category_is_never_sold_above_its_level_even_with_a_warning(risk):
    result = _match("C1", risk, policy="warn_confirm", lowest=True)
    assert (result.allowed, result.needs_warning, result.reason_code) == (False, False, "lowest_category")
    assert _match("C1", "R1", policy="warn_confirm", lowest=True).allowed is True


def test_expired_or_missing_assessment_blocks_and_professional_matches_everything():
    expired = rules.match(investor_class="C5", lowest_category=False, professional=False, product_risk="R1",
                          matrix=MATRIX, above_level_policy="warn_confirm", assessment_valid=False)
    assert (expired.allowed, expired.reason_code) == (False, "assessment_expired")
    missing = rules.match(investor_class=None, lowest_category=False, professional=False, product_risk="R1",
                          matrix=MATRIX, above_level_policy="refuse", assessment_valid=False)
    assert missing.reason_code == "assessment_missing"
    pro = rules.match(investor_class=None, lowest_category=False, professional=True, product_risk="R5",
                      matrix=MATRIX, above_level_policy="refuse", assessment_valid=False)
    assert (pro.allowed, pro.reason_code) == (True, "professional")


def test_the_matrix_is_a_parameter():
    strict = {**MATRIX, "C3": ["R1", "R2"]}
    result = rules.match(investor_class="C3", lowest_category=False, professional=False, product_risk="R3",
                         matrix=strict, above_level_policy="refuse", assessment_valid=True)
    assert result.reason_code == "above_level_refused"


def test_rule_version_in_force_on_the_subscription_date():
    assert rules.version_in_force(VERSIONS, date(2018, 10, 21))[0] == "2012"
    assert rules.version_in_force(VERSIONS, date(2018, 10, 22))[0] == "2018"
    assert rules.version_in_force(VERSIONS, date(2012, 10, 19))[0] == "2012"
    with pytest.raises(ValueError):
        rules.version_in_force(VERSIONS, date(2012, 10, 18))


CENT = Decimal("0.01")


def person(**kw):
    return rules.InvestorFacts(kind="person", **kw)


@pytest.mark.parametrize("value,ok", [(Decimal("1000000.00"), True), (Decimal("1000000.00") - CENT, False)])
def test_2012_person_financial_assets_boundary(value, ok):
    assert rules.qualified(person(financial_assets=value), QI_2012)[0] is ok


@pytest.mark.parametrize("value,ok", [(Decimal("10000000.00"), True), (Decimal("10000000.00") - CENT, False)])
@pytest.mark.parametrize("version", [QI_2012, QI_2018])
def test_entity_net_assets_boundary_in_both_versions(value, ok, version):
    assert rules.qualified(rules.InvestorFacts(kind="entity", net_assets=value), version)[0] is ok


def test_2018_needs_two_years_experience_at_the_boundary():
    rich = dict(household_financial_net_assets=Decimal("3000000.00"))
    assert rules.qualified(person(experience_years=2, **rich), QI_2018) == (True, "qualified")
    assert rules.qualified(person(experience_years=1, **rich), QI_2018) == (False, "experience_below")
    # the 2012 rules had no experience requirement
    assert rules.qualified(person(experience_years=0, financial_assets=Decimal("1000000")), QI_2012)[0]


@pytest.mark.parametrize("field,limit", [("household_financial_net_assets", "3000000.00"),
                                         ("financial_assets", "5000000.00"), ("average_income", "400000.00")])
def test_2018_each_wealth_test_at_its_boundary(field, limit):
    at = Decimal(limit)
    assert rules.qualified(person(experience_years=2, **{field: at}), QI_2018)[0] is True
    assert rules.qualified(person(experience_years=2, **{field: at - CENT}), QI_2018) == (False, "person_wealth_below")


def test_the_same_investor_is_qualified_under_2012_and_not_under_2018():
    facts = person(financial_assets=Decimal("1000000.00"), experience_years=5)
    assert rules.qualified(facts, QI_2012)[0] is True
    assert rules.qualified(facts, QI_2018)[0] is False


@pytest.mark.parametrize("conversion,assets,income,years", [(False, "5000000.00", "500000.00", 2),
                                                            (True, "3000000.00", "300000.00", 1)])
def test_professional_thresholds_at_the_boundary(conversion, assets, income, years):
    a, i = Decimal(assets), Decimal(income)
    test = rules.professional_test
    assert test(person(financial_assets=a, experience_years=years), PRO_2017, conversion=conversion)[0]
    assert test(person(average_income=i, experience_years=years), PRO_2017, conversion=conversion)[0]
    assert not test(person(financial_assets=a - CENT, average_income=i - CENT, experience_years=years), PRO_2017,
                    conversion=conversion)[0]
    assert test(person(financial_assets=a, experience_years=years - 1), PRO_2017,
                conversion=conversion) == (False, "experience_below")


def test_minimums_per_version_and_plan_kind():
    m = rules.minimum_for
    assert m(plan_kind="single", product_type="equity", product_minimum=Decimal("1"), rules=QI_2012) == \
        Decimal("1000000.00")
    assert m(plan_kind="collective", product_type="fixed_income", product_minimum=Decimal("50000"),
             rules=QI_2012) == Decimal("50000")
    assert m(plan_kind="collective", product_type="fixed_income", product_minimum=Decimal("50000"),
             rules=QI_2018) == Decimal("300000.00")
    assert m(plan_kind="private_2018", product_type="mixed", product_minimum=Decimal("1"), rules=QI_2018) == \
        Decimal("400000.00")
    assert m(plan_kind="collective", product_type="derivatives", product_minimum=Decimal("2000000"),
             rules=QI_2018) == Decimal("2000000")


def test_investor_cap():
    assert rules.investor_cap(plan_kind="collective", product_cap=None, rules=QI_2012) == 200
    assert rules.investor_cap(plan_kind="collective", product_cap=50, rules=QI_2018) == 50
    assert rules.investor_cap(plan_kind="collective", product_cap=500, rules=QI_2018) == 200
    assert rules.investor_cap(plan_kind="single", product_cap=None, rules=QI_2018) == 1
    assert rules.has_place(holders=199, already_holder=False, cap=200)
    assert not rules.has_place(holders=200, already_holder=False, cap=200)
    assert rules.has_place(holders=200, already_holder=True, cap=200)


def test_questionnaire_scoring_and_bands():
    questions = [{"code": "q1", "options": [{"code": "a", "score": 0}, {"code": "b", "score": 4}]},
                 {"code": "q2", "options": [{"code": "a", "score": 1}, {"code": "b", "score": 3}]}]
    assert rules.score_questionnaire(questions, {"q1": "b", "q2": "b"}) == 7
    with pytest.raises(ValueError):
        rules.score_questionnaire(questions, {"q1": "b"})
    with pytest.raises(ValueError):
        rules.score_questionnaire(questions, {"q1": "b", "q2": "z"})
    bands = {"lowest_max": 2, "C1": 5, "C2": 9, "C3": 13, "C4": 16}
    expected = {0: ("C1", True), 2: ("C1", True), 3: ("C1", False), 5: ("C1", False), 6: ("C2", False),
                9: ("C2", False), 10: ("C3", False), 13: ("C3", False), 14: ("C4", False), 16: ("C4", False),
                17: ("C5", False), 20: ("C5", False)}
    for score, result in expected.items():
        assert rules.class_for_score(score, bands) == result, score


def test_assessment_valid_two_years_and_retest_on_material_change():
    until = rules.assessment_valid_until(date(2026, 3, 1), 2)
    assert until == date(2028, 2, 29)
    assert rules.assessment_is_valid(until, until, facts_changed_after_assessment=False)
    assert not rules.assessment_is_valid(until, until + timedelta(days=1), facts_changed_after_assessment=False)
    assert not rules.assessment_is_valid(until, date(2026, 3, 2), facts_changed_after_assessment=True)
    assert rules.assessment_valid_until(date(2024, 2, 29), 2) == date(2026, 2, 27)


def test_cooling_off_runs_across_midnight():
    signed = datetime(2026, 12, 7, 23, 30, tzinfo=SH)
    end = rules.cooling_off_end(signed, 24)
    assert end == datetime(2026, 12, 8, 23, 30, tzinfo=SH)
    assert not rules.cooling_off_over(end, datetime(2026, 12, 8, 0, 30, tzinfo=SH))  # past midnight, not over
    assert not rules.cooling_off_over(end, end - timedelta(seconds=1))
    assert rules.cooling_off_over(end, end)
    with pytest.raises(ValueError):
        rules.cooling_off_end(signed, 23)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)), st.integers(24, 240))  # noqa: DTZ001
def test_cooling_off_is_never_shorter_than_its_hours(moment, hours):
    signed = moment.replace(tzinfo=SH)
    assert rules.cooling_off_end(signed, hours) - signed == timedelta(hours=hours)


def test_filing_due_date_across_the_national_day_holiday():
    cal = BusinessCalendar()
    workday = lambda d: is_working_day(d, cal)  # noqa: E731
    # 2025-09-30 (Tue); 1-8 October 2025 is the National Day and Mid-Autumn holiday; 28 Sep and 11 Oct are
    # make-up working days. Five working days after 30 Sep: 9, 10, 11 (Saturday, make-up), 13, 14 October.
    assert rules.filing_due(date(2025, 9, 30), amount=5, unit="working_days", is_working_day=workday) == \
        date(2025, 10, 14)
    assert rules.filing_due(date(2025, 9, 30), amount=5, unit="calendar_days", is_working_day=workday) == \
        date(2025, 10, 5)
    # An ordinary week: Monday + 5 working days = next Monday.
    assert rules.filing_due(date(2026, 3, 2), amount=5, unit="working_days", is_working_day=workday) == \
        date(2026, 3, 9)
    assert rules.filing_due(date(2012, 10, 19), amount=1, unit="months", is_working_day=workday) == \
        date(2012, 11, 19)
    assert rules.filing_due(date(2026, 1, 31), amount=1, unit="months", is_working_day=workday) == date(2026, 2, 28)


def test_filing_alerts():
    due = date(2026, 12, 10)
    assert rules.filing_alert(due=due, today=date(2026, 12, 7), warn_days_before=2) == "ok"
    assert rules.filing_alert(due=due, today=date(2026, 12, 8), warn_days_before=2) == "due_soon"
    assert rules.filing_alert(due=due, today=due, warn_days_before=2) == "due_soon"
    assert rules.filing_alert(due=due, today=date(2026, 12, 11), warn_days_before=2) == "overdue"


@pytest.mark.parametrize("text,found", [
    ("本计划保本保息，稳健增值", ["保本", "保本保息"]),
    ("承诺 最低收益 4%", ["最低收益"]),
    ("保-证-收-益", ["保证收益"]),
    ("稳　赚不赔", ["稳赚"]),
    ("本计划不保证本金，投资者可能损失本金", []),
])
def test_marketing_check_finds_forbidden_promises(text, found):
    assert rules.forbidden_promises(text, FORBIDDEN) == found


def test_plans_per_manager():
    figure = rules.plans_per_manager([(1, True), (1, True), (2, True), (None, True), (3, False)])
    assert figure["plans"] == 4 and figure["managers"] == 2 and figure["plans_per_manager"] == Decimal("2.00")
    assert figure["unassigned"] == 1 and figure["by_manager"] == {1: 2, 2: 1}


def test_retention():
    assert rules.retain_until(date(2026, 12, 7), 20) == date(2046, 12, 7)
    assert not rules.may_delete(date(2046, 12, 7), date(2046, 12, 7))
    assert rules.may_delete(date(2046, 12, 7), date(2046, 12, 8))


def test_transitions_follow_the_spec_state_machine():
    path = ["draft", "kyc_done", "suitability_ok", "disclosure_signed", "contract_signed", "cooling_off",
            "callback_done", "active"]
    for a, b in zip(path, path[1:], strict=False):
        assert rules.can_transition(a, b)
    assert rules.can_transition("kyc_done", "warned_confirmed")
    assert not rules.can_transition("draft", "active")
    assert not rules.can_transition("contract_signed", "active")
    assert not rules.can_transition("active", "cancelled")
