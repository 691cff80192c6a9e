"""Demo activities on top of the customers demo: a few months of calls, visits and notes by the branch
customer managers for most admitted customers, some follow-ups for a colleague (one due today, one overdue,
one done), and a handful of customers left without contact so that the managers' lists show them.
``load_demo_activities(rng)`` runs once; a second call changes nothing."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kehu.activities import services
from kehu.activities.models import Activity, FollowUpTask
from kehu.core.audit import seal_at_end
from kehu.core.models import User
from kehu.customers.models import Customer

SUBJECTS = {
    "call": ["询问下季度订货计划", "确认到货时间", "沟通回款安排", "核对发票信息"],
    "visit": ["上门拜访采购部", "参观客户生产线", "走访仓储现场"],
    "meeting": ["年度合作洽谈", "价格协商会议"],
    "email": ["发送报价单", "发送对账单"],
    "note": ["客户更换采购负责人", "客户计划扩产"],
}
OUTCOMES = ["客户表示满意", "需要再次跟进", "下周提供报价", "已达成初步意向", ""]
TASKS = ["寄送报价单", "安排技术交流", "核对回款", "更新客户联系人"]


def _colleague(manager: User) -> User | None:
    # A second customer manager of the same branch: bj_cm1 -> bj_cm2, hy_cm1 -> hy_cm2.
    if manager.username.endswith("1"):
        return User.objects.filter(username=manager.username[:-1] + "2").first()
    return None


@transaction.atomic
@seal_at_end()  # the audit rows sealed once, at the end: the same chain
def load_demo_activities(rng: random.Random) -> dict:
    if Activity.objects.exists():
        return {"created": False}
    now = timezone.now()
    today = timezone.localdate()
    customers = list(Customer.objects.filter(admission_status__in=["qualified", "active"], manager__isnull=False)
                     .select_related("manager").order_by("pk"))
    logged = tasks = 0
    for index, customer in enumerate(customers):
        if index % 7 == 6:
            continue  # left without contact: they appear on the managers' "without contact" list
        for _n in range(rng.randint(1, 4)):
            kind = rng.choice(list(SUBJECTS))
            services.activity_log(actor=customer.manager, customer_id=customer.pk, kind=kind,
                                  summary=rng.choice(SUBJECTS[kind]), outcome=rng.choice(OUTCOMES),
                                  occurred_at=now - timedelta(days=rng.randint(1, 75), hours=rng.randint(0, 8)),
                                  channel="demo")
            logged += 1
        colleague = _colleague(customer.manager)
        if colleague is None or index % 5:
            continue
        task = services.task_assign(actor=customer.manager, customer_id=customer.pk, title=rng.choice(TASKS),
                                    assignee_id=colleague.pk, due_on=today + timedelta(days=rng.randint(0, 10)),
                                    channel="demo")
        tasks += 1
        if tasks % 3 == 0:
            services.task_complete(actor=colleague, task_id=task.pk, note="已处理", channel="demo")
        elif tasks % 3 == 1:
            # An overdue follow-up, as if assigned a week ago.
            FollowUpTask.objects.filter(pk=task.pk).update(due_on=today - timedelta(days=3),
                                                           requested_due_on=today - timedelta(days=3))
    return {"created": True, "activities": logged, "follow_ups": tasks}
