"""The reception, survey and staff demos on top of a few customers: a week of visits with one VIP and
one overstay, answered and unanswered surveys, one low score that opened a case, a month of scorecards;
each loads once."""

import random

import pytest
from django.utils import timezone

from kehu.customers.models import Customer
from kehu.reception import selectors
from kehu.reception.demo import load_demo_reception
from kehu.reception.models import Visit
from kehu.staff.demo import load_demo_staff
from kehu.staff.models import Interview, Scorecard
from kehu.surveys.demo import load_demo_surveys
from kehu.surveys.models import Answer, Invitation

pytestmark = pytest.mark.django_db


def test_demos_build_once(rworld):
    for i in range(6):
        rworld.enterprise(email=f"buyer{i}@example.cn")
    Customer.objects.filter(pk__in=Customer.objects.values("pk")[:2]).update(grade="A")
    assert load_demo_reception(random.Random(1))["created"]
    assert Visit.objects.filter(vip=True).count() == 1
    from kehu.core.models import User

    desk = selectors.desk_day(user=User.objects.get(username="hq_reception"), day=timezone.localdate(),
                              now=timezone.now())
    assert len(desk["overstayed"]) == 1
    surveys = load_demo_surveys(random.Random(2))
    assert surveys["created"] and surveys["follow_up_cases"] == 1
    answered = Invitation.objects.filter(answered_at__isnull=False).count()
    assert 0 < answered < Invitation.objects.count()
    assert Answer.objects.get(follow_up__isnull=False).follow_up.kind == "dissatisfaction"
    staff = load_demo_staff(random.Random(3))
    assert staff["scored"] == Scorecard.objects.count() >= 5 and staff["complete"] == 5
    assert Interview.objects.count() == staff["improvement"] == 1
    assert load_demo_reception(random.Random(1)) == {"created": False}
    assert load_demo_surveys(random.Random(2)) == {"created": False}
    assert load_demo_staff(random.Random(3)) == {"created": False}
