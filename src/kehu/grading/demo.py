"""Demo grading: an office user drafts the default scorecard, a committee member approves it, and when the
trade demo has recorded facts the last two months are graded (so the summary shows a migration)."""

from __future__ import annotations

import random

from django.utils import timezone

from kehu.core import services as core_services
from kehu.core.models import OrgUnit, User
from kehu.core.periods import month_before
from kehu.customers.demo import DEMO_PASSWORD
from kehu.grading.models import GradingRun, ScorecardPolicy
from kehu.grading.services import policies
from kehu.grading.services.run import run_period
from kehu.trade.models import SalesRecord

GRADING_LOGINS = [("hq_grading1", "customer_office"), ("hq_grading_committee", "committee")]


def _user(username: str, role: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
        user = core_services.user_create(username=username, org_code=root.code, roles=[role],
                                         password=DEMO_PASSWORD, actor=None)
    return user


def _facts_exist() -> bool:
    return SalesRecord.objects.exists()


def load_demo_grading(rng: random.Random) -> dict:
    if not OrgUnit.objects.exists():
        return {"created": False, "reason": "load the customers demo first"}
    created = False
    maker, checker = (_user(name, role) for name, role in GRADING_LOGINS)
    if not ScorecardPolicy.objects.filter(status="approved").exists():
        draft = policies.policy_create(actor=maker, name="默认评分卡（域规范 G-6/G-7/G-8）")
        policies.policy_approve(actor=checker, policy_id=draft.pk)
        created = True
    if not _facts_exist():
        return {"created": created, "runs": 0, "reason": "no trade facts"}
    this_month = timezone.localdate().replace(day=1)
    runs = 0
    for period in (month_before(this_month), this_month):
        if not GradingRun.objects.filter(period=period, state="closed").exists():
            run_period(actor=maker, period=period)
            runs += 1
    return {"created": created or bool(runs), "runs": runs}
