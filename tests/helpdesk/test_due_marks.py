"""Overdue and near-due tickets are marked on the list and the ticket page, the list sorts by due time, the
helpdesk pages have the site's look and a title, and individuals' names are masked on the list."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from kehu.helpdesk import services
from kehu.helpdesk.models import Ticket
from kehu.helpdesk.rules import due_status

from .conftest import PASSWORD


def test_due_status_rule():
    hour = timedelta(hours=1)
    assert due_status(remaining=-hour, total=10 * hour, warn_fraction=Decimal("0.5")) == "overdue"
    assert due_status(remaining=timedelta(0), total=10 * hour, warn_fraction=Decimal("0.5")) == "overdue"
    assert due_status(remaining=5 * hour, total=10 * hour, warn_fraction=Decimal("0.5")) == "near"
    assert due_status(remaining=6 * hour, total=10 * hour, warn_fraction=Decimal("0.5")) == "ok"
    assert due_status(remaining=hour, total=timedelta(0), warn_fraction=Decimal("0.5")) == "ok"


def _ticket(world, customer, subject, *, received_days_ago: float, due_in_days: float) -> Ticket:
    ticket = services.ticket_open(actor=world.bj_agent, customer_id=customer.pk, kind="enquiry", subject=subject)
    now = timezone.now()
    # a calendar clock runs on wall time, so the test does not depend on the hour it runs at
    Ticket.objects.filter(pk=ticket.pk).update(sla_unit="calendar_days",
                                               received_at=now - timedelta(days=received_days_ago),
                                               resolution_due=now + timedelta(days=due_in_days))
    return ticket


def _client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_list_marks_and_sorts_by_due(hworld):
    person = hworld.individual(name="王小明")
    company = hworld.enterprise(name="北京鑫源铜业有限公司")
    late = _ticket(hworld, person, "已超时", received_days_ago=5, due_in_days=-1)
    near = _ticket(hworld, company, "快到期", received_days_ago=9, due_in_days=1)
    calm = _ticket(hworld, company, "时间充裕", received_days_ago=1, due_in_days=9)
    client = _client(hworld.bj_agent)

    page = client.get("/helpdesk/").content.decode()
    assert re.search(r"<title>服务工单 ·", page)
    assert 'class="helpdesk"' in page
    assert f'id="ticket-{late.pk}" class="due-overdue"' in page
    assert f'id="ticket-{near.pk}" class="due-near"' in page
    assert f'id="ticket-{calm.pk}" class="due-ok"' in page
    assert "王小明" not in page and "王*" in page  # an individual's name is masked as in the archive
    assert "北京鑫源铜业有限公司" in page
    # newest first by default, soonest due first when sorted
    assert page.index(f'id="ticket-{calm.pk}"') < page.index(f'id="ticket-{late.pk}"')
    by_due = client.get("/helpdesk/?sort=due").content.decode()
    order = [by_due.index(f'id="ticket-{t.pk}"') for t in (late, near, calm)]
    assert order == sorted(order)


def test_ticket_page_marks_overdue_with_title(hworld):
    person = hworld.individual(name="王小明")
    late = _ticket(hworld, person, "已超时", received_days_ago=5, due_in_days=-1)
    page = _client(hworld.bj_agent).get(f"/helpdesk/{late.pk}/").content.decode()
    assert re.search(rf"<title>[^<]*#{late.pk} ·", page)
    assert 'class="badge bad due-badge"' in page
    assert re.search(r'id="sla-remaining" class="countdown" data-countdown="-\d+" data-running="1"', page)
    assert "王小明" not in page


def test_allowance_sign_offs_show_people_by_name(hworld):
    from kehu.core.models import User

    User.objects.filter(pk=hworld.bj_sales_mgr.pk).update(display_name="李销售")
    company = hworld.enterprise()
    ticket = services.ticket_open(actor=hworld.bj_agent, customer_id=company.pk, kind="allowance", subject="折让",
                                  amount="100.00", invoice_amount="100000.00", evidence_document="买方说明")
    signer = User.objects.get(pk=hworld.bj_sales_mgr.pk)
    services.allowance_sign(actor=signer, ticket_id=ticket.pk, reason="属实")
    page = _client(hworld.bj_agent).get(f"/helpdesk/{ticket.pk}/").content.decode()
    row = page[page.index('id="sign-off-sales_manager"'):]
    row = row[:row.index("</tr>")]
    assert "李销售" in row and "bj_sales_mgr" not in row
