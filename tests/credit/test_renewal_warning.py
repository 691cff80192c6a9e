"""B-8: a line expiring within ``bankline.expiry_warning_days`` with no renewal started warns its customer
manager once through the daily job, and is listed on the credit lines page until a renewal is requested."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone
from tests._fixtures.credit_world import active_line, rated_customer

from kehu.core.models import AuditEvent
from kehu.credit import services
from kehu.credit.events import CreditEvent
from kehu.credit.jobs import JOB
from kehu.credit.models import CreditLine
from kehu.credit.services.lines import line_expiry_warn


def test_expiring_lines_warn_the_customer_manager_once_until_renewed(cworld):
    today = timezone.localdate()
    soon, later = rated_customer(cworld), rated_customer(cworld)
    expiring = active_line(cworld, soon, valid_from=today - timedelta(days=300), valid_to=today + timedelta(days=59))
    active_line(cworld, later, valid_from=today, valid_to=today + timedelta(days=61))
    assert line_expiry_warn(today=today) == 1
    assert line_expiry_warn(today=today) == 0  # once
    row = AuditEvent.objects.get(event_code=CreditEvent.LINE_EXPIRY_WARNED)
    assert row.object_id == str(expiring.pk) and row.new_values["manager"] == soon.manager_id
    assert CreditLine.objects.get(pk=expiring.pk).expiry_warned_on == today
    cm = Client()
    cm.force_login(cworld.bj_cm)
    page = cm.get("/credit/").content.decode()
    assert 'id="renewals-due"' in page and f'href="/credit/{expiring.pk}/"' in page.split('id="renewals-due"')[1]
    # requesting the renewal takes it off the list
    services.line_request(actor=cworld.bj_cm, customer_id=soon.pk, line_amount="10000000.00",
                          renews_line_id=expiring.pk, valid_from=today + timedelta(days=59),
                          valid_to=today + timedelta(days=424))
    assert 'id="renewals-due"' not in cm.get("/credit/").content.decode()


def test_the_daily_job_gives_the_warnings(cworld):
    from datetime import datetime

    today = timezone.localdate()
    active_line(cworld, rated_customer(cworld), valid_from=today - timedelta(days=300),
                valid_to=today + timedelta(days=10))
    now = timezone.make_aware(datetime.combine(today, datetime.min.time())) + timedelta(hours=3)
    assert JOB.run(JOB.slot(now), now)["renewal_warnings"] == 1
