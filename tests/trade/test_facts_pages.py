"""The trade facts page of a customer: linked from the customer page, in Chinese, sections with the figures and
the sales chart, forms per role that record through the services, refusals shown, scope 404."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from tests.trade import facts_world

from kehu.trade.models import Delivery, Invoice, Payment, SalesRecord
from kehu.trade.services import facts

fworld, customer, no_credit_guard = facts_world.fworld, facts_world.customer, facts_world.no_credit_guard

TODAY = timezone.localdate()
LAST_MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
DAY = TODAY - timedelta(days=40)


@pytest.fixture(autouse=True)
def _facts_only(no_credit_guard):
    """The credit check is trade credit's; these customers have no limit."""


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(c, tail: str = "") -> str:
    return f"/trade/facts/customer/{c.pk}/{tail}"


def seed(customer) -> None:
    facts.sales_record(actor=None, customer_id=customer.pk, period=LAST_MONTH, amount="880000.00", reference="XS-1")
    facts.delivery_record(actor=None, customer_id=customer.pk, reference="JH-1", due_on=DAY, quantity_due="10",
                          amount="100000.00", delivered_on=DAY + timedelta(days=2), quantity_delivered="8")
    facts.delivery_record(actor=None, customer_id=customer.pk, reference="JH-2", due_on=TODAY, quantity_due="5",
                          amount="1000.00")
    facts.invoice_record(actor=None, customer_id=customer.pk, reference="FP-1", issued_on=DAY + timedelta(days=2),
                         due_on=DAY + timedelta(days=12), amount="80000.00", delivery_references=["JH-1"])
    facts.payment_record(actor=None, customer_id=customer.pk, reference="SK-1", paid_on=DAY + timedelta(days=20),
                         amount="30000.00", invoice_reference="FP-1")


def test_customer_page_links_to_the_facts_page_which_shows_figures_and_chart(fworld, customer):
    seed(customer)
    page = client_for(fworld.bj_cm).get(f"/customers/{customer.pk}/")
    assert page.status_code == 200 and url(customer).encode() in page.content
    r = client_for(fworld.bj_cm).get(url(customer))
    assert r.status_code == 200
    html = r.content.decode()
    assert "交易数据" in html and "月度销售" in html and "应收账款余额" in html
    assert "<svg" in html and "XS-1" in html and "JH-1" in html and "FP-1" in html and "SK-1" in html
    assert "880,000.00" in html  # the month in the table
    assert "50,000.00" in html  # open on FP-1
    assert "逾期 28 天" in html  # FP-1 was due on DAY + 12, 28 days ago
    assert "部分交货" in html and "未交货" in html
    # sales records sales and deliveries; finance invoices and payments
    assert f'action="/trade/facts/customer/{customer.pk}/sales/"' in html
    assert f'action="/trade/facts/customer/{customer.pk}/invoices/"' not in html
    finance = client_for(fworld.bj_finance).get(url(customer)).content.decode()
    assert f'action="/trade/facts/customer/{customer.pk}/invoices/"' in finance
    assert f'action="/trade/facts/customer/{customer.pk}/sales/"' not in finance
    auditor = client_for(fworld.bj_auditor).get(url(customer)).content.decode()
    assert "<form method=\"post\" action=\"/trade" not in auditor


def test_scope_and_roles_on_the_page(fworld, customer):
    assert client_for(fworld.sh_cm).get(url(customer)).status_code == 404
    assert client_for(fworld.bj01_cm).get(url(customer)).status_code == 404
    assert client_for(fworld.bj_dept).get(url(customer)).status_code == 404  # no trade permission (defect 13)
    assert client_for(fworld.bj_cm).get("/trade/facts/customer/999999/").status_code == 404
    assert Client().get(url(customer)).status_code == 302
    # the link is only there for someone who may see the facts
    assert b"trade-facts-link" not in client_for(fworld.bj_dept).get(f"/customers/{customer.pk}/").content
    r = client_for(fworld.bj_auditor).post(url(customer, "sales/"), {"reference": "X", "period": f"{LAST_MONTH:%Y-%m}",
                                                                   "amount": "1"})
    assert r.status_code == 403 and not SalesRecord.objects.exists()
    r = client_for(fworld.sh_finance).post(url(customer, "payments/"), {"reference": "X"})
    assert r.status_code == 404


def test_forms_record_through_the_services(fworld, customer):
    cm, fin = client_for(fworld.bj_cm), client_for(fworld.bj_finance)
    r = cm.post(url(customer, "sales/"), {"reference": "XS-9", "period": f"{LAST_MONTH:%Y-%m}", "amount": "1200.50"},
                follow=True)
    assert "已登记" in r.content.decode() and SalesRecord.objects.get().amount == Decimal("1200.50")
    r = cm.post(url(customer, "sales/"), {"reference": "XS-9", "period": f"{LAST_MONTH:%Y-%m}", "amount": "1200.50"},
                follow=True)
    assert "未作更改" in r.content.decode()
    r = cm.post(url(customer, "deliveries/"), {"reference": "JH-9", "due_on": DAY.isoformat(), "quantity_due": "4",
                                               "amount": "4000", "delivered_on": "", "quantity_delivered": ""})
    assert r.status_code == 302 and r.url.endswith("#deliveries")
    d = Delivery.objects.get(reference="JH-9")
    cm.post(url(customer, f"deliveries/{d.pk}/confirm/"), {"delivered_on": DAY.isoformat(), "quantity_delivered": "4"})
    d.refresh_from_db()
    assert d.quantity_delivered == 4 and d.delivered_on == DAY
    fin.post(url(customer, "invoices/"), {"reference": "FP-9", "issued_on": DAY.isoformat(),
                                          "due_on": (DAY + timedelta(days=30)).isoformat(), "amount": "4000",
                                          "delivery_references": "JH-9"})
    assert Invoice.objects.get().deliveries.get() == d
    fin.post(url(customer, "payments/"), {"reference": "SK-9", "invoice_reference": "FP-9",
                                          "paid_on": TODAY.isoformat(), "amount": "4000"})
    assert Payment.objects.get().amount == Decimal("4000.00")
    page = fin.get(url(customer)).content.decode()
    assert "JH-9" in page and "FP-9" in page and "SK-9" in page


def test_a_refusal_is_shown_in_chinese_and_records_nothing(fworld, customer):
    fin = client_for(fworld.bj_finance)
    r = fin.post(url(customer, "payments/"), {"reference": "SK", "invoice_reference": "NOPE",
                                              "paid_on": TODAY.isoformat(), "amount": "5"}, follow=True)
    assert "该客户没有此发票" in r.content.decode()
    r = client_for(fworld.bj_cm).post(url(customer, "sales/"), {"reference": "X", "period": "2026-10-15",
                                                               "amount": "1"}, follow=True)
    assert "月份须以当月第一天表示" in r.content.decode()
    assert not Payment.objects.exists() and not SalesRecord.objects.exists()
    # a delivery of another customer cannot be confirmed through this customer's page
    other = fworld.admit(fworld.enterprise())
    d = facts.delivery_record(actor=None, customer_id=other.pk, reference="O-1", due_on=TODAY, quantity_due="1",
                              amount="1").fact
    r = client_for(fworld.bj_cm).post(url(customer, f"deliveries/{d.pk}/confirm/"),
                                      {"delivered_on": TODAY.isoformat(), "quantity_delivered": "1"})
    assert r.status_code == 404
