"""The access copy (PIPL Art.45) holds what every app keeps about the person, not only the archive: a person
with a complaint, a visit, a recorded call, an account with a transaction, an investor profile and a survey
answer finds each of them in the copy, with Chinese headings and event names."""

from __future__ import annotations

import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from tests.conftest import PASSWORD
from tests.surveys.test_surveys import token_of

from kehu.accounts import services as accounts
from kehu.activities import services as activities
from kehu.core import services as core_services
from kehu.core.retention import subject_sections
from kehu.customers.models import Customer
from kehu.helpdesk.services import tickets
from kehu.privacy import services as privacy
from kehu.reception import services as reception
from kehu.suitability.services import profiles
from kehu.surveys import services as surveys
from kehu.surveys.models import Invitation

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def own_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("KEHU_ERASURE_LEDGER", str(tmp_path / "erasures.jsonl"))


def _copy(world, customer) -> dict:
    officer = core_services.user_create(username="po", org_code="HQ", roles=["privacy_officer"], password=PASSWORD,
                                        actor=None)
    request = privacy.request_receive(actor=world.bj_cm, customer_id=customer.pk, kind="access", channel="counter")
    privacy.request_verify(actor=officer, request_id=request.pk, verification="身份证原件核验")
    return json.loads(privacy.request_export(actor=officer, request_id=request.pk))


def test_the_copy_holds_every_apps_records_of_the_person(world):
    person = world.individual()
    other = world.individual()
    tickets.ticket_open(actor=None, customer_id=person.pk, kind="complaint", subject="柜台服务态度差",
                        description="本人于十月五日在柜台办理业务时被推诿")
    activities.activity_log(actor=world.bj_cm, customer_id=person.pk, kind="call", summary="电话回访理财到期",
                            outcome="客户同意续存")
    activities.activity_log(actor=world.bj_cm, customer_id=other.pk, kind="call", summary="他人的电话")
    accounts.account_open(actor=world.bj_cm, customer_id=person.pk, account_no="6222000011112222", tier="I",
                          opened_on=date(2026, 10, 8), channel="counter", identity_check="face_to_face")
    start = timezone.now().astimezone(SHANGHAI).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=1)
    agent = core_services.user_create(username="bj_agent", org_code="BJ", roles=["service_agent"], password=PASSWORD,
                                      actor=None)
    reception.visit_book(actor=agent, visitor_kind="customer", visitor_name="王芳", visitor_phone="13700137000",
                         purpose="咨询理财产品", scheduled_start=start, expected_minutes=30, host_id=world.bj_cm.pk,
                         customer_id=person.pk)
    profiles.profile_save(actor=world.bj_cm, customer_id=person.pk, investor_kind="person", financial_assets_amount="600000",
                          investment_experience_years=3, facts_confirmed=True)

    Customer.objects.filter(pk=person.pk).update(grade="A")  # the quarterly relationship survey goes to A
    assert surveys.surveys_dispatch()["relationship"] == 1
    invitation = Invitation.objects.get(customer=person)
    surveys.survey_answer(token=token_of(invitation), raw={"overall": 2, "manager": 2, "recommend": 2,
                                                             "comment": "等候时间太长"})

    copy = _copy(world, person)

    # the complaint, and the follow-up case the low survey score opened
    assert [t["主题"] for t in copy["服务工单"]] == ["柜台服务态度差", "满意度回访：评分 2（季度客户关系调查）"]
    assert copy["服务工单"][0]["客户陈述"] == "本人于十月五日在柜台办理业务时被推诿"
    assert [a["摘要"] for a in copy["往来记录"]] == ["电话回访理财到期"]  # not the other person's call
    assert copy["个人账户"][0]["账号"] == "6222000011112222" and copy["个人账户"][0]["交易笔数"] == 0
    assert copy["来访登记"][0]["来访人"] == "王芳" and copy["来访登记"][0]["电话"] == "13700137000"
    assert copy["投资者适当性"][0]["金融资产"] == "600000.00"
    assert [(s["总体评分"], s["意见"]) for s in copy["满意度调查"]] == [(2, "等候时间太长")]
    # every registered part is in the copy, the audit trail last, its events named in Chinese
    assert {s.title for s in subject_sections()} <= set(copy)
    assert list(copy)[-1] == "操作记录"
    events = [e["事件"] for e in copy["操作记录"]]
    assert events and all(not e.isascii() for e in events), events
