"""Demo personal-information protection through the services: two versions of the privacy notice, consents
of some demo customers under the one in force (one withdrawn), the privacy officer ``hq_privacy`` and three
data-subject requests in different states: an access request received, due within days; a deletion request
whose identity is verified; a correction answered. ``load_demo_privacy(rng)`` runs once; a second call
changes nothing."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from kehu.core import services as core_services
from kehu.core.models import User
from kehu.core.params import get_param
from kehu.core.selectors import calendar_for
from kehu.customers.models import Customer

from . import rules, services
from .models import Consent, PrivacyNotice

DEMO_PASSWORD = "Kehu-Demo-2026"
NOTICE = ("{controller}个人信息保护告知书（{version}）\n"
          "一、我们处理的个人信息：身份信息、联系方式、地址、职业。\n"
          "二、处理目的与法律依据：客户身份识别与反洗钱（法定义务）、客户档案与服务（合同）、与客户联系（合同）、"
          "营销推广（同意，可随时撤回，拒绝不影响基本服务）。\n"
          "三、保存期限：业务关系结束后按法律规定的期限保存，期满后删除或匿名化。\n"
          "四、您的权利：查阅、复制、更正、删除、要求解释处理规则、撤回同意；我们在十五个工作日内答复。\n")


def _officer() -> User:
    user = User.objects.filter(username="hq_privacy").first()
    return user or core_services.user_create(username="hq_privacy", org_code="HQ", roles=["privacy_officer"],
                                             password=DEMO_PASSWORD, actor=None)


def _due_soon_received(now, customer) -> datetime:
    """A time of receipt whose due date (15 working days on the branch's calendar) is one to a few days
    ahead: the request the privacy officer should answer first."""
    calendar = calendar_for(customer.org_path)
    on = timezone.localdate(now)
    working, cap = int(get_param("privacy.dsar_sla_working_days", on=on)), int(get_param("privacy.dsar_cap_days", on=on))
    received = now - timedelta(days=10)
    for days in range(10, 30):
        at = now - timedelta(days=days)
        due, _cap = rules.request_due(at, calendar, working_days=working, cap_days=cap)
        if due < now + timedelta(days=1):
            break
        received = at
    return received


def load_demo_privacy(rng: random.Random) -> dict:
    if PrivacyNotice.objects.exists():
        return {"created": False}
    now = timezone.now()
    today = timezone.localdate(now)
    officer = _officer()
    services.notice_publish(actor=officer, version="2025.1", content=NOTICE.format(controller="本公司", version="2025.1"),
                            effective_from=today - timedelta(days=400))
    services.notice_publish(actor=officer, version="2026.1", content=NOTICE.format(controller="本公司", version="2026.1"),
                            effective_from=today - timedelta(days=60))

    people = list(Customer.objects.filter(kind="individual", manager__isnull=False, pi_restricted=False,
                                          admission_status__in=["active", "qualified", "in_review", "prospect"])
                  .select_related("manager").order_by("pk")[:12])
    rng.shuffle(people)
    consents = 0
    for customer in people[:6]:
        for purpose in ("contact", "marketing") if rng.random() < 0.7 else ("contact",):
            services.consent_give(actor=customer.manager, customer_id=customer.pk, purpose_code=purpose,
                                  channel=rng.choice(["paper", "counter", "online"]),
                                  now=now - timedelta(days=rng.randint(1, 50)))
            consents += 1
    withdrawn = Consent.objects.filter(purpose__code="marketing").order_by("pk").first()
    if withdrawn is not None:
        services.consent_withdraw(actor=withdrawn.customer.manager, consent_id=withdrawn.pk)

    requests = []
    if len(people) >= 9:
        first, second, third = people[6], people[7], people[8]
        requests.append(services.request_receive(
            actor=first.manager, customer_id=first.pk, kind="access", channel="counter",
            detail="客户要求查阅并复制本公司保存的其本人全部个人信息。", now=_due_soon_received(now, first)))
        deletion = services.request_receive(
            actor=second.manager, customer_id=second.pk, kind="deletion", channel="online",
            detail="客户撤回营销同意并要求删除联系方式。", now=now - timedelta(days=3))
        services.request_verify(actor=officer, request_id=deletion.pk, verification="柜面核验身份证原件",
                                now=now - timedelta(days=2))
        requests.append(deletion)
        correction = services.request_receive(
            actor=third.manager, customer_id=third.pk, kind="correction", channel="phone",
            detail="客户称地址已变更，要求更正。", now=now - timedelta(days=20))
        services.request_verify(actor=officer, request_id=correction.pk, verification="电话录音核对预留信息",
                                now=now - timedelta(days=19))
        services.request_complete(actor=officer, request_id=correction.pk, outcome="已按客户提供的新地址更正档案。",
                                  now=now - timedelta(days=15))
        requests.append(correction)
    return {"created": True, "notices": 2, "consents": consents, "requests": len(requests)}
