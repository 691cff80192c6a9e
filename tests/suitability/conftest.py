"""Helpers for the suitability tests: an investor with a profile, evidence and an assessment of a chosen class,
and products of a chosen kind and risk level."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from kehu.suitability import services
from kehu.suitability.models import Questionnaire

SCORE_FOR = {"C1-lowest": 0, "C1": 4, "C2": 8, "C3": 12, "C4": 15, "C5": 20}


def answers_for(score: int) -> dict[str, str]:
    """Answers of the default questionnaire (five questions scored 0-4) that add up to ``score``."""
    questionnaire = Questionnaire.objects.get(version="Q2017-1")
    answers, left = {}, score
    for question in questionnaire.questions:
        pick = min(4, left)
        answers[question["code"]] = "abcde"[pick]
        left -= pick
    assert left == 0
    return answers


class Kit:
    def __init__(self, world):
        from kehu.suitability.defaults import ensure_default_questionnaire

        # A test with real transactions empties every table afterwards, the migration's questionnaire too.
        ensure_default_questionnaire(Questionnaire)
        self.world = world
        self.n = 0

    def investor(self, cls: str = "C3", *, by=None, now: datetime | None = None, evidence: bool = True,
                 **facts):
        w = self.world
        by = by or w.bj_cm
        customer = w.individual(by=by)
        values = {"investor_kind": "person", "financial_assets_amount": "6000000.00",
                  "household_financial_net_assets_amount": "3500000.00", "average_income_amount": "450000.00",
                  "investment_experience_years": 5, "facts_confirmed": True}
        values.update(facts)
        profile = services.profile_save(actor=by, customer_id=customer.pk, now=now, **values)
        if evidence:
            services.evidence_add(actor=by, profile_id=profile.pk, kind="assets", filename="assets.pdf",
                                  content_type="application/pdf", data=b"%PDF-1.4 bank statement", now=now)
        if cls:
            services.assessment_record(actor=by, profile_id=profile.pk, answers=answers_for(SCORE_FOR[cls]), now=now)
        profile.refresh_from_db()
        return profile

    def product(self, risk: str = "R3", *, plan_kind: str = "collective", product_type: str = "mixed",
                minimum: str = "400000.00", cap: int | None = None, by=None, now=None):
        self.n += 1
        return services.product_create(actor=by or self.world.bj_office, code=f"P{self.n:03d}",
                                       name=f"测试计划{self.n}号", plan_kind=plan_kind, product_type=product_type,
                                       risk_level=risk, minimum_amount=minimum, org_code="BJ", max_investors=cap,
                                       now=now)

    def to_disclosure(self, profile, product, *, amount: str = "1000000.00", by=None, now=None):
        """A subscription taken to 'disclosure signed' (the investor matched with the product)."""
        w = self.world
        by = by or w.bj_cm
        sub = services.subscription_create(actor=by, investor_id=profile.pk, product_id=product.pk,
                                           amount=Decimal(amount), now=now)
        services.subscription_kyc_done(actor=by, subscription_id=sub.pk, now=now)
        services.subscription_check(actor=by, subscription_id=sub.pk, now=now)
        return services.subscription_sign_disclosure(actor=by, subscription_id=sub.pk, explained_by_id=by.pk,
                                                     esignature_ref="ESIGN-0001", now=now)


@pytest.fixture
def kit(world) -> Kit:
    return Kit(world)


@pytest.fixture
def tkit(tworld) -> Kit:
    return Kit(tworld)
