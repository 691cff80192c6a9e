"""Demo suitability data through the services, on top of the customers demo (domain spec section 9):

* a C2 investor refused an R4 collective plan (the refusal is recorded in the mismatch report);
* a C3 investor who confirmed a written warning for the R4 plan while the warn-and-confirm setting was in
  force (a dated parameter version a month ago; refusal is back in force the next day);
* an ordinary investor converted to professional (test, warning, decision by a second person);
* a plan filing that is overdue, beside a policy filing submitted with its document.

``load_demo_suitability(rng)`` runs once; a second call changes nothing."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kehu.core import services as core_services
from kehu.core.models import OrgUnit, User
from kehu.customers import services as customer_services
from kehu.customers.generators import make_person_name, make_resident_id

from . import services
from .defaults import ensure_default_questionnaire
from .errors import NotSuitable
from .models import Product, Questionnaire

DEMO_PASSWORD = "Kehu-Demo-2026"
# answers of the default questionnaire (Q2017-1) scoring 8 (C2), 12 (C3) and 15 (C4)
ANSWERS = {
    "C2": {"experience": "e", "income": "e", "loss": "a", "goal": "a", "horizon": "a"},
    "C3": {"experience": "e", "income": "e", "loss": "e", "goal": "a", "horizon": "a"},
    "C4": {"experience": "e", "income": "e", "loss": "e", "goal": "d", "horizon": "a"},
}


def _user(username: str, org: str, role: str) -> User:
    user = User.objects.filter(username=username).first()
    return user or core_services.user_create(username=username, org_code=org, roles=[role], password=DEMO_PASSWORD,
                                             actor=None)


def _investor(rng, *, sales, cls: str, now, **facts):
    customer = customer_services.customer_create(
        actor=None, kind="individual", name=make_person_name(rng), id_number=make_resident_id(rng),
        phone="139" + "".join(rng.choice("0123456789") for _ in range(8)), org_code="HQ", manager_id=sales.pk)
    values = {"investor_kind": "person", "financial_assets_amount": "6000000.00",
              "household_financial_net_assets_amount": "3500000.00", "average_income_amount": "450000.00",
              "investment_experience_years": 5, "facts_confirmed": True, **facts}
    profile = services.profile_save(actor=sales, customer_id=customer.pk, now=now, **values)
    services.evidence_add(actor=sales, profile_id=profile.pk, kind="assets", filename="资产证明.pdf",
                          content_type="application/pdf", data=b"%PDF-1.4 demo asset statement", now=now)
    services.assessment_record(actor=sales, profile_id=profile.pk, answers=ANSWERS[cls], now=now)
    return profile


def load_demo_suitability(rng: random.Random) -> dict:
    with transaction.atomic():
        if Product.objects.exists():
            return {"created": False}
        if not OrgUnit.objects.filter(code="HQ").exists():
            return {"created": False, "reason": "load the customers demo first"}
        sales = _user("hq_am_sales", "HQ", "customer_manager")
        compliance = _user("hq_am_compliance", "HQ", "customer_office")
        compliance2 = _user("hq_am_compliance2", "HQ", "customer_office")
        params = User.objects.filter(username="admin").first() or _user("hq_am_params", "HQ", "sysadmin")
        ensure_default_questionnaire(Questionnaire)
    now = timezone.now()
    month_ago = now - timedelta(days=30)
    r4 = services.product_create(actor=compliance, code="AM-JH-001", name="成长精选集合资产管理计划",
                                 plan_kind="collective", product_type="equity", risk_level="R4",
                                 minimum_amount="1000000.00", org_code="HQ", max_investors=200,
                                 portfolio_manager_id=compliance.pk, set_up_on=timezone.localdate(now - timedelta(days=45)),
                                 now=month_ago)
    services.product_create(actor=compliance, code="AM-GS-002", name="稳健收益固定收益类资产管理计划",
                            plan_kind="private_2018", product_type="fixed_income", risk_level="R2",
                            minimum_amount="300000.00", org_code="HQ", max_investors=200,
                            portfolio_manager_id=compliance.pk, now=month_ago)
    services.material_attach(actor=compliance, product_id=r4.pk, title="产品介绍",
                             body="本计划主要投资于权益类资产，净值可能大幅波动，不保证本金和收益。", now=month_ago)

    # 1. A C2 investor refused the R4 plan (default policy: refuse).
    c2 = _investor(rng, sales=sales, cls="C2", now=month_ago)
    refused = services.subscription_create(actor=sales, investor_id=c2.pk, product_id=r4.pk, amount="1000000.00",
                                           now=month_ago)
    services.subscription_kyc_done(actor=sales, subscription_id=refused.pk, now=month_ago)
    try:
        services.subscription_check(actor=sales, subscription_id=refused.pk, now=month_ago)
    except NotSuitable:
        services.subscription_cancel(actor=sales, subscription_id=refused.pk, reason="适当性不匹配，投资者不得购买",
                                     now=month_ago)

    # 2. A C3 investor under warn-and-confirm, in force for one day a month ago (two dated parameter versions).
    day = timezone.localdate(month_ago)
    for value, start in (("warn_confirm", day), ("refuse", day + timedelta(days=1))):
        row = core_services.parameter_propose(code="am.above_level_policy", value=value, effective_from=start,
                                              reason="演示：限时允许书面警示后销售", actor=None)
        core_services.parameter_approve(parameter_id=row.pk, actor=params)
    c3 = _investor(rng, sales=sales, cls="C3", now=month_ago)
    warned = services.subscription_create(actor=sales, investor_id=c3.pk, product_id=r4.pk, amount="1200000.00",
                                          now=month_ago)
    services.subscription_kyc_done(actor=sales, subscription_id=warned.pk, now=month_ago)
    services.subscription_check(actor=sales, subscription_id=warned.pk, now=month_ago)
    services.subscription_confirm_warning(actor=sales, subscription_id=warned.pk,
                                          confirmation="本人已阅读书面警示，了解产品风险高于本人风险承受能力，仍坚持购买。",
                                          now=month_ago)
    services.subscription_sign_disclosure(actor=sales, subscription_id=warned.pk, explained_by_id=sales.pk,
                                          esignature_ref="CFCA-DEMO-0001", now=month_ago)

    # 3. A professional conversion: test, warning acknowledged, a second person decides.
    c4 = _investor(rng, sales=sales, cls="C4", now=month_ago, financial_assets_amount="3200000.00",
                   average_income_amount="320000.00", investment_experience_years=2)
    decision = services.professional_request(actor=compliance, profile_id=c4.pk, conversion=True,
                                             warning_acknowledged=True, now=month_ago)
    services.professional_decide(actor=compliance2, decision_id=decision.pk, approve=True,
                                 note="资产证明与投资经历材料齐全，同意转化", now=month_ago)

    # 4. Filings: the plan filing is overdue; the policy filing was submitted with its document.
    services.filing_create(actor=compliance, kind="plan", org_code="HQ", trigger_date=timezone.localdate(now - timedelta(days=20)),
                           subject="成长精选集合资产管理计划成立备案", product_id=r4.pk)
    policy = services.filing_create(actor=compliance, kind="policy_change", org_code="HQ",
                                    trigger_date=timezone.localdate(now - timedelta(days=3)), subject="投资者适当性管理制度修订备案")
    services.filing_attach(actor=compliance, filing_id=policy.pk, doc_kind="policies", filename="适当性管理制度.pdf",
                           data=b"%PDF-1.4 demo policy")
    services.filing_submit(actor=compliance, filing_id=policy.pk)
    services.filing_alerts(now=now)
    return {"created": True, "investors": 3, "products": 2, "filings": 2}
