"""Demo reception data through the services: a week of visits on the business calendar (prospects,
customers linked to the archive, partners), one VIP visit with its checklist ticked, one visitor who
overstayed and is still in the building, a cancellation and a no-show, and two recurring safety checks
(one overdue). ``load_demo_reception(rng)`` runs once; a second call changes nothing."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from kehu.core import calendar as cr
from kehu.core import services as core_services
from kehu.core.models import User
from kehu.core.selectors import calendar_for
from kehu.customers.models import Customer

from . import services
from .models import SafetyCheckItem, Visit

DEMO_PASSWORD = "Kehu-Demo-2026"
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周强", "吴婷", "徐峰", "孙丽"]
ORGS = ["华东有色贸易有限公司", "湘江物流有限公司", "金源检测技术有限公司", "长沙智造设备有限公司"]
PURPOSES = ["商务洽谈", "合同签订", "质量问题沟通", "参观生产线", "对账", "技术交流"]


def _user(username, org, role):
    user = User.objects.filter(username=username).first()
    return user or core_services.user_create(username=username, org_code=org, roles=[role], password=DEMO_PASSWORD,
                                             actor=None)


def _working_days_back(today, n, cal):
    days, day = [], today - timedelta(days=1)
    while len(days) < n:
        if cr.is_working_day(day, cal):
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


def load_demo_reception(rng: random.Random) -> dict:
    with transaction.atomic():
        if Visit.objects.exists():
            return {"created": False}
        desk = _user("hq_reception", "HQ", "service_agent")
        manager = _user("hq_service_sup", "HQ", "service_supervisor")
        host = _user("hq_agent1", "HQ", "service_agent")
    customers = list(Customer.objects.order_by("pk")[:12])
    tz = timezone.get_current_timezone()
    now = timezone.now()
    cal = calendar_for(desk.org_unit.path)
    days = _working_days_back(timezone.localdate(now), 5, cal)
    made = 0
    for d_index, day in enumerate(days):
        morning = datetime.combine(day, time(8, 0), tz)
        for slot, hhmm in enumerate((time(9, 0), time(10, 30), time(14, 0), time(15, 30))):
            start = datetime.combine(day, hhmm, tz)
            linked = customers[(d_index * 4 + slot) % len(customers)] if customers and slot % 2 == 0 else None
            vip = d_index == 1 and slot == 0
            visit = services.visit_book(
                actor=desk, host_id=host.pk, visitor_kind="customer" if linked else rng.choice(["prospect", "partner"]),
                visitor_name=rng.choice(NAMES), visitor_organisation=linked.name if linked else rng.choice(ORGS),
                visitor_phone=f"139{rng.randint(10000000, 99999999)}", customer_id=linked.pk if linked else None,
                purpose=rng.choice(PURPOSES), scheduled_start=start, expected_minutes=60, vip=vip,
                confidential=slot == 1 and d_index == 2, now=morning)
            made += 1
            if d_index == 3 and slot == 3:
                services.visit_transition(actor=desk, visit_id=visit.pk, to="no_show", now=start + timedelta(hours=1))
                continue
            if d_index == 0 and slot == 3:
                services.visit_transition(actor=desk, visit_id=visit.pk, to="cancelled", note="客户改期", now=morning)
                continue
            services.visit_check_in(actor=desk, visit_id=visit.pk, now=start - timedelta(minutes=5))
            services.visit_transition(actor=desk, visit_id=visit.pk, to="in_meeting", now=start + timedelta(minutes=5))
            if vip:
                for item in visit.vip_checklist:
                    services.visit_tick(actor=desk, visit_id=visit.pk, item=item, now=start + timedelta(minutes=10))
            if d_index == len(days) - 1 and slot == 3:
                continue  # the overstay: expected to leave after an hour, still in the building
            services.visit_transition(actor=desk, visit_id=visit.pk, to="checked_out",
                                      now=start + timedelta(minutes=rng.randint(40, 70)))
    # a booking outside reception hours waiting for the manager
    evening = datetime.combine(timezone.localdate(now) + timedelta(days=1), time(18, 30), tz)
    services.visit_book(actor=desk, visitor_kind="partner", visitor_name="郑凯", visitor_organisation=ORGS[0],
                        purpose="夜间设备调试", scheduled_start=evening, expected_minutes=90, now=now)
    made += 1
    with transaction.atomic():
        if not SafetyCheckItem.objects.exists():
            today = timezone.localdate(now)
            fire = services.safety_item_create(actor=desk, name="消防器材检查", first_due_on=today - timedelta(days=40),
                                               now=now)
            services.safety_check_record(actor=desk, item_id=fire.pk, done_on=today - timedelta(days=10), passed=True,
                                         notes="灭火器压力正常", now=now)
            services.safety_item_create(actor=desk, name="疏散通道与应急照明", first_due_on=today - timedelta(days=3),
                                        now=now)
    return {"created": True, "visits": made, "manager": manager.username}
