"""PI-9: a customer restricted under a legal hold is left out of the complaint analysis (page, charts,
repeat complaints), as a user sees it."""

import pytest
from django.test import Client
from django.utils import timezone

from kehu.customers.models import Customer
from kehu.helpdesk import services
from kehu.helpdesk.models import ComplaintCategory

pytestmark = pytest.mark.django_db
PASSWORD = "Kehu-test-2026"


def test_restricted_customer_absent_from_the_complaint_analysis(hworld):
    w = hworld
    for name in ("交付延迟", "质量问题"):
        ComplaintCategory.objects.get_or_create(name=name)
    kept, held = w.enterprise(name="北京可见机械有限公司"), w.enterprise(name="北京受限机械有限公司")
    now = timezone.now()
    for customer, category in [(kept, "交付延迟"), (kept, "交付延迟"), (held, "质量问题"), (held, "质量问题")]:
        services.ticket_open(actor=w.bj_agent, customer_id=customer.pk, kind="complaint", subject="s",
                             category=category, now=now)
    client = Client()
    assert client.login(username="bj_agent", password=PASSWORD)
    page = client.get("/helpdesk/analysis/").content.decode()
    assert "质量问题" in page and "北京受限" in page  # before: both customers counted

    Customer.objects.filter(pk=held.pk).update(pi_restricted=True)
    page = client.get("/helpdesk/analysis/").content.decode()
    assert "交付延迟" in page and "北京可见" in page
    assert "质量问题" not in page and "北京受限" not in page  # no category, customer or repeat row of theirs
