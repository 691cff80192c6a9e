"""Personal-information protection (PIPL; domain spec 10.3, 10.6, D-9): consent, requests and their due
dates on the business calendar, retention with and without a legal hold, erasure re-applied after a restore."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from tests.conftest import PASSWORD

from kehu.backup import db as backup_db
from kehu.backup.services import backup_create, backup_restore
from kehu.core import services as core_services
from kehu.core.audit import verify_chain
from kehu.core.errors import InvalidInput, InvalidTransition, NotFound
from kehu.core.models import CalendarOverride
from kehu.customers import services as customer_services
from kehu.customers.models import Contact, Customer, Document
from kehu.customers.selectors import customer_get, customer_search
from kehu.privacy import ledger
from kehu.privacy import services as privacy
from kehu.privacy.models import (
    DataSubjectRequest,
    Erasure,
    PersonalField,
    ProcessingPurpose,
    RequestState,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def own_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("KEHU_ERASURE_LEDGER", str(tmp_path / "erasures.jsonl"))
    return tmp_path / "erasures.jsonl"


@pytest.fixture
def officer(world):
    return core_services.user_create(username="po", org_code="HQ", roles=["privacy_officer"], password=PASSWORD,
                                     actor=None)


def _person(world, **kw):
    customer = world.individual(**kw)
    customer_services.contact_add(actor=world.bj_cm, customer_id=customer.pk, name="李四", phone="13900139000")
    customer_services.document_upload(actor=world.bj_cm, customer_id=customer.pk, kind="identity", title="身份证",
                                      filename="id.jpg", content_type="image/jpeg", data=b"\xff\xd8 id card")
    return customer


def test_request_due_in_15_working_days_across_national_day(world, officer):
    customer = world.individual()
    received = datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)
    request = privacy.request_receive(actor=world.bj_cm, customer_id=customer.pk, kind="access", channel="counter",
                                      now=received)
    # 9/29, 9/30, then the National Day holiday (10/1-10/7), 10/10 is a make-up working Saturday: the 15th
    # working day is 10/23, end of the working day.
    assert timezone.localtime(request.due_at) == datetime(2026, 10, 23, 17, 30, tzinfo=SHANGHAI)
    assert timezone.localtime(request.cap_at) == datetime(2026, 10, 28, 23, 59, 59, tzinfo=SHANGHAI)

    # When the calendar has too few working days, the hard cap of 30 days decides.
    for n in range(8, 31):
        CalendarOverride.objects.create(org_path="", day=date(2026, 10, n), working=False)
    capped = privacy.request_receive(actor=world.bj_cm, customer_id=customer.pk, kind="access", channel="counter",
                                     now=received)
    assert capped.due_at == capped.cap_at == request.cap_at


def test_request_flow_access_export_and_refusal(world, officer):
    customer = _person(world)
    request = privacy.request_receive(actor=world.bj_cm, customer_id=customer.pk, kind="access", channel="counter",
                                      detail="要求查阅并复制本人信息")
    with pytest.raises(InvalidTransition):
        privacy.request_complete(actor=officer, request_id=request.pk, outcome="已提供")
    with pytest.raises(InvalidTransition):
        privacy.request_export(actor=officer, request_id=request.pk)
    with pytest.raises(NotFound):  # the customer manager does not handle requests
        privacy.request_verify(actor=world.sh_cm, request_id=request.pk, verification="身份证原件")
    privacy.request_verify(actor=officer, request_id=request.pk, verification="身份证原件核验")
    data = json.loads(privacy.request_export(actor=officer, request_id=request.pk))
    assert data["客户"]["身份证号"] == customer.id_number and data["客户"]["手机"] == "13800138000"
    assert data["联系人"][0]["电话"] == "13900139000" and data["文件"][0]["标题"] == "身份证"
    assert any(e["事件"] == "创建客户" for e in data["操作记录"])  # the event's Chinese name, not its code
    done = privacy.request_complete(actor=officer, request_id=request.pk, outcome="已当面提供副本")
    assert done.state == RequestState.DONE

    other = privacy.request_receive(actor=world.bj_cm, customer_id=customer.pk, kind="correction", channel="phone")
    with pytest.raises(InvalidInput):
        privacy.request_refuse(actor=officer, request_id=other.pk, reason="")
    refused = privacy.request_refuse(actor=officer, request_id=other.pk, reason="无法核实本人身份")
    assert refused.state == RequestState.REFUSED and refused.reason
    assert list(verify_chain()) == []


def test_consent_per_purpose_separate_for_sensitive_and_withdrawal(world):
    customer = world.individual()
    with pytest.raises(InvalidInput):  # no notice in force yet
        privacy.consent_give(actor=world.bj_cm, customer_id=customer.pk, purpose_code="marketing", channel="paper")
    privacy.notice_publish(actor=None, version="2026.1", content="个人信息保护告知书 v1", effective_from=date(2026, 1, 1))
    consent = privacy.consent_give(actor=world.bj_cm, customer_id=customer.pk, purpose_code="marketing",
                                   channel="paper")
    assert consent.notice.version == "2026.1" and privacy.has_consent(customer.pk, "marketing")
    privacy.consent_withdraw(actor=world.bj_cm, consent_id=consent.pk)
    assert not privacy.has_consent(customer.pk, "marketing")

    biometric = ProcessingPurpose.objects.create(code="face", name="人脸识别核身", legal_basis="consent")
    PersonalField.objects.create(model="customers.Customer", field="face_template", purpose=biometric, sensitive=True)
    with pytest.raises(InvalidInput) as refused:
        privacy.consent_give(actor=world.bj_cm, customer_id=customer.pk, purpose_code="face", channel="counter")
    assert refused.value.code == "separate_consent_required"
    separate = privacy.consent_give(actor=world.bj_cm, customer_id=customer.pk, purpose_code="face",
                                    channel="counter", separate=True)
    assert separate.kind == "separate"
    # A new notice version: consent is asked again and replaces the old one.
    privacy.notice_publish(actor=None, version="2026.2", content="告知书 v2", effective_from=timezone.localdate())
    again = privacy.consent_give(actor=world.bj_cm, customer_id=customer.pk, purpose_code="face", channel="counter",
                                 separate=True)
    assert again.pk != separate.pk and again.notice.version == "2026.2"
    separate.refresh_from_db()
    assert separate.withdrawn_at is not None


def test_every_personal_field_of_the_customer_archive_is_tied_to_a_purpose(db):
    assert [f for f in privacy.unregistered_personal_fields() if f.startswith("customers.")] == []


def _age(customer, days):
    Customer.objects.filter(pk=customer.pk).update(updated_at=timezone.now() - timedelta(days=days))


def test_retention_sweep_dry_run_first_then_erases(world, own_ledger, django_capture_on_commit_callbacks):
    prospect = _person(world)  # a prospect that never became a customer
    _age(prospect, 800)
    former = _person(world)
    Customer.objects.filter(pk=former.pk).update(admission_status="terminated")
    _age(former, 3700)
    recent = _person(world)
    doc_file = Path(settings.KEHU_FILES_DIR) / Document.objects.get(customer=former).storage_name

    now = timezone.now()
    dry = privacy.retention_sweep(dry_run=True, now=now)
    assert {(i["customer"], i["policy"]) for i in dry.items} == {(prospect.pk, "prospect"),
                                                                  (former.pk, "former_customer")}
    assert Customer.objects.get(pk=prospect.pk).phone == "13800138000"  # a dry run changes nothing
    early = privacy.retention_sweep(dry_run=False, now=now + timedelta(days=1))
    assert early.erased == 0  # listed only a day ago: the grace period has not passed

    with django_capture_on_commit_callbacks(execute=True):  # files and the ledger follow the commit
        run = privacy.retention_sweep(dry_run=False, now=now + timedelta(days=8))
    assert run.erased == 2
    assert not Customer.objects.filter(pk=prospect.pk).exists()  # policy "delete": nothing refers to it
    kept = Customer.objects.get(pk=former.pk)  # policy "anonymise"
    assert kept.name == f"已删除{former.pk}" and kept.id_number == "" and kept.phone == "" and kept.address == ""
    assert kept.id_number_hash is None
    assert not Contact.objects.filter(customer=former).exists() and not Document.objects.filter(customer=former)
    assert not doc_file.exists()
    assert Customer.objects.get(pk=recent.pk).phone == "13800138000"
    assert sorted(e["customer"] for e in ledger.entries_since(now - timedelta(days=1))) == sorted(
        [prospect.pk, former.pk])
    assert list(verify_chain()) == []  # the audit rows stay, masked; the chain is intact


def test_legal_hold_stops_the_sweeper_and_restricts_the_record(world, officer):
    customer = _person(world)
    Customer.objects.filter(pk=customer.pk).update(admission_status="exited")
    _age(customer, 3700)
    hold = privacy.hold_place(actor=officer, customer_id=customer.pk, kind="aml", reason="反洗钱调查")
    now = timezone.now()
    privacy.retention_sweep(dry_run=True, now=now)
    run = privacy.retention_sweep(dry_run=False, now=now + timedelta(days=8))
    assert run.erased == 0 and run.restricted == 1
    held = Customer.objects.get(pk=customer.pk)
    assert held.pi_restricted and held.phone == "13800138000"  # kept, not erased
    # Restricted: out of pages, search and exports for everyone.
    with pytest.raises(NotFound):
        customer_get(user=world.bj_cm, customer_id=customer.pk)
    assert customer.pk not in [c.pk for c in customer_search(user=world.bj_cm, q="")]
    client = Client()
    client.force_login(world.bj_cm)
    assert client.get(f"/customers/{customer.pk}/").status_code == 404

    privacy.hold_release(actor=officer, hold_id=hold.pk)
    later = privacy.retention_sweep(dry_run=False, now=now + timedelta(days=9))
    assert later.erased == 1
    erased = Customer.objects.get(pk=customer.pk)
    assert erased.phone == "" and not erased.pi_restricted


def test_deletion_request_under_hold_restricts_and_otherwise_erases(world, officer):
    held = _person(world)
    privacy.hold_place(actor=officer, customer_id=held.pk, kind="complaint", reason="投诉处理中")
    r = privacy.request_receive(actor=world.bj_cm, customer_id=held.pk, kind="deletion", channel="counter")
    privacy.request_verify(actor=officer, request_id=r.pk, verification="身份证")
    done = privacy.request_complete(actor=officer, request_id=r.pk, outcome="依法保存")
    assert done.reason and Customer.objects.get(pk=held.pk).pi_restricted
    assert Customer.objects.get(pk=held.pk).phone == "13800138000"

    free = _person(world)
    r2 = privacy.request_receive(actor=world.bj_cm, customer_id=free.pk, kind="deletion", channel="counter")
    privacy.request_verify(actor=officer, request_id=r2.pk, verification="身份证")
    privacy.request_complete(actor=officer, request_id=r2.pk, outcome="已删除")
    gone = Customer.objects.get(pk=free.pk)
    assert gone.phone == "" and gone.id_number == "" and Erasure.objects.get(customer_ref=free.pk).cause == "request"


@pytest.mark.django_db(transaction=True)
def test_a_deletion_is_applied_again_after_a_restore(tworld, tmp_path, own_ledger):
    officer = core_services.user_create(username="po", org_code="HQ", roles=["privacy_officer"],
                                        password=PASSWORD, actor=None)
    customer = _person(tworld)
    keep = _person(tworld)
    run = backup_create(to=tmp_path / "sets")  # holds the customer's data

    request = privacy.request_receive(actor=tworld.bj_cm, customer_id=customer.pk, kind="deletion", channel="counter")
    privacy.request_verify(actor=officer, request_id=request.pk, verification="身份证")
    privacy.request_complete(actor=officer, request_id=request.pk, outcome="已删除")
    assert Customer.objects.get(pk=customer.pk).phone == ""

    report = backup_restore(run.path, into=str(tmp_path / "restored.sqlite3"), files_dir=tmp_path / "files")
    assert report.ok, report.problems
    assert report.post_restore["kehu.privacy.services"]["reapplied"] == [customer.pk]
    alias = backup_db.open_alias("t_priv", backup_db.target_settings(str(tmp_path / "restored.sqlite3")))
    try:
        restored = Customer.objects.using(alias).get(pk=customer.pk)
        assert restored.phone == "" and restored.id_number == "" and restored.name == f"已删除{customer.pk}"
        assert not Contact.objects.using(alias).filter(customer_id=customer.pk).exists()
        assert Customer.objects.using(alias).get(pk=keep.pk).phone == "13800138000"
        assert Erasure.objects.using(alias).get(customer_ref=customer.pk).reapplied
        assert list(verify_chain(using=alias)) == []
        docs = set(Document.objects.using(alias).values_list("storage_name", flat=True))
    finally:
        backup_db.close_alias("t_priv")
    assert {p.name for p in (tmp_path / "files").iterdir()} == docs


def test_privacy_officer_inbox(world, officer):
    customer = world.individual()
    request = privacy.request_receive(actor=world.bj_cm, customer_id=customer.pk, kind="explanation",
                                      channel="online", now=timezone.now() - timedelta(days=40))
    client = Client()
    client.force_login(officer)
    page = client.get("/privacy/").content.decode()
    assert customer.name not in page and customer.name[0] + "*" in page  # masked
    assert "逾期" in page or "Overdue" in page
    response = client.post(f"/privacy/requests/{request.pk}/", {"action": "verify", "text": "电话回拨核实"})
    assert response.status_code == 302
    assert DataSubjectRequest.objects.get(pk=request.pk).state == RequestState.VERIFIED
    manager = Client()
    manager.force_login(world.bj_cm)
    assert manager.get("/privacy/").status_code == 403
