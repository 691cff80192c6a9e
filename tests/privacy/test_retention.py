"""Retention per data class (PI-5, 10.6): every class the apps register, a dry-run report first (counts, no
personal data), then the sweep; legal holds (explicit holds, open complaints, AML periods) keep the data and
restrict the person instead of erasing (PI-9); the retention page; the policy's action checked in the admin."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from tests.conftest import PASSWORD
from tests.reception.conftest import at, rworld  # noqa: F401  (the reception and survey users)
from tests.surveys.test_surveys import token_of, visit_done

from kehu.accounts.models import PersonalAccount
from kehu.core import services as core_services
from kehu.core.audit import verify_chain
from kehu.core.retention import DATA_CLASSES, HOLD_RULES
from kehu.customers.models import Customer
from kehu.helpdesk import services as helpdesk
from kehu.helpdesk.models import Ticket
from kehu.privacy import services as privacy
from kehu.privacy.models import RetentionPolicy, SweepRun
from kehu.reception.models import Visit
from kehu.surveys import services as surveys
from kehu.surveys.models import Answer, Invitation


@pytest.fixture(autouse=True)
def own_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("KEHU_ERASURE_LEDGER", str(tmp_path / "erasures.jsonl"))


@pytest.fixture
def category(db):
    from kehu.helpdesk.models import ComplaintCategory

    ComplaintCategory.objects.get_or_create(name="交付延迟")


@pytest.fixture
def officer(world):
    return core_services.user_create(username="po", org_code="HQ", roles=["privacy_officer"], password=PASSWORD,
                                     actor=None)


def test_every_data_class_has_a_seeded_policy_and_the_holds_are_registered(db):
    seeded = set(RetentionPolicy.objects.values_list("data_class", flat=True))
    assert set(DATA_CLASSES) == seeded == {"prospect", "former_customer", "complaint_file", "visitor_registration",
                                           "survey_comment", "suitability_record"}
    assert {"complaint", "suitability", "aml"} <= set(HOLD_RULES)
    for policy in RetentionPolicy.objects.all():
        assert policy.action in DATA_CLASSES[policy.data_class].actions and policy.basis


def _closed_complaint(world, customer, *, years_ago: float, text: str) -> Ticket:
    ticket = helpdesk.ticket_open(actor=world.bj_agent, customer_id=customer.pk, kind="complaint", subject=text,
                                  description=text + "，联系电话13912345678", category="交付延迟")
    Ticket.objects.filter(pk=ticket.pk).update(state="closed",
                                               closed_at=timezone.now() - timedelta(days=int(365 * years_ago)))
    return ticket


def test_dry_run_first_then_rows_anonymised_except_under_a_hold(rworld, officer, category):  # noqa: F811
    w = rworld
    free, held, busy = w.enterprise(), w.enterprise(), w.enterprise()
    old_free = _closed_complaint(w, free, years_ago=4, text="甲客户投诉")
    old_held = _closed_complaint(w, held, years_ago=4, text="乙客户投诉")
    old_busy = _closed_complaint(w, busy, years_ago=4, text="丙客户投诉")
    recent = _closed_complaint(w, free, years_ago=1, text="甲客户近期投诉")
    privacy.hold_place(actor=officer, customer_id=held.pk, kind="litigation", reason="诉讼中")
    helpdesk.ticket_open(actor=w.bj_agent, customer_id=busy.pk, kind="complaint", subject="新投诉",
                         category="交付延迟")  # an open complaint holds the customer's older files
    visitor = visit_done(w, checked_out=at("2026-03-02", "11:00"), visitor_name="周杰")  # no customer: 180 days
    # a survey answer with a comment, four years old
    visit_done(w, checked_out=at("2022-10-09", "11:00"), customer=free)
    surveys.surveys_dispatch(now=at("2022-10-10", "12:00"))
    invitation = Invitation.objects.get(trigger="visit", customer=free)
    surveys.survey_answer(token=token_of(invitation), raw={"overall": 5, "reception": 5, "arrangement": 5,
                                                            "comment": "接待的王经理很周到"},
                          now=at("2022-10-11", "09:00"))

    now = timezone.now()
    dry = privacy.retention_sweep(dry_run=True, now=now)
    counts = {c["class"]: (c["expired"], c["held"], c["acted"]) for c in dry.classes}
    assert counts["complaint_file"] == (3, 2, 0)
    assert counts["visitor_registration"] == (1, 0, 0)
    assert counts["survey_comment"] == (1, 0, 0)
    report = json.dumps([dry.items, dry.classes], ensure_ascii=False)
    assert "投诉" not in report and "周杰" not in report and "王经理" not in report  # counts and ids only
    # a dry run changes nothing
    assert Ticket.objects.get(pk=old_free.pk).description.startswith("甲客户投诉")
    assert Visit.objects.get(pk=visitor.pk).visitor_name == "周杰"
    assert Answer.objects.get().comment == "接待的王经理很周到"

    early = privacy.retention_sweep(dry_run=False, now=now + timedelta(days=1))
    assert {c["class"]: c["acted"] for c in early.classes} == {"complaint_file": 0, "visitor_registration": 0,
                                                              "survey_comment": 0, "suitability_record": 0}
    assert all(c.get("note") == "no_report_yet" for c in early.classes)  # no report old enough yet

    run = privacy.retention_sweep(dry_run=False, now=now + timedelta(days=8))
    assert {c["class"]: c["acted"] for c in run.classes} == {"complaint_file": 1, "visitor_registration": 1,
                                                            "survey_comment": 1, "suitability_record": 0}
    erased = Ticket.objects.get(pk=old_free.pk)
    assert erased.description == "" and "甲" not in erased.subject and erased.pi_erased_at is not None
    assert erased.category == "交付延迟"  # the statistics keep the category
    for kept in (old_held, old_busy, recent):  # under a hold, or within its period
        assert Ticket.objects.get(pk=kept.pk).description.endswith("13912345678")
    assert Visit.objects.get(pk=visitor.pk).visitor_name == "" and Visit.objects.get(pk=visitor.pk).purged_at
    assert Answer.objects.get().comment == "" and Answer.objects.get().overall == 5
    assert not Customer.objects.filter(pi_restricted=True).exists()  # rows kept, the persons are not swept
    again = privacy.retention_sweep(dry_run=False, now=now + timedelta(days=16))
    assert {c["class"]: (c["expired"], c["acted"]) for c in again.classes}["complaint_file"] == (2, 0)
    assert list(verify_chain()) == []  # audit rows stay, masked; the chain is whole


def _former(world, **kw) -> Customer:
    customer = world.individual(**kw)
    Customer.objects.filter(pk=customer.pk).update(admission_status="terminated",
                                                   updated_at=timezone.now() - timedelta(days=3700))
    return customer


def test_hold_rules_restrict_a_former_customer_instead_of_erasing(rworld, officer, category):  # noqa: F811
    w = rworld
    complained, banked, free = _former(w), _former(w), _former(w)
    helpdesk.ticket_open(actor=w.bj_agent, customer_id=complained.pk, kind="complaint", subject="未结投诉",
                         category="交付延迟")
    Customer.objects.filter(pk=complained.pk).update(updated_at=timezone.now() - timedelta(days=3700))
    PersonalAccount.objects.create(account_no="6222000011112222", customer=banked, tier="I", channel="counter",
                                   identity_check="face_to_face",
                                   opened_on=timezone.localdate() - timedelta(days=365 * 3))  # within 10 years
    now = timezone.now()
    dry = privacy.retention_sweep(dry_run=True, now=now)
    holds = {i["customer"]: i["holds"] for i in dry.items}
    assert holds == {complained.pk: ["complaint"], banked.pk: ["aml"], free.pk: []}
    assert not Customer.objects.filter(pi_restricted=True).exists()  # the report restricts nothing

    run = privacy.retention_sweep(dry_run=False, now=now + timedelta(days=8))
    assert (run.erased, run.restricted) == (1, 2)
    for pk in (complained.pk, banked.pk):
        kept = Customer.objects.get(pk=pk)
        assert kept.pi_restricted and kept.phone == "13800138000"  # kept, hidden
    assert Customer.objects.get(pk=free.pk).phone == "" and not Customer.objects.get(pk=free.pk).pi_restricted
    assert list(verify_chain()) == []

    # the AML period ends (the parameter is shortened): the next run erases the banked customer
    from kehu.core.models import RuleParameter

    RuleParameter.objects.create(code="acct.aml_retention_years", value=2, effective_from=timezone.localdate(),
                                 status="approved")
    later = privacy.retention_sweep(dry_run=False, now=now + timedelta(days=9))
    assert later.erased == 1 and Customer.objects.get(pk=banked.pk).phone == ""


def test_deletion_request_under_an_aml_period_restricts(rworld, officer):  # noqa: F811
    customer = rworld.individual()
    PersonalAccount.objects.create(account_no="6222000033334444", customer=customer, tier="II", channel="counter",
                                   identity_check="face_to_face", opened_on=timezone.localdate())
    request = privacy.request_receive(actor=rworld.bj_cm, customer_id=customer.pk, kind="deletion", channel="counter")
    privacy.request_verify(actor=officer, request_id=request.pk, verification="身份证")
    done = privacy.request_complete(actor=officer, request_id=request.pk, outcome="依法保存")
    assert "aml" in done.reason
    kept = Customer.objects.get(pk=customer.pk)
    assert kept.pi_restricted and kept.phone == "13800138000"


def test_retention_page_lists_every_class_with_its_policy(world, officer):
    privacy.retention_sweep(dry_run=True)
    client = Client()
    client.force_login(officer)
    page = client.get("/privacy/retention/")
    html = page.content.decode()
    assert page.status_code == 200
    for code in DATA_CLASSES:
        assert f'data-class="{code}"' in html
    assert ">180<" in html and ">730<" in html and ">3650<" in html
    manager = Client()
    manager.force_login(world.bj_cm)
    assert manager.get("/privacy/retention/").status_code == 403
    assert SweepRun.objects.filter(dry_run=True).exists()


def test_policy_action_must_be_one_the_owner_supports(db):
    policy = RetentionPolicy.objects.get(data_class="complaint_file")
    policy.action = "delete"
    with pytest.raises(ValidationError):
        policy.full_clean()
    policy.action = "anonymise"
    policy.full_clean()
    with pytest.raises(ValidationError):
        RetentionPolicy(data_class="no_such_class", name="x", basis="x", period_days=1, action="delete").full_clean()


def test_the_sweep_command_reports_per_class_and_changes_nothing_by_default(world):
    from io import StringIO

    from django.core.management import call_command

    customer = world.individual()
    Customer.objects.filter(pk=customer.pk).update(updated_at=timezone.now() - timedelta(days=800))
    out = StringIO()
    call_command("privacy_sweep", stdout=out)
    text = out.getvalue()
    assert f"customer {customer.pk}: prospect -> delete" in text and "complaint_file: 0 past the period" in text
    assert "dry run: nothing changed" in text and customer.name not in text
    assert Customer.objects.get(pk=customer.pk).phone == "13800138000"
