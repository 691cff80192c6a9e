"""The monthly limit recalculation (L-2, L-4, L-6) and the approval of increases, against the real database."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from tests.tradecredit.credit_world import P, give_sales, grade, set_limit

from kehu.core.errors import InvalidTransition, NotFound, PermissionDenied, SelfApprovalNotAllowed
from kehu.core.models import AuditEvent, RuleParameter
from kehu.tradecredit import services
from kehu.tradecredit.events import TradeCreditEvent
from kehu.tradecredit.models import CreditAccount, CreditLimit, LimitChange


@pytest.fixture
def firms(cw):
    names = ["a", "b", "c", "d", "scattered", "newbie", "nobody"]
    firms = {n: cw.admit(cw.enterprise()) for n in names if n != "scattered"}
    scattered = cw.enterprise(kind="scattered", uscc=None, name="零散客户甲")
    firms["scattered"] = scattered
    return firms


def test_recalc_applies_a_decrease_and_asks_approval_for_an_increase(cw, firms):
    a, b, c = firms["a"], firms["b"], firms["c"]
    give_sales(a, [100000] * 12)  # A: 100k × 60/30 × 1.5 = 300k
    give_sales(b, [None, 50000, None, 50000, 80000])  # three months with sales: avg 60k × 45/30 × 1.0 = 90k
    give_sales(c, [10000] * 6)  # C: 10k × 30/30 × 0.6 = 6k
    grade(a, "A"), grade(b, "B"), grade(c, "C")
    set_limit(a, "100000.00", 30)  # below the formula: increase
    set_limit(c, "50000.00", 30)  # above it: decrease at once
    result = services.credit_limits_recalculate(actor=cw.hq_office, period="2026-10")
    assert (result.graded, result.decreased, result.requested) == (3, 1, 2)
    acc_a, acc_b, acc_c = (CreditAccount.objects.get(customer=x) for x in (a, b, c))
    assert acc_c.limit_amount == D("6000.00") and acc_c.term_days == 30 and acc_c.grade == "C"
    current_c = CreditLimit.objects.get(account=acc_c, valid_to__isnull=True)
    assert current_c.amount == D("6000.00") and current_c.period == P and current_c.approved_by is None
    assert current_c.basis["avg_monthly_sales"] == "10000.00" and current_c.basis["months_with_sales"] == 6
    assert CreditLimit.objects.filter(account=acc_c).count() == 2  # the old one closed, kept
    # increases wait
    assert acc_a.limit_amount == D("100000.00") and acc_b.limit_amount == D("0.00")
    ca = LimitChange.objects.get(account=acc_a, status="pending")
    assert (ca.current_amount, ca.proposed_amount, ca.term_days) == (D("100000.00"), D("300000.00"), 60)
    cb = LimitChange.objects.get(account=acc_b, status="pending")
    assert (cb.proposed_amount, cb.term_days) == (D("90000.00"), 45)
    assert cb.basis["months_with_sales"] == 3 and cb.requested_by == cw.hq_office
    summary = AuditEvent.objects.get(event_code=TradeCreditEvent.LIMITS_RECALCULATED)
    assert summary.new_values["decreased"] == 1 and summary.new_values["requested"] == 2
    changed = AuditEvent.objects.get(event_code=TradeCreditEvent.LIMITS_CHANGED)
    assert changed.new_values["decreased"] == [[c.pk, "50000.00", "6000.00", 30, 30]]


def test_no_credit_for_scattered_first_time_or_low_grades(cw, firms):
    give_sales(firms["scattered"], [5000] * 12)
    give_sales(firms["newbie"], [90000, 90000])  # two months: a first-time buyer
    give_sales(firms["d"], [100000] * 12)
    for key, letter in (("scattered", "B"), ("newbie", "A"), ("d", "D"), ("nobody", "B")):
        grade(firms[key], letter)
    set_limit(firms["d"], "20000.00", 30)
    result = services.credit_limits_recalculate(actor=None, period="2026-10")
    assert result.requested == 0 and result.decreased == 1
    for key in ("scattered", "newbie", "d", "nobody"):
        account = CreditAccount.objects.get(customer=firms[key])
        assert account.limit_amount == D("0.00") and account.term_days == 0
    limit_d = CreditLimit.objects.get(account__customer=firms["d"], valid_to__isnull=True)
    assert limit_d.basis["no_credit_reason"] == "grade_without_credit"


def test_recalc_is_idempotent_and_a_rejected_increase_is_not_raised_again(cw, firms):
    a = firms["a"]
    give_sales(a, [100000] * 12)
    grade(a, "A")
    first = services.credit_limits_recalculate(actor=cw.hq_office, period="2026-10")
    assert first.requested == 1
    again = services.credit_limits_recalculate(actor=cw.hq_office, period="2026-10")
    assert (again.decreased, again.requested, again.superseded) == (0, 0, 0)
    assert LimitChange.objects.filter(account__customer=a).count() == 1
    change = LimitChange.objects.get(account__customer=a)
    services.limit_change_reject(actor=cw.hq_fm, change_id=change.pk, note="销售数据待核实")
    third = services.credit_limits_recalculate(actor=cw.hq_office, period="2026-10")
    assert third.requested == 0 and LimitChange.objects.filter(account__customer=a).count() == 1
    assert AuditEvent.objects.filter(event_code=TradeCreditEvent.LIMITS_CHANGED).count() == 1


def test_a_new_period_supersedes_the_pending_increase(cw, firms):
    from datetime import date

    a = firms["a"]
    give_sales(a, [100000] * 12)
    grade(a, "A")
    services.credit_limits_recalculate(actor=None, period="2026-10")
    give_sales(a, [40000], period=date(2026, 11, 1))  # October sales
    grade(a, "B", period=date(2026, 11, 1))
    result = services.credit_limits_recalculate(actor=None, period="2026-11")
    assert result.superseded == 1 and result.requested == 1
    changes = list(LimitChange.objects.filter(account__customer=a).order_by("pk"))
    assert [c.status for c in changes] == ["superseded", "pending"]
    # avg of 12 months (Nov 2025 .. Oct 2026): 11 × 100k + 40k over 12 = 95k; B: × 45/30 × 1.0
    assert changes[1].proposed_amount == D("142500.00") and changes[1].term_days == 45
    # the older period is history now
    older = services.credit_limits_recalculate(actor=None, period="2026-10")
    assert older.skipped == "later_period"


def test_seasonal_factor_parameter_and_its_range(cw, firms):
    from datetime import date

    a = firms["a"]
    give_sales(a, [100000] * 12)
    grade(a, "A")
    RuleParameter.objects.create(code="trade.credit_seasonal_factor", value="1.2", status="approved",
                                 effective_from=date(2026, 10, 1), effective_to=date(2026, 10, 31))
    services.credit_limits_recalculate(actor=None, period="2026-10")
    assert LimitChange.objects.get(account__customer=a).proposed_amount == D("360000.00")
    RuleParameter.objects.create(code="trade.credit_seasonal_factor", value="1.6", status="approved",
                                 effective_from=date(2026, 11, 1))
    grade(a, "A", period=date(2026, 11, 1))
    from kehu.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.credit_limits_recalculate(actor=None, period="2026-11")


def test_recalc_needs_the_company_wide_permission(cw):
    with pytest.raises(PermissionDenied):
        services.credit_limits_recalculate(actor=cw.bj_cm, period="2026-10")
    with pytest.raises(PermissionDenied):
        services.credit_limits_recalculate(actor=cw.bj_fm, period="2026-10")  # a branch is not the company


def test_approval_puts_the_increase_in_force_by_a_second_person(cw, firms):
    a = firms["a"]
    give_sales(a, [100000] * 12)
    grade(a, "A")
    services.credit_limits_recalculate(actor=cw.hq_fm, period="2026-10")
    change = LimitChange.objects.get(account__customer=a)
    with pytest.raises(SelfApprovalNotAllowed):
        services.limit_change_approve(actor=cw.hq_fm, change_id=change.pk)
    with pytest.raises(PermissionDenied):
        services.limit_change_approve(actor=cw.bj_sm, change_id=change.pk)  # sales manager: no authority
    with pytest.raises(NotFound):
        services.limit_change_approve(actor=cw.sh_sm, change_id=change.pk)  # Shanghai does not see Beijing
    services.limit_change_approve(actor=cw.bj_fm, change_id=change.pk, note="同意")
    account = CreditAccount.objects.get(customer=a)
    assert account.limit_amount == D("300000.00") and account.term_days == 60
    limit = CreditLimit.objects.get(account=account, valid_to__isnull=True)
    assert limit.approved_by == cw.bj_fm and limit.basis["change_id"] == change.pk
    event = AuditEvent.objects.get(event_code=TradeCreditEvent.LIMIT_CHANGE_APPROVED)
    assert event.customer_id == a.pk and event.new_values["limit"] == "300000.00"
    with pytest.raises(InvalidTransition):
        services.limit_change_approve(actor=cw.hq_gm, change_id=change.pk)
    # the next recalculation of the period finds nothing to do
    again = services.credit_limits_recalculate(actor=None, period="2026-10")
    assert (again.decreased, again.requested) == (0, 0)


def test_manual_set_lowers_at_once_and_raises_only_with_a_second_person(cw, firms):
    a = firms["a"]
    set_limit(a, "100000.00", 45)
    with pytest.raises(PermissionDenied):
        services.credit_limit_set(actor=cw.bj_sm, customer_id=a.pk, amount="1.00", term_days=1, reason="测试调整")
    down = services.credit_limit_set(actor=cw.bj_fm, customer_id=a.pk, amount="80000.00", term_days=45,
                                     reason="客户回款变慢")
    assert down.limit is not None and down.change is None
    assert CreditAccount.objects.get(customer=a).limit_amount == D("80000.00")
    up = services.credit_limit_set(actor=cw.bj_fm, customer_id=a.pk, amount="120000.00", term_days=60,
                                   reason="旺季备货")
    assert up.limit is None and up.change.status == "pending"
    assert CreditAccount.objects.get(customer=a).limit_amount == D("80000.00")
    with pytest.raises(SelfApprovalNotAllowed):
        services.limit_change_approve(actor=cw.bj_fm, change_id=up.change.pk)
    services.limit_change_approve(actor=cw.hq_gm, change_id=up.change.pk)
    account = CreditAccount.objects.get(customer=a)
    assert (account.limit_amount, account.term_days) == (D("120000.00"), 60)
    assert AuditEvent.objects.filter(event_code=TradeCreditEvent.LIMIT_SET, customer_id=a.pk).count() == 1


def test_the_grading_run_recalculates_the_limits_when_it_closes(cw):
    from kehu.grading.models import GradeResult
    from kehu.grading.services import policies
    from kehu.grading.services.run import run_period

    draft = policies.policy_create(actor=cw.hq_office, name="默认评分卡")
    policies.policy_approve(actor=cw.hq_committee1, policy_id=draft.pk)
    firm = cw.admit(cw.enterprise())
    give_sales(firm, [2000000] * 12)  # well above the full volume: scores 30
    run_period(actor=cw.hq_office, period="2026-10")
    graded = GradeResult.objects.get(period=P, customer=firm)
    change = LimitChange.objects.get(account__customer=firm, status="pending")
    policy = {"A": (D("1.5"), 60), "B": (D("1.0"), 45), "C": (D("0.6"), 30)}[graded.grade]
    assert change.grade == graded.grade and change.period == P
    assert change.proposed_amount == (D("2000000") * policy[1] / 30 * policy[0]).quantize(D("0.01"))
    assert AuditEvent.objects.filter(event_code=TradeCreditEvent.LIMITS_RECALCULATED).count() == 1
