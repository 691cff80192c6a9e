"""The suitability services against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from kehu.core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    SelfApprovalNotAllowed,
)
from kehu.core.models import AuditEvent, RuleParameter
from kehu.suitability import services
from kehu.suitability.errors import (
    AssessmentExpired,
    BelowMinimum,
    ChecklistIncomplete,
    CoolingOff,
    ForbiddenPromise,
    NotQualified,
    NotSuitable,
    PlanFull,
    RetentionPeriod,
    StaffNotAllowed,
)
from kehu.suitability.events import SuitabilityEvent as E
from kehu.suitability.models import (
    MarketingMaterial,
    RiskAssessment,
    Subscription,
    SubscriptionStatusChange,
    SuitabilityCheck,
)

from .conftest import answers_for

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def set_param(code, value, *, effective_from=date(2000, 1, 1)):
    RuleParameter.objects.create(code=code, value=value, status=RuleParameter.Status.APPROVED,
                                 effective_from=effective_from, approved_at=timezone.now())


def audited(code) -> bool:
    return AuditEvent.objects.filter(event_code=code).exists()


def test_assessment_scores_answers_into_a_class_and_keeps_them(kit):
    profile = kit.investor(cls=None)
    assessment = services.assessment_record(actor=kit.world.bj_cm, profile_id=profile.pk, answers=answers_for(12))
    assert (assessment.score, assessment.investor_class, assessment.lowest_category) == (12, "C3", False)
    assert assessment.answers == answers_for(12)
    today = timezone.localdate()
    assert assessment.valid_until == today.replace(year=today.year + 2) - timedelta(days=1)
    lowest = services.assessment_record(actor=kit.world.bj_cm, profile_id=profile.pk, answers=answers_for(0))
    assert (lowest.investor_class, lowest.lowest_category) == ("C1", True)
    assert RiskAssessment.objects.get(pk=assessment.pk).superseded
    assert audited(E.ASSESSMENT_RECORDED)


def test_assessment_refuses_incomplete_answers_and_writes_nothing(kit):
    profile = kit.investor(cls=None)
    with pytest.raises(InvalidInput):
        services.assessment_record(actor=kit.world.bj_cm, profile_id=profile.pk, answers={"experience": "a"})
    assert not RiskAssessment.objects.filter(profile=profile).exists()


def test_profile_outside_scope_is_not_found(kit):
    profile = kit.investor()
    with pytest.raises(NotFound):
        services.assessment_record(actor=kit.world.sh_cm, profile_id=profile.pk, answers=answers_for(4))


def test_c2_investor_is_refused_an_r4_plan_and_the_refusal_is_recorded(kit):
    profile, product = kit.investor("C2"), kit.product("R4")
    sub = services.subscription_create(actor=kit.world.bj_cm, investor_id=profile.pk, product_id=product.pk,
                                       amount="1000000.00")
    services.subscription_kyc_done(actor=kit.world.bj_cm, subscription_id=sub.pk)
    with pytest.raises(NotSuitable) as caught:
        services.subscription_check(actor=kit.world.bj_cm, subscription_id=sub.pk)
    assert caught.value.code == "above_level_refused"
    check = SuitabilityCheck.objects.get(subscription=sub)
    assert (check.allowed, check.investor_class, check.product_risk) == (False, "C2", "R4")
    assert Subscription.objects.get(pk=sub.pk).state == "kyc_done"


def test_warn_and_confirm_lets_a_c3_investor_buy_r4_after_a_written_warning(kit):
    set_param("am.above_level_policy", "warn_confirm")
    profile, product = kit.investor("C3"), kit.product("R4")
    sub = services.subscription_create(actor=kit.world.bj_cm, investor_id=profile.pk, product_id=product.pk,
                                       amount="1000000.00")
    services.subscription_kyc_done(actor=kit.world.bj_cm, subscription_id=sub.pk)
    sub = services.subscription_check(actor=kit.world.bj_cm, subscription_id=sub.pk)
    assert sub.state == "kyc_done" and sub.warned_at is not None and "R4" in sub.warning_text
    with pytest.raises(InvalidTransition):  # no disclosure before the confirmation
        services.subscription_sign_disclosure(actor=kit.world.bj_cm, subscription_id=sub.pk,
                                              explained_by_id=kit.world.bj_cm.pk, esignature_ref="E1")
    sub = services.subscription_confirm_warning(actor=kit.world.bj_cm, subscription_id=sub.pk,
                                                confirmation="本人已阅读风险警示，仍坚持购买")
    assert sub.state == "warned_confirmed" and sub.disclosure_text
    assert SuitabilityCheck.objects.get(subscription=sub).needs_warning


def test_warn_and_confirm_never_applies_to_the_lowest_category(kit):
    set_param("am.above_level_policy", "warn_confirm")
    profile, product = kit.investor("C1-lowest"), kit.product("R2", plan_kind="collective")
    sub = services.subscription_create(actor=kit.world.bj_cm, investor_id=profile.pk, product_id=product.pk,
                                       amount="1000000.00")
    services.subscription_kyc_done(actor=kit.world.bj_cm, subscription_id=sub.pk)
    with pytest.raises(NotSuitable) as caught:
        services.subscription_check(actor=kit.world.bj_cm, subscription_id=sub.pk)
    assert caught.value.code == "lowest_category"


def test_expired_assessment_blocks(kit):
    past = datetime(2023, 1, 10, 10, 0, tzinfo=SH)
    profile, product = kit.investor("C5", now=past), kit.product("R1")
    assert services.assessment_expire_due() == 1
    sub = services.subscription_create(actor=kit.world.bj_cm, investor_id=profile.pk, product_id=product.pk,
                                       amount="1000000.00")
    services.subscription_kyc_done(actor=kit.world.bj_cm, subscription_id=sub.pk)
    with pytest.raises(AssessmentExpired):
        services.subscription_check(actor=kit.world.bj_cm, subscription_id=sub.pk)
    assert audited(E.ASSESSMENT_EXPIRED)


def test_material_change_of_facts_requires_a_retest(kit):
    profile, product = kit.investor("C5"), kit.product("R1")
    services.profile_save(actor=kit.world.bj_cm, customer_id=profile.customer_id, investor_kind="person",
                          financial_assets_amount="6000000.00", household_financial_net_assets_amount="3500000.00",
                          average_income_amount="100000.00", investment_experience_years=5, facts_confirmed=True)
    result = services.match_for(user=kit.world.bj_cm, investor_id=profile.pk, product_id=product.pk)
    assert result["reason_code"] == "assessment_expired" and result["allowed"] is False


def test_staff_may_not_be_single_client_investors(kit):
    profile = kit.investor("C5", is_staff_or_spouse=True)
    single = kit.product("R3", plan_kind="single", minimum="1000000.00")
    with pytest.raises(StaffNotAllowed):
        services.subscription_create(actor=kit.world.bj_cm, investor_id=profile.pk, product_id=single.pk,
                                     amount="2000000.00")
    collective = kit.product("R3")
    assert services.subscription_create(actor=kit.world.bj_cm, investor_id=profile.pk, product_id=collective.pk,
                                        amount="2000000.00").state == "draft"


def test_minimum_amounts_of_the_rule_version(kit):
    profile = kit.investor("C5")
    single = kit.product("R3", plan_kind="single", minimum="100.00")
    with pytest.raises(BelowMinimum):  # M-7: ¥1 m for a single-client plan whatever the product says
        services.subscription_create(actor=kit.world.bj_cm, investor_id=profile.pk, product_id=single.pk,
                                     amount="999999.99")
    fixed = kit.product("R2", product_type="fixed_income", minimum="100000.00")
    with pytest.raises(BelowMinimum):  # 2018: fixed income ¥300k
        services.subscription_create(actor=kit.world.bj_cm, investor_id=profile.pk, product_id=fixed.pk,
                                     amount="299999.99")
    assert services.subscription_create(actor=kit.world.bj_cm, investor_id=profile.pk, product_id=fixed.pk,
                                        amount="300000.00").state == "draft"


def test_the_rule_version_of_the_subscription_date_applies(kit):
    # ¥1 m of financial assets and no experience: qualified under 2012, not under 2018.
    profile = kit.investor("C5", financial_assets_amount="1000000.00", household_financial_net_assets_amount="0",
                           average_income_amount="0", investment_experience_years=0)
    product = kit.product("R3", minimum="100000.00", product_type="mixed")
    before = datetime(2018, 10, 21, 10, 0, tzinfo=SH)
    old = services.subscription_create(actor=kit.world.bj_cm, investor_id=profile.pk, product_id=product.pk,
                                       amount="500000.00", now=before)
    assert old.rule_version == "2012"
    services.subscription_kyc_done(actor=kit.world.bj_cm, subscription_id=old.pk)
    new = services.subscription_create(actor=kit.world.bj_cm, investor_id=profile.pk, product_id=product.pk,
                                       amount="500000.00", now=datetime(2018, 10, 22, 10, 0, tzinfo=SH))
    assert new.rule_version == "2018"
    with pytest.raises(NotQualified) as caught:
        services.subscription_kyc_done(actor=kit.world.bj_cm, subscription_id=new.pk)
    assert caught.value.code == "not_qualified"


def test_the_whole_path_to_active_with_history_and_audit(kit):
    w = kit.world
    profile, product = kit.investor("C4"), kit.product("R4")
    t0 = timezone.now()
    sub = kit.to_disclosure(profile, product)
    assert sub.explained_by == w.bj_cm and sub.risk_disclosure_signed_at and sub.disclosure_sha256
    services.subscription_sign_contract(actor=w.bj_cm, subscription_id=sub.pk, now=t0)
    sub = services.subscription_funds_received(actor=w.bj_cm, subscription_id=sub.pk, now=t0)
    assert sub.cooling_off_end == t0 + timedelta(hours=24)
    with pytest.raises(CoolingOff):
        services.subscription_callback(actor=w.bj_office, subscription_id=sub.pk, note="回访",
                                       now=t0 + timedelta(hours=23, minutes=59))
    assert services.cooling_off_expire_due(now=t0 + timedelta(hours=24)) == 1
    services.subscription_callback(actor=w.bj_office, subscription_id=sub.pk, note="客户确认认购意愿",
                                   now=t0 + timedelta(hours=25))
    sub = services.subscription_activate(actor=w.bj_office, subscription_id=sub.pk, now=t0 + timedelta(hours=26))
    assert sub.state == "active"
    states = list(SubscriptionStatusChange.objects.filter(subscription=sub).values_list("to_state", flat=True))
    assert states == ["draft", "kyc_done", "suitability_ok", "disclosure_signed", "contract_signed", "cooling_off",
                      "callback_done", "active"]
    assert AuditEvent.objects.filter(event_code=E.SUBSCRIPTION_TRANSITION, object_id=str(sub.pk)).count() == 7


def test_cooling_off_across_midnight(kit):
    w = kit.world
    profile, product = kit.investor("C4"), kit.product("R2")
    sub = kit.to_disclosure(profile, product)
    signed = datetime(2026, 12, 7, 23, 30, tzinfo=SH)
    services.subscription_sign_contract(actor=w.bj_cm, subscription_id=sub.pk, now=signed)
    sub = services.subscription_funds_received(actor=w.bj_cm, subscription_id=sub.pk, now=signed)
    assert sub.cooling_off_end == datetime(2026, 12, 8, 23, 30, tzinfo=SH)
    next_morning = datetime(2026, 12, 8, 9, 0, tzinfo=SH)  # a new calendar day, but not 24 hours
    assert services.cooling_off_expire_due(now=next_morning) == 0
    with pytest.raises(CoolingOff):
        services.subscription_callback(actor=w.bj_office, subscription_id=sub.pk, note="回访", now=next_morning)
    assert services.subscription_callback(actor=w.bj_office, subscription_id=sub.pk, note="回访",
                                          now=datetime(2026, 12, 8, 23, 30, tzinfo=SH)).state == "callback_done"


def test_disclosure_needs_a_signature_and_the_explaining_staff(kit):
    w = kit.world
    profile, product = kit.investor("C4"), kit.product("R2")
    sub = services.subscription_create(actor=w.bj_cm, investor_id=profile.pk, product_id=product.pk,
                                       amount="1000000.00")
    services.subscription_kyc_done(actor=w.bj_cm, subscription_id=sub.pk)
    services.subscription_check(actor=w.bj_cm, subscription_id=sub.pk)
    with pytest.raises(InvalidInput):
        services.subscription_sign_disclosure(actor=w.bj_cm, subscription_id=sub.pk, explained_by_id=w.bj_cm.pk)
    with pytest.raises(InvalidInput):
        services.subscription_sign_disclosure(actor=w.bj_cm, subscription_id=sub.pk, explained_by_id=0,
                                              esignature_ref="E1")
    sub = services.subscription_sign_disclosure(actor=w.bj_cm, subscription_id=sub.pk, explained_by_id=w.bj_sales.pk,
                                                signed_copy=("signed.pdf", "application/pdf", b"%PDF signed"))
    assert sub.state == "disclosure_signed" and sub.disclosure_document.kind == "contract"
    assert sub.explained_by == w.bj_sales


def test_investor_cap_is_enforced_and_a_cancel_frees_the_place(kit):
    w = kit.world
    product = kit.product("R2", cap=2)
    subs = [kit.to_disclosure(kit.investor("C3"), product) for _ in range(3)]
    services.subscription_sign_contract(actor=w.bj_cm, subscription_id=subs[0].pk)
    services.subscription_sign_contract(actor=w.bj_cm, subscription_id=subs[1].pk)
    with pytest.raises(PlanFull):
        services.subscription_sign_contract(actor=w.bj_cm, subscription_id=subs[2].pk)
    services.subscription_cancel(actor=w.bj_cm, subscription_id=subs[1].pk, reason="冷静期内撤回")
    assert services.subscription_sign_contract(actor=w.bj_cm, subscription_id=subs[2].pk).state == "contract_signed"


def test_professional_conversion_needs_warning_test_and_a_second_person(kit):
    w = kit.world
    profile = kit.investor("C3", financial_assets_amount="3000000.00", average_income_amount="0",
                           investment_experience_years=1)
    with pytest.raises(InvalidInput):
        services.professional_request(actor=w.bj_cm, profile_id=profile.pk, conversion=True)
    decision = services.professional_request(actor=w.bj_office, profile_id=profile.pk, conversion=True,
                                             warning_acknowledged=True)
    assert decision.status == "requested" and decision.basis["passed"]
    with pytest.raises(SelfApprovalNotAllowed):
        services.professional_decide(actor=w.bj_office, decision_id=decision.pk, approve=True)
    with pytest.raises(PermissionDenied):
        services.professional_decide(actor=w.bj_cm, decision_id=decision.pk, approve=True)
    from kehu.core import services as core_services

    second = core_services.user_create(username="bj_office2", org_code="BJ", roles=["customer_office"],
                                       password="Kehu-test-2026", actor=None)
    services.professional_decide(actor=second, decision_id=decision.pk, approve=True, note="材料齐全")
    profile.refresh_from_db()
    assert profile.professional
    r5 = kit.product("R5", plan_kind="single", minimum="1000000.00")
    assert services.match_for(user=w.bj_cm, investor_id=profile.pk, product_id=r5.pk)["reason_code"] == \
        "professional"
    # Professional status does not waive the 2018 qualified-investor test (two years' experience).
    collective = kit.product("R5")
    assert services.match_for(user=w.bj_cm, investor_id=profile.pk, product_id=collective.pk)["reason_code"] == \
        "experience_below"


def test_professional_request_needs_evidence(kit):
    profile = kit.investor("C3", evidence=False)
    with pytest.raises(InvalidTransition) as caught:
        services.professional_request(actor=kit.world.bj_cm, profile_id=profile.pk, conversion=True,
                                      warning_acknowledged=True)
    assert caught.value.code == "evidence_missing"


def test_a_failed_professional_test_is_recorded_as_rejected(kit):
    profile = kit.investor("C3", financial_assets_amount="2999999.99", average_income_amount="299999.99",
                           investment_experience_years=3)
    decision = services.professional_request(actor=kit.world.bj_cm, profile_id=profile.pk, conversion=True,
                                             warning_acknowledged=True)
    assert decision.status == "rejected" and decision.basis["reason"] == "wealth_below"


def test_marketing_text_with_a_forbidden_promise_is_refused(kit):
    product = kit.product("R3")
    with pytest.raises(ForbiddenPromise) as caught:
        services.material_attach(actor=kit.world.bj_office, product_id=product.pk, title="宣传页",
                                 body="本计划保本，年化最低收益5%")
    assert caught.value.problems == ["保本", "最低收益"]
    assert not MarketingMaterial.objects.exists()
    set_param("am.forbidden_phrases", ["稳赚"])  # the managed list decides
    assert services.material_attach(actor=kit.world.bj_office, product_id=product.pk, title="宣传页",
                                    body="本计划保本").pk


def test_filing_due_date_across_a_holiday_and_the_checklist(kit):
    w = kit.world
    product = kit.product("R3")
    filing = services.filing_create(actor=w.bj_office, kind="plan", org_code="BJ", trigger_date="2025-09-30",
                                    subject="测试计划成立备案", product_id=product.pk)
    assert filing.due_date == date(2025, 10, 14)  # 5 working days, the National Day week skipped
    for kind in ["report", "plan_docs", "custody", "compliance_opinion", "existing_plans"]:
        services.filing_attach(actor=w.bj_office, filing_id=filing.pk, doc_kind=kind, filename=f"{kind}.pdf",
                               data=b"%PDF")
    with pytest.raises(ChecklistIncomplete) as caught:
        services.filing_submit(actor=w.bj_office, filing_id=filing.pk)
    assert caught.value.problems == ["undertaking"]
    services.filing_attach(actor=w.bj_office, filing_id=filing.pk, doc_kind="undertaking", filename="u.pdf",
                           data=b"%PDF")
    assert services.filing_submit(actor=w.bj_office, filing_id=filing.pk).status == "submitted"


def test_filing_alerts_warn_then_mark_overdue_once(kit):
    w = kit.world
    filing = services.filing_create(actor=w.bj_office, kind="policy", org_code="BJ", trigger_date="2026-03-02",
                                    subject="制度备案")
    assert filing.due_date == date(2026, 3, 9)
    assert services.filing_alerts(now=datetime(2026, 3, 5, 9, tzinfo=SH)) == {"warned": 0, "overdue": 0}
    assert services.filing_alerts(now=datetime(2026, 3, 7, 9, tzinfo=SH)) == {"warned": 1, "overdue": 0}
    assert services.filing_alerts(now=datetime(2026, 3, 10, 9, tzinfo=SH)) == {"warned": 0, "overdue": 1}
    assert services.filing_alerts(now=datetime(2026, 3, 11, 9, tzinfo=SH)) == {"warned": 0, "overdue": 0}


def test_records_are_kept_for_twenty_years(kit):
    profile = kit.investor("C3")
    assessment = RiskAssessment.objects.get(profile=profile)
    with pytest.raises(RetentionPeriod):
        services.record_purge(actor=kit.world.admin, record_type="assessment", record_id=assessment.pk)
    assert RiskAssessment.objects.filter(pk=assessment.pk).exists()
    later = timezone.now() + timedelta(days=366 * 20 + 1)
    services.record_purge(actor=kit.world.admin, record_type="assessment", record_id=assessment.pk, now=later)
    assert not RiskAssessment.objects.filter(pk=assessment.pk).exists()
    with pytest.raises(RetentionPeriod):  # evidence and assessments still point at the profile
        services.record_purge(actor=kit.world.admin, record_type="investor_profile", record_id=profile.pk,
                              now=later)
    with pytest.raises(PermissionDenied):
        services.record_purge(actor=kit.world.bj_cm, record_type="assessment", record_id=assessment.pk, now=later)


def test_suitability_expire_command_runs_everything(kit):
    from io import StringIO

    from django.core.management import call_command

    kit.investor("C3", now=datetime(2020, 1, 1, 10, tzinfo=SH))
    out = StringIO()
    call_command("suitability_expire", stdout=out)
    assert "assessments expired: 1" in out.getvalue()
