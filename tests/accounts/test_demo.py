"""The accounts demo builds on the customers demo, through the services, once: people near each limit,
and people past the Class III ¥50,000 total with open and overdue tasks."""

from __future__ import annotations

import random

from django.utils import timezone

from kehu.accounts import selectors
from kehu.accounts.demo import load_demo_accounts
from kehu.accounts.models import PersonalAccount, RemediationTask
from kehu.customers.demo import load_demo


def test_demo_loads_once_with_people_near_each_limit(db):
    load_demo()
    first = load_demo_accounts(random.Random(7))
    assert first["created"]
    today = timezone.localdate()
    near = set()
    for account in PersonalAccount.objects.exclude(tier="I"):
        for usage in selectors.account_usage(account, today):
            if usage.limit and 0.9 <= usage.used / usage.limit <= 1:
                near.add(usage.rule)
    assert {"class2_in_day", "class2_out_day", "class3_balance", "class3_out_day"} <= near
    if today.timetuple().tm_yday > 30:
        assert {"class2_in_year", "class2_out_year", "class3_out_year"} <= near
    tasks = RemediationTask.objects.all()
    assert tasks.filter(due_date__gte=today).exists() and selectors.overdue_tasks(tasks, today).exists()
    count = PersonalAccount.objects.count()
    assert load_demo_accounts(random.Random(7))["created"] is False
    assert PersonalAccount.objects.count() == count
