"""Cash before delivery (款到发货, domain spec L-2): a customer whose trade credit limit is 0 places prepaid
orders that are accepted without a credit hold; the payment is recorded before shipping and settles the
invoice. Ordinary credit orders keep the check."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import Client
from django.utils import timezone
from tests.tradecredit.credit_world import set_limit

from kehu.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from kehu.core.models import AuditEvent
from kehu.trade.models import Invoice, Payment
from kehu.tradecredit import services
from kehu.tradecredit.events import TradeCreditEvent
from kehu.tradecredit.services import exposure_of


@pytest.fixture
def cash_buyer(cw):
    buyer = cw.admit(cw.enterprise())
    set_limit(buyer, "0.00", 0)
    return buyer


def test_a_prepaid_order_of_a_cash_buyer_is_accepted_paid_shipped_and_invoiced(cw, cash_buyer):
    credit = services.order_place(actor=cw.bj_cm, customer_id=cash_buyer.pk, number="SO-1", amount="5000.00")
    assert credit.status == "credit_hold"  # an ordinary order on credit is still checked
    order = services.order_place(actor=cw.bj_cm, customer_id=cash_buyer.pk, number="SO-2", amount="8000.00",
                                 prepaid=True)
    assert (order.status, order.prepaid, order.hold_reasons, order.release_authority) == ("accepted", True, [], "")
    assert exposure_of(cash_buyer.pk).total == D("0.00")  # a prepaid order takes no credit
    with pytest.raises(InvalidTransition) as refused:
        services.order_ship(actor=cw.bj_cm, order_id=order.pk)
    assert refused.value.code == "payment_first"
    with pytest.raises(PermissionDenied):  # finance records the payment, not the customer manager
        services.order_prepayment_record(actor=cw.bj_cm, order_id=order.pk, reference="BANK-1")
    with pytest.raises(InvalidInput):
        services.order_prepayment_record(actor=cw.bj_fo, order_id=order.pk, reference="")
    order = services.order_prepayment_record(actor=cw.bj_fo, order_id=order.pk, reference="BANK-1")
    assert order.prepayment["reference"] == "BANK-1" and order.prepayment["amount"] == "8000.00"
    with pytest.raises(InvalidTransition):  # once
        services.order_prepayment_record(actor=cw.bj_fo, order_id=order.pk, reference="BANK-2")
    assert AuditEvent.objects.filter(event_code=TradeCreditEvent.ORDER_PREPAID, object_id=str(order.pk)).count() == 1
    order = services.order_ship(actor=cw.bj_cm, order_id=order.pk)
    assert order.status == "shipped" and exposure_of(cash_buyer.pk).total == D("0.00")
    order = services.order_invoice(actor=cw.bj_fo, order_id=order.pk, reference="INV-9")
    invoice = Invoice.objects.get(order=order)
    assert Payment.objects.get(invoice=invoice).amount == D("8000.00")  # settled by the payment received first
    assert exposure_of(cash_buyer.pk).total == D("0.00")
    with pytest.raises(InvalidTransition):  # a credit order takes no prepayment
        services.order_prepayment_record(actor=cw.bj_fo, order_id=credit.pk, reference="X")


def test_prepaid_orders_over_the_api_and_the_pages(cw, cash_buyer):
    from tests._fixtures.api import ApiClient

    api = ApiClient(cw)
    r = api.post("bj_cm", "/trade/orders", {"customer_id": cash_buyer.pk, "number": "SO-A", "amount": "1200.00",
                                            "prepaid": True})
    assert r.status_code == 201 and r.json()["status"] == "accepted" and r.json()["prepaid"] is True
    oid = r.json()["id"]
    assert api.post("bj_cm", f"/trade/orders/{oid}/ship", {}).status_code == 409
    assert api.post("bj_fo", f"/trade/orders/{oid}/prepayment", {"reference": ""}).status_code in (400, 422)
    r = api.post("bj_fo", f"/trade/orders/{oid}/prepayment", {"reference": "BANK-7"})
    assert r.status_code == 200 and r.json()["prepayment"]["reference"] == "BANK-7"
    assert api.post("bj_cm", f"/trade/orders/{oid}/ship", {}).json()["status"] == "shipped"

    cm = Client()
    cm.force_login(cw.bj_cm)
    r = cm.post("/trade/orders/new/", {"customer_id": cash_buyer.pk, "number": "SO-W", "amount": "300.00",
                                       "prepaid": "on", "idempotency_key": "k-1"})
    assert r.status_code == 302
    page = cm.get(r.url).content.decode()
    assert 'id="prepaid"' in page and "款到发货" in page and 'id="prepayment-form"' not in page  # not finance
    fo = Client()
    fo.force_login(cw.bj_fo)
    assert 'id="prepayment-form"' in fo.get(r.url).content.decode()
    fo.post(r.url + "prepayment/", {"reference": "BANK-8", "paid_on": str(timezone.localdate())})
    assert "BANK-8" in cm.get(r.url).content.decode()
