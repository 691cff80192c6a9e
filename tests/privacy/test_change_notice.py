"""S3 Art.8: a change to the customer's information is told to the customer through the outbox and answered
from a signed link; a refused change is undone or flagged (privacy.refused_change_action)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from kehu.core.models import RuleParameter
from kehu.customers import services
from kehu.customers.models import ConsentRecord, Customer
from kehu.outbox.models import Message
from kehu.privacy.models import ChangeNotice


def _token(customer) -> str:
    message = Message.objects.filter(related_type="privacy.change_notice").order_by("-pk").first()
    assert message is not None and message.purpose == "info_change"
    assert "13900001111" not in message.body and "北京市" not in message.body  # no personal values in the notice
    return re.search(r"/privacy/answer/([^/\s]+)/", message.body).group(1)


def test_a_refused_change_is_undone_and_the_link_works_once(world):
    customer = world.individual(phone="13800138000", email="zhang@example.cn")
    services.customer_update(actor=world.bj_cm, customer_id=customer.pk, changes={"phone": "13900001111"})
    notice = ChangeNotice.objects.get(customer=customer)
    assert notice.outcome == "pending" and notice.consent.fields == ["phone"]
    message = Message.objects.get(pk=notice.message_id)
    assert message.channel == "email" and message.recipient == "zhang@example.cn"
    token = _token(customer)

    client = Client()  # the customer, not logged in
    page = client.get(f"/privacy/answer/{token}/")
    assert page.status_code == 200 and "手机号码" in page.content.decode()
    assert client.post(f"/privacy/answer/{token}/", {"answer": "refuse"}).status_code == 200
    customer.refresh_from_db()
    assert customer.phone == "13800138000"  # undone
    notice.refresh_from_db()
    assert notice.outcome == "undone" and notice.consent.status == "declined"
    assert ConsentRecord.objects.filter(customer=customer).count() == 1  # the undo asks nothing again
    assert client.post(f"/privacy/answer/{token}/", {"answer": "agree"}).status_code == 410
    assert client.get("/privacy/answer/not-a-token/").status_code == 404


def test_agreeing_keeps_the_change(world):
    customer = world.individual(phone="13800138000")
    services.customer_update(actor=world.bj_cm, customer_id=customer.pk, changes={"address": "北京市海淀区中关村大街1号"})
    notice = ChangeNotice.objects.get(customer=customer)
    assert Message.objects.get(pk=notice.message_id).channel == "sms"
    Client().post(f"/privacy/answer/{_token(customer)}/", {"answer": "agree"})
    notice.refresh_from_db()
    customer.refresh_from_db()
    assert notice.outcome == "confirmed" and customer.address == "北京市海淀区中关村大街1号"


def test_enterprise_fields_and_contacts_are_covered_and_flag_mode(world):
    RuleParameter.objects.create(code="privacy.refused_change_action", value="flag", status="approved",
                                 effective_from=date(2020, 1, 1))
    company = world.enterprise()
    services.contact_add(actor=world.bj_cm, customer_id=company.pk, name="王五", phone="13700137000",
                         is_primary=True)
    assert not ChangeNotice.objects.filter(customer=company).exists()  # taken on: the first collection
    Customer.objects.filter(pk=company.pk).update(admission_status="active")
    services.contact_add(actor=world.bj_cm, customer_id=company.pk, name="赵七", phone="13700137001")
    services.customer_update(actor=world.bj_cm, customer_id=company.pk, changes={"industry": "有色金属冶炼"})
    notices = list(ChangeNotice.objects.filter(customer=company).order_by("pk"))
    assert [n.consent.fields for n in notices] == [["contacts"], ["industry"]]
    assert all(Message.objects.get(pk=n.message_id).recipient == "13700137000" for n in notices)
    Client().post(f"/privacy/answer/{_token(company)}/", {"answer": "refuse"})
    notices[1].refresh_from_db()
    assert notices[1].outcome == "flagged"
    assert Customer.objects.get(pk=company.pk).industry == "有色金属冶炼"  # flagged, not undone


def test_a_customer_without_an_address_is_left_to_the_manager(world):
    company = world.enterprise()
    services.customer_update(actor=world.bj_cm, customer_id=company.pk, changes={"region": "天津"})
    notice = ChangeNotice.objects.get(customer=company)
    assert notice.outcome == "unreachable" and notice.message_id is None
    from tests.conftest import PASSWORD

    from kehu.core import services as core_services

    officer = core_services.user_create(username="po2", org_code="HQ", roles=["privacy_officer"], password=PASSWORD,
                                        actor=None)
    client = Client()
    client.force_login(officer)
    assert "region" in client.get("/privacy/").content.decode()


@pytest.mark.parametrize("answer", ["", "maybe"])
def test_a_bad_answer_changes_nothing(world, answer):
    customer = world.individual(phone="13800138000")
    services.customer_update(actor=world.bj_cm, customer_id=customer.pk, changes={"occupation": "教师"})
    token = _token(customer)
    assert Client().post(f"/privacy/answer/{token}/", {"answer": answer}).status_code == 400
    assert ChangeNotice.objects.get(customer=customer).outcome == "pending"
