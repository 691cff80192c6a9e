"""The set-based monthly run against the real database: knock-outs, grades written back, idempotency,
reopen, overrides, scope."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from kehu.core.audit import AuditEvent
from kehu.core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    SelfApprovalNotAllowed,
)
from kehu.customers.models import Customer
from kehu.grading import rules
from kehu.grading.errors import NoApprovedPolicy, PeriodClosed
from kehu.grading.events import GradingEvent
from kehu.grading.models import ExitReview, GradeResult, GradingRun
from kehu.grading.services import overrides, policies
from kehu.grading.services.events import event_record
from kehu.grading.services.run import results_digest, run_period, run_reopen

P = date(2026, 10, 1)


@pytest.fixture
def customers(gworld, policy):
    good = gworld.admit(gworld.enterprise())
    sued = gworld.admit(gworld.enterprise())
    event_record(actor=gworld.hq_office, customer_id=sued.pk, kind="sued_for_unpaid_goods",
                 occurred_on="2026-09-15")
    bare = gworld.enterprise()  # a prospect: never graded
    sh = gworld.admit(gworld.enterprise())
    # moved to Shanghai after admission (the admission helpers work in Beijing)
    from kehu.core.models import OrgUnit

    unit = OrgUnit.objects.get(code="SH")
    Customer.objects.filter(pk=sh.pk).update(org_unit=unit, org_path=unit.path)
    return {"good": good, "sued": sued, "bare": bare, "sh": sh}


def test_run_grades_tradable_customers_and_writes_the_grade(gworld, customers):
    run = run_period(actor=gworld.hq_office, period="2026-10", chunk_size=2)
    assert run.state == "closed"
    rows = {r.customer_id: r for r in GradeResult.objects.filter(period=P)}
    assert set(rows) == {customers["good"].pk, customers["sued"].pk, customers["sh"].pk}
    good, sued = rows[customers["good"].pk], rows[customers["sued"].pk]
    # without trade facts: volume scores 0, fulfilment and on-time count as complete (nothing due)
    assert good.score_volume == D("0.00") and good.score_fulfilment == D("25.00")
    assert good.score_payment == D("30.00") and good.score_operating == D("15.00")
    assert good.total_score == D("70.00") and good.grade == "C" and good.knockout == ""
    assert sued.raw_sued and sued.score_operating == D("10.00") and sued.cap == "C"
    assert sued.knockout == "sued_for_unpaid_goods" and sued.grade == "D"
    # the SQL agrees with the Python reference
    expected = rules.score_customer(policy_config(), {"volume": D(0), "fulfilment": None, "on_time": None,
                                                      "overdue_days": D(0), "licence_ok": D(1), "not_sued": D(0),
                                                      "archive_complete": D(1)},
                                    {"sued_for_unpaid_goods": True})
    assert (expected["total"], expected["grade"]) == (sued.total_score, sued.grade)
    assert Customer.objects.get(pk=customers["good"].pk).grade == "C"
    assert Customer.objects.get(pk=customers["bare"].pk).grade == ""
    assert AuditEvent.objects.filter(event_code=GradingEvent.RUN_CLOSED).count() == 1


def test_a_customer_without_facts_in_the_month_is_not_graded(gworld, policy):
    """A customer admitted today, with no trade at all, is not graded for any month (it used to get C, 70
    points: full marks for delivery and payment it never had). A purchase, an invoice due, an overdue invoice
    or a disqualifying event in M-1 is a fact; with ``grading.require_facts`` off the old scoring comes back."""
    from kehu.core.models import RuleParameter
    from kehu.trade.models import SalesRecord

    new = gworld.admit_without_facts(gworld.enterprise())
    bought = gworld.admit_without_facts(gworld.enterprise())
    SalesRecord.objects.create(customer=bought, period=date(2026, 9, 1), amount=D("500000.00"), reference="S-1")
    disqualified = gworld.admit_without_facts(gworld.enterprise())
    event_record(actor=gworld.hq_office, customer_id=disqualified.pk, kind="disqualifying", occurred_on="2026-09-20")
    run = run_period(actor=gworld.hq_office, period="2026-10")
    rows = {r.customer_id: r for r in GradeResult.objects.filter(period=P)}
    assert set(rows) == {bought.pk, disqualified.pk} and run.customers_graded == 2
    assert Customer.objects.get(pk=new.pk).grade == ""
    assert rows[bought.pk].score_volume == D("15.00") and rows[disqualified.pk].grade == "E"
    RuleParameter.objects.create(code="grading.require_facts", value=False, unit="yes/no", provenance="proposed",
                                 source_ref="test", effective_from=date(2020, 1, 1), status="approved")
    run_reopen(actor=gworld.hq_office, period="2026-10", reason="按旧规则重算")
    run_period(actor=gworld.hq_office, period="2026-10")
    assert GradeResult.objects.get(period=P, customer=new).total_score == D("70.00")


def policy_config():
    return policies.policy_in_force().config


def test_a_closed_period_needs_a_reopen_with_a_reason(gworld, customers):
    run_period(actor=gworld.hq_office, period="2026-10")
    digest = results_digest(P)
    with pytest.raises(PeriodClosed):
        run_period(actor=gworld.hq_office, period="2026-10")
    with pytest.raises(InvalidInput):
        run_reopen(actor=gworld.hq_office, period="2026-10", reason="")
    run_reopen(actor=gworld.hq_office, period="2026-10", reason="补录了九月份的发票")
    assert GradingRun.objects.get(period=P).state == "reopened"
    run_period(actor=gworld.hq_office, period="2026-10", chunk_size=1)
    assert results_digest(P) == digest  # same facts → byte-identical
    assert GradeResult.objects.filter(period=P).count() == 3
    event = AuditEvent.objects.filter(event_code=GradingEvent.RUN_REOPENED).get()
    assert event.reason == "补录了九月份的发票"


def test_change_from_last_month_and_disqualifying_exit(gworld, customers):
    run_period(actor=gworld.hq_office, period="2026-10")
    event_record(actor=gworld.hq_office, customer_id=customers["good"].pk, kind="disqualifying",
                 occurred_on="2026-10-20")
    run_period(actor=gworld.hq_office, period="2026-11")
    row = GradeResult.objects.get(period=date(2026, 11, 1), customer=customers["good"])
    assert (row.previous_grade, row.grade, row.change) == ("C", "E", -2)
    review = ExitReview.objects.get(customer=customers["good"])
    assert review.trigger == "disqualifying_event" and review.outcome == "terminated"
    customer = Customer.objects.get(pk=customers["good"].pk)
    assert customer.admission_status == "terminated" and customer.termination_reason == "grade_e_exit"


def test_run_needs_an_approved_policy_and_company_wide_permission(gworld):
    with pytest.raises(NoApprovedPolicy):
        run_period(actor=gworld.hq_office, period="2026-10")
    with pytest.raises(PermissionDenied):
        run_period(actor=gworld.bj_office, period="2026-10")  # office of a branch only
    with pytest.raises(PermissionDenied):
        run_period(actor=gworld.bj_cm, period="2026-10")
    with pytest.raises(InvalidInput):
        run_period(actor=gworld.hq_office, period="2026-13")


def test_policy_maker_checker(gworld):
    draft = policies.policy_create(actor=gworld.hq_office, name="v1")
    with pytest.raises(PermissionDenied):
        policies.policy_approve(actor=gworld.hq_office, policy_id=draft.pk)
    with pytest.raises(InvalidInput):
        policies.policy_create(actor=gworld.hq_office, name="bad", config={"indicators": []})
    committee_made = policies.policy_create(actor=gworld.hq_risk, name="v2")
    approved = policies.policy_approve(actor=gworld.hq_committee1, policy_id=committee_made.pk)
    assert approved.status == "approved" and approved.approved_by == gworld.hq_committee1
    with pytest.raises(InvalidTransition):
        policies.policy_approve(actor=gworld.hq_committee1, policy_id=committee_made.pk)


def test_policy_approver_is_not_the_maker(gworld):
    from kehu.core import services as core_services

    core_services.role_grant(user=gworld.hq_committee2, role="customer_office", org_code="HQ", actor=None)
    gworld.hq_committee2._kehu_access = None
    del gworld.hq_committee2._kehu_access
    draft = policies.policy_create(actor=gworld.hq_committee2, name="自己制定")
    with pytest.raises(SelfApprovalNotAllowed):
        policies.policy_approve(actor=gworld.hq_committee2, policy_id=draft.pk)


def test_override_one_step_second_approver_and_survives_a_rerun(gworld, customers):
    run_period(actor=gworld.hq_office, period="2026-10")
    good = customers["good"]
    with pytest.raises(InvalidInput):
        overrides.override_request(actor=gworld.bj_cm, customer_id=good.pk, period="2026-10", to_grade="A",
                                   reason="大客户战略合作")
    with pytest.raises(InvalidInput):
        overrides.override_request(actor=gworld.bj_cm, customer_id=good.pk, period="2026-10", to_grade="B",
                                   reason="")
    with pytest.raises(NotFound):  # Shanghai's manager does not see a Beijing customer
        overrides.override_request(actor=gworld.sh_cm, customer_id=good.pk, period="2026-10", to_grade="B",
                                   reason="大客户战略合作")
    req = overrides.override_request(actor=gworld.bj_cm, customer_id=good.pk, period="2026-10", to_grade="B",
                                     reason="大客户战略合作")
    with pytest.raises(InvalidTransition):
        overrides.override_request(actor=gworld.bj_sales, customer_id=good.pk, period="2026-10", to_grade="D",
                                   reason="重复申请")
    with pytest.raises(PermissionDenied):
        overrides.override_decide(actor=gworld.bj_sales, override_id=req.pk, approve=True)
    overrides.override_decide(actor=gworld.hq_committee1, override_id=req.pk, approve=True)
    row = GradeResult.objects.get(period=P, customer=good)
    assert row.grade == "B" and row.overridden and row.computed_grade == "C"
    assert Customer.objects.get(pk=good.pk).grade == "B"
    run_reopen(actor=gworld.hq_office, period="2026-10", reason="重新计算")
    run_period(actor=gworld.hq_office, period="2026-10")
    assert GradeResult.objects.get(period=P, customer=good).grade == "B"
    assert AuditEvent.objects.filter(event_code=GradingEvent.OVERRIDE_APPROVED).count() == 1


def test_results_scope(gworld, customers):
    from kehu.grading import selectors

    run_period(actor=gworld.hq_office, period="2026-10")
    seen = set(selectors.results(user=gworld.sh_cm, period=P).values_list("customer_id", flat=True))
    assert seen == {customers["sh"].pk}
    assert selectors.results(user=gworld.hq_office, period=P).count() == 3


def test_licence_expiry_costs_operating_points(gworld, policy):
    from kehu.customers.models import Licence

    customer = gworld.admit(gworld.enterprise())
    Licence.objects.filter(customer=customer).update(valid_to=date(2026, 9, 1) - timedelta(days=1))
    run_period(actor=gworld.hq_office, period="2026-10")
    row = GradeResult.objects.get(period=P, customer=customer)
    assert not row.raw_licence_ok and row.score_operating == D("10.00")
