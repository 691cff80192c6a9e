"""The customer archive (客户档案) through its services, against the real database."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from tests._fixtures.services import audit_rows, last_audit

from kehu.core.errors import Conflict, InvalidInput, InvalidTransition, NotFound, PermissionDenied
from kehu.core.models import AuditEvent
from kehu.customers import services
from kehu.customers.errors import DuplicateCustomer, InvalidIdentifier
from kehu.customers.events import CustomerEvent
from kehu.customers.models import (
    ConsentRecord,
    Contact,
    Customer,
    Document,
    GroupMembership,
    InfoChangeLog,
)
from kehu.customers.selectors import customer_get, customer_search, customers_visible_to, masked

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English

ID_NUMBER = "11010519491231002X"  # valid, with the check character X
PHONE = "13812345678"
ADDRESS = "北京市朝阳区建国路88号院3号楼1201"


def today():
    return timezone.localdate()


def all_audit_text() -> str:
    rows = AuditEvent.objects.values_list("old_values", "new_values", "reason")
    return json.dumps(list(rows), ensure_ascii=False)


def raw_row(table: str, pk: int, *columns: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()


@pytest.fixture
def person(world):
    return world.individual(
        name="张三丰",
        id_number=ID_NUMBER,
        phone=PHONE,
        address=ADDRESS,
        email="zhangsanfeng@example.com",
        occupation="教师",
    )


# ---------------------------------------------------------------- creating each kind


def test_creating_an_enterprise_records_it_as_a_prospect_and_audits_it(world):
    customer = world.enterprise(
        name="中国银行股份有限公司", uscc="911000001000013428", registered_capital_amount="29438779.12"
    )
    customer.refresh_from_db()
    assert customer.kind == "enterprise" and customer.admission_status == "prospect"
    assert (customer.org_unit.code, customer.org_path, customer.manager_id) == (
        "BJ",
        "/HQ/BJ/",
        world.bj_cm.pk,
    )
    assert customer.registered_capital_amount == Decimal("29438779.12")
    assert (customer.name_pinyin, customer.name_initials) == (
        "zhongguoyinhanggufenyouxiangongsi",
        "zgyhgfyxgs",
    )
    row = last_audit(CustomerEvent.CUSTOMER_CREATED, object_id=str(customer.pk))
    assert (row.object_type, row.customer_id, row.actor_id) == ("customer", customer.pk, world.bj_cm.pk)
    assert row.new_values["uscc"] == "911000001000013428"
    assert row.new_values["registered_capital_amount"] == "29438779.12"
    assert row.new_values["status"] == "prospect"


def test_creating_an_individual_audits_personal_data_masked(world, person):
    person.refresh_from_db()
    assert (person.id_number, person.phone, person.address) == (ID_NUMBER, PHONE, ADDRESS)
    new = last_audit(CustomerEvent.CUSTOMER_CREATED, object_id=str(person.pk)).new_values
    assert new["id_number"] == "110***********002X"
    assert new["phone"] == "138****5678"
    assert new["name"] == "张**"
    assert new["address"] == "北京市朝阳区****"
    assert new["email"] == "z***@example.com"


def test_a_financial_institution_and_a_scattered_buyer_can_be_created(world):
    bank = world.enterprise(kind="financial_institution", name="北京某农村商业银行股份有限公司")
    scattered = services.customer_create(
        actor=world.bj_cm, kind="scattered", name="散户李四", phone="010-12345678"
    )
    assert Customer.objects.get(pk=bank.pk).kind == "financial_institution"
    assert Customer.objects.get(pk=scattered.pk).uscc is None
    assert Customer.objects.get(pk=scattered.pk).phone == "010-12345678"


def test_an_entity_needs_a_credit_code_and_an_individual_an_id_number(world):
    with pytest.raises(InvalidInput) as caught:
        services.customer_create(actor=world.bj_cm, kind="enterprise", name="无代码公司")
    assert (caught.value.field, caught.value.code) == ("uscc", "required")
    with pytest.raises(InvalidInput) as caught:
        services.customer_create(actor=world.bj_cm, kind="individual", name="王五")
    assert (caught.value.field, caught.value.code) == ("id_number", "required")
    assert not Customer.objects.exists()


def test_lower_case_and_spaced_identifiers_are_stored_normalised(world):
    valid = "911000001000013428"
    company = world.enterprise(uscc=f"  {valid}  ")
    assert Customer.objects.get(pk=company.pk).uscc == valid
    person = world.individual(id_number=ID_NUMBER.lower())
    assert Customer.objects.get(pk=person.pk).id_number == ID_NUMBER


# ---------------------------------------------------------------- validation


BAD_CREATE = [
    ({"uscc": "911000001000013429"}, "enterprise", "uscc", InvalidIdentifier),  # wrong check character
    ({"uscc": "91100000100001342"}, "enterprise", "uscc", InvalidIdentifier),  # too short
    ({"uscc": "91100000100001342O"}, "enterprise", "uscc", InvalidIdentifier),  # O is not in the alphabet
    ({"id_number": "110105194912310021"}, "individual", "id_number", InvalidIdentifier),
    ({"id_number": "11010519491331002X"}, "individual", "id_number", InvalidIdentifier),  # month 13
    ({"id_number": "1101051949123100"}, "individual", "id_number", InvalidIdentifier),
    ({"phone": "1381234567"}, "individual", "phone", InvalidInput),
    ({"phone": "电话号码"}, "individual", "phone", InvalidInput),
    ({"email": "not-an-email"}, "individual", "email", InvalidInput),
    ({"email": "a@b"}, "individual", "email", InvalidInput),
    ({"registered_capital_amount": 1.5}, "enterprise", "registered_capital_amount", InvalidInput),  # float
    ({"registered_capital_amount": "1.005"}, "enterprise", "registered_capital_amount", InvalidInput),
    ({"registered_capital_amount": "-0.01"}, "enterprise", "registered_capital_amount", InvalidInput),
    (
        {"registered_capital_amount": "10000000000000"},
        "enterprise",
        "registered_capital_amount",
        InvalidInput,
    ),
    ({"registered_capital_amount": "1e30"}, "enterprise", "registered_capital_amount", InvalidInput),
    ({"registered_capital_amount": "NaN"}, "enterprise", "registered_capital_amount", InvalidInput),
    ({"registered_capital_amount": "Infinity"}, "enterprise", "registered_capital_amount", InvalidInput),
    ({"registered_capital_amount": "十万"}, "enterprise", "registered_capital_amount", InvalidInput),
    ({"registered_capital_amount": True}, "enterprise", "registered_capital_amount", InvalidInput),
    ({"name": "名" * 201}, "enterprise", "name", InvalidInput),
    ({"name": "   "}, "enterprise", "name", InvalidInput),
    ({"business_scope": "经营" * 1001}, "enterprise", "business_scope", InvalidInput),
    ({"legal_representative": "张" * 101}, "enterprise", "legal_representative", InvalidInput),
    ({"address": "路" * 301}, "individual", "address", InvalidInput),
    ({"industry": "bad\x00value"}, "enterprise", "industry", InvalidInput),
    ({"occupation": ["教师"]}, "individual", "occupation", InvalidInput),
]


@pytest.mark.parametrize(
    ("values", "kind", "field", "error"),
    BAD_CREATE,
    ids=[f"{f}-{i}" for i, (_v, _k, f, _e) in enumerate(BAD_CREATE)],
)
def test_bad_values_are_refused_and_nothing_is_written(world, values, kind, field, error):
    audit_before = AuditEvent.objects.count()
    with pytest.raises(error) as caught:
        if kind == "enterprise":
            world.enterprise(**values)
        else:
            world.individual(**values)
    assert caught.value.field == field
    assert caught.value.http_status == 400
    assert not Customer.objects.exists()
    assert AuditEvent.objects.count() == audit_before


def test_an_unknown_kind_is_refused(world):
    with pytest.raises(InvalidInput) as caught:
        services.customer_create(actor=world.bj_cm, kind="alien", name="外星客户")
    assert caught.value.field == "kind"


def test_capital_with_thousands_separators_and_two_decimals_is_accepted(world):
    customer = world.enterprise(registered_capital_amount="1,234,567.80")
    assert Customer.objects.get(pk=customer.pk).registered_capital_amount == Decimal("1234567.80")
    # The largest amount accepted survives the round trip through SQLite's floating-point storage exactly.
    largest = world.enterprise(registered_capital_amount="9999999999999.99")
    assert Customer.objects.get(pk=largest.pk).registered_capital_amount == Decimal("9999999999999.99")
    with pytest.raises(InvalidInput) as caught:
        world.enterprise(registered_capital_amount="10000000000000.00")
    assert caught.value.code == "out_of_range"


# ---------------------------------------------------------------- duplicates


def test_the_same_credit_code_cannot_be_registered_twice(world):
    first = world.enterprise()
    for variant in (first.uscc, first.uscc.lower(), f" {first.uscc} "):
        with pytest.raises(DuplicateCustomer) as caught:
            world.enterprise(uscc=variant)
        assert caught.value.code == "duplicate_customer"
        # the unique index refused it, and the message still says which code (both databases name the column)
        assert first.uscc in str(caught.value.message)
    # Not even by another branch that cannot see the first one.
    with pytest.raises(DuplicateCustomer):
        world.enterprise(by=world.sh_cm, uscc=first.uscc)
    assert Customer.objects.filter(uscc=first.uscc).count() == 1


def test_the_same_resident_id_cannot_be_registered_twice(world, person):
    for variant in (ID_NUMBER, ID_NUMBER.lower()):
        with pytest.raises(DuplicateCustomer):
            world.individual(id_number=variant)
    assert Customer.objects.filter(kind="individual").count() == 1


def test_an_update_cannot_take_another_customers_identifier(world, person):
    first, second = world.enterprise(), world.enterprise()
    with pytest.raises(DuplicateCustomer):
        services.customer_update(actor=world.bj_cm, customer_id=second.pk, changes={"uscc": first.uscc})
    other = world.individual()
    with pytest.raises(DuplicateCustomer):
        services.customer_update(actor=world.bj_cm, customer_id=other.pk, changes={"id_number": ID_NUMBER})
    assert Customer.objects.get(pk=second.pk).uscc != first.uscc


# ---------------------------------------------------------------- encryption at rest and exact lookup


def test_personal_data_is_encrypted_in_the_database(world, person):
    id_number, phone, address, email, id_hash = raw_row(
        "customers_customer", person.pk, "id_number", "phone", "address", "email", "id_number_hash"
    )
    for stored, clear in (
        (id_number, ID_NUMBER),
        (phone, PHONE),
        (address, ADDRESS),
        (email, "zhangsanfeng@example.com"),
    ):
        assert stored.startswith("v1:")
        assert clear not in stored and clear[-4:] not in stored
    assert ID_NUMBER not in id_hash and len(id_hash) == 64
    # Two encryptions of one value differ (random nonce), so equal values cannot be spotted in the table.
    other = world.individual(phone=PHONE)
    assert raw_row("customers_customer", other.pk, "phone")[0] != phone
    # Python code sees the clear text.
    assert Customer.objects.get(pk=person.pk).id_number == ID_NUMBER


def test_contact_phone_and_email_are_encrypted_and_audited_masked(world):
    company = world.enterprise()
    contact = services.contact_add(
        actor=world.bj_cm,
        customer_id=company.pk,
        name="李经理",
        phone="13912345678",
        email="li@example.com",
        is_primary=True,
    )
    phone, email = raw_row("customers_contact", contact.pk, "phone", "email")
    assert phone.startswith("v1:") and "13912345678" not in phone
    assert email.startswith("v1:") and "li@example.com" not in email
    row = last_audit(CustomerEvent.CONTACT_ADDED, object_id=str(contact.pk))
    assert row.customer_id == company.pk
    assert (row.new_values["phone"], row.new_values["email"]) == ("139****5678", "l***@example.com")
    second = services.contact_add(actor=world.bj_cm, customer_id=company.pk, name="王助理", is_primary=True)
    assert list(Contact.objects.filter(customer=company, is_primary=True)) == [second]


def test_an_individual_is_found_by_exact_id_number_only(world, person):
    world.individual()
    assert list(customer_search(user=world.bj_cm, q=ID_NUMBER)) == [person]
    assert list(customer_search(user=world.bj_cm, q=ID_NUMBER.lower())) == [person]
    assert list(customer_search(user=world.bj_cm, q=f" {ID_NUMBER} ")) == [person]
    assert list(customer_search(user=world.bj_cm, q=ID_NUMBER[:17] + "0")) == []
    assert list(customer_search(user=world.bj_cm, q=ID_NUMBER[:10])) == []
    # Outside the branch, the same search finds nothing.
    assert list(customer_search(user=world.sh_cm, q=ID_NUMBER)) == []


def test_search_finds_name_pinyin_initials_and_credit_code(world):
    bank = world.enterprise(name="中国银行股份有限公司", uscc="911000001000013428")
    other = world.enterprise(name="上海金源化工有限公司")
    for q in ("中国银行", "银行", "zgyh", "zhongguo", "ZGYH", "9110000010", "911000001000013428"):
        assert list(customer_search(user=world.bj_cm, q=q)) == [bank], q
    assert list(customer_search(user=world.bj_cm, q=other.uscc)) == [other]
    assert list(customer_search(user=world.bj_cm, q="jinyuan")) == [other]


def test_changing_the_id_number_moves_the_exact_lookup(world, person):
    new_id = "110105198001010016"
    services.customer_update(actor=world.bj_cm, customer_id=person.pk, changes={"id_number": new_id})
    assert list(customer_search(user=world.bj_cm, q=new_id)) == [person]
    assert list(customer_search(user=world.bj_cm, q=ID_NUMBER)) == []


# ---------------------------------------------------------------- masking of presented values


def test_presented_values_are_masked_for_individuals_only_where_personal(world, person):
    person.refresh_from_db()
    assert masked(person, "id_number") == "110***********002X"
    assert masked(person, "phone") == "138****5678"
    assert masked(person, "name") == "张**"
    assert masked(person, "address") == "北京市朝阳区****"
    assert masked(person, "email") == "z***@example.com"
    assert masked(person, "occupation") == "教师"
    company = world.enterprise(name="北京华鑫有色金属有限公司", address="北京市朝阳区建国路1号")
    # A company's name and address are public registration data.
    assert masked(company, "name") == "北京华鑫有色金属有限公司"
    assert masked(company, "address") == "北京市朝阳区建国路1号"


# ---------------------------------------------------------------- updates and consent (S3 Art.8)


def test_a_change_of_personal_data_is_logged_masked_and_asks_for_consent(world, person):
    new_phone = "13998765432"
    services.customer_update(
        actor=world.bj_cm, customer_id=person.pk, changes={"phone": new_phone, "occupation": "工程师"}
    )
    person.refresh_from_db()
    assert (person.phone, person.occupation, person.version) == (new_phone, "工程师", 2)

    logs = {log.field: log for log in InfoChangeLog.objects.filter(customer=person)}
    assert set(logs) == {"phone", "occupation"}
    assert (logs["phone"].old_display, logs["phone"].new_display) == ("138****5678", "139****5432")
    assert logs["phone"].is_personal and logs["phone"].actor_id == world.bj_cm.pk
    assert (logs["occupation"].old_display, logs["occupation"].new_display) == ("教师", "工程师")
    assert not logs["occupation"].is_personal

    # S3 Art.6/8: occupation is basic information too; the customer is told of both changes.
    consent = ConsentRecord.objects.get(customer=person)
    assert (consent.status, consent.fields, consent.purpose) == ("pending", ["phone", "occupation"], "info_change")

    row = last_audit(CustomerEvent.CUSTOMER_UPDATED, object_id=str(person.pk))
    assert row.customer_id == person.pk
    assert row.old_values == {"phone": "138****5678", "occupation": "教师"}
    assert row.new_values == {"phone": "139****5432", "occupation": "工程师"}
    consent_row = last_audit(CustomerEvent.CUSTOMER_CONSENT_RECORDED, object_id=str(consent.pk))
    assert consent_row.new_values == {"status": "pending", "fields": ["phone", "occupation"]}


def test_the_audit_log_never_holds_a_clear_id_number_or_phone(world, person):
    new_id, new_phone = "110105198001010016", "13998765432"
    services.customer_update(
        actor=world.bj_cm,
        customer_id=person.pk,
        changes={"id_number": new_id, "phone": new_phone, "address": "北京市海淀区中关村大街1号"},
    )
    services.customer_unmask(
        actor=world.bj_cm, customer_id=person.pk, fields=["id_number", "phone"], reason="客户来电核实身份"
    )
    services.contact_add(actor=world.bj_cm, customer_id=person.pk, name="紧急联系人", phone="13700001111")
    text = all_audit_text()
    for secret in (ID_NUMBER, new_id, PHONE, new_phone, "13700001111", "中关村大街1号", "建国路88号"):
        assert secret not in text
    changes = InfoChangeLog.objects.filter(customer=person).values_list("old_display", "new_display")
    assert all(secret not in json.dumps(list(changes), ensure_ascii=False) for secret in (ID_NUMBER, new_id))


def test_a_change_of_enterprise_data_asks_consent_but_a_new_manager_does_not(world):
    company = world.enterprise()
    services.customer_update(actor=world.bj_cm, customer_id=company.pk, changes={"industry": "冶炼"})
    assert ConsentRecord.objects.get(customer=company).fields == ["industry"]  # S3 Art.8 covers enterprise data
    log = InfoChangeLog.objects.get(customer=company)
    assert (log.field, log.new_display, log.is_personal) == ("industry", "冶炼", False)
    services.customer_update(actor=world.bj_cm, customer_id=company.pk, changes={"manager_id": world.bj_sales.pk})
    assert ConsentRecord.objects.filter(customer=company).count() == 1  # internal: not the customer's information


def test_an_update_that_changes_nothing_writes_nothing(world, person):
    before = AuditEvent.objects.count()
    services.customer_update(
        actor=world.bj_cm, customer_id=person.pk, changes={"phone": PHONE, "occupation": "教师"}
    )
    person.refresh_from_db()
    assert person.version == 1
    assert AuditEvent.objects.count() == before
    assert not InfoChangeLog.objects.exists()


def test_an_update_refuses_unknown_fields_and_stale_versions(world, person):
    with pytest.raises(InvalidInput) as caught:
        services.customer_update(
            actor=world.bj_cm, customer_id=person.pk, changes={"admission_status": "qualified"}
        )
    assert caught.value.code == "unknown_field"
    with pytest.raises(Conflict) as caught:
        services.customer_update(
            actor=world.bj_cm, customer_id=person.pk, changes={"occupation": "医生"}, expected_version=7
        )
    assert caught.value.code == "stale_version"
    with pytest.raises(InvalidIdentifier):
        services.customer_update(actor=world.bj_cm, customer_id=person.pk, changes={"id_number": "123"})
    person.refresh_from_db()
    assert (person.admission_status, person.occupation, person.id_number) == ("prospect", "教师", ID_NUMBER)


def test_an_entity_cannot_drop_its_credit_code(world):
    company = world.enterprise()
    with pytest.raises(InvalidInput) as caught:
        services.customer_update(actor=world.bj_cm, customer_id=company.pk, changes={"uscc": ""})
    assert caught.value.code == "required"


def test_the_customer_answers_a_consent_request_once(world, person):
    services.customer_update(actor=world.bj_cm, customer_id=person.pk, changes={"phone": "13998765432"})
    consent = ConsentRecord.objects.get(customer=person)
    services.consent_record(actor=world.bj_cm, consent_id=consent.pk, status="confirmed", channel="短信")
    consent.refresh_from_db()
    assert (consent.status, consent.channel, consent.recorded_by_id) == ("confirmed", "短信", world.bj_cm.pk)
    assert consent.responded_at is not None
    row = last_audit(CustomerEvent.CUSTOMER_CONSENT_RECORDED, object_id=str(consent.pk))
    assert (row.old_values, row.new_values) == ({"status": "pending"}, {"status": "confirmed"})
    with pytest.raises(InvalidTransition):
        services.consent_record(actor=world.bj_cm, consent_id=consent.pk, status="declined")
    with pytest.raises(InvalidInput):
        services.consent_record(actor=world.bj_cm, consent_id=consent.pk, status="maybe")


# ---------------------------------------------------------------- unmasking


def test_unmasking_returns_clear_values_and_is_audited_with_its_reason(world, person):
    values = services.customer_unmask(
        actor=world.bj_cm,
        customer_id=person.pk,
        fields=["id_number", "phone"],
        reason="办理业务核实身份",
        ip="10.1.2.3",
        channel="web",
    )
    assert values == {"id_number": ID_NUMBER, "phone": PHONE}
    row = last_audit(CustomerEvent.CUSTOMER_UNMASKED, object_id=str(person.pk))
    assert (row.customer_id, row.actor_id, row.reason) == (person.pk, world.bj_cm.pk, "办理业务核实身份")
    assert row.new_values == {"fields": ["id_number", "phone"]}
    assert (row.ip, row.channel) == ("10.1.2.3", "web")


def test_unmasking_without_fields_returns_every_personal_field(world, person):
    values = services.customer_unmask(
        actor=world.bj_office, customer_id=person.pk, fields=[], reason="年度复核"
    )
    assert set(values) == {"name", "id_number", "phone", "email", "address"}
    assert values["name"] == "张三丰"


@pytest.mark.parametrize("reason", ["", "  ", "看看"])
def test_unmasking_needs_a_reason(world, person, reason):
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as caught:
        services.customer_unmask(
            actor=world.bj_cm, customer_id=person.pk, fields=["id_number"], reason=reason
        )
    assert caught.value.code == "reason_required"
    assert AuditEvent.objects.count() == before


def test_unmasking_needs_the_permission(world, person):
    for user in (world.bj_auditor, world.hq_auditor, world.bj_dept, world.hq_committee1):
        with pytest.raises(PermissionDenied):
            services.customer_unmask(
                actor=user, customer_id=person.pk, fields=["id_number"], reason="审计抽查需要"
            )
    # The system administrator sees no customer data at all (separation of duties): for them the customer
    # does not exist (404, issue 11 defect 13).
    with pytest.raises(NotFound):
        services.customer_unmask(
            actor=world.admin, customer_id=person.pk, fields=["id_number"], reason="运维需要"
        )
    assert not audit_rows(CustomerEvent.CUSTOMER_UNMASKED)


def test_only_personal_fields_can_be_unmasked(world, person):
    with pytest.raises(InvalidInput) as caught:
        services.customer_unmask(actor=world.bj_cm, customer_id=person.pk, fields=["uscc"], reason="核实信息")
    assert caught.value.field == "fields"


# ---------------------------------------------------------------- data scope


@pytest.fixture
def sh(world):
    """A Shanghai customer with a document, contact, consent request, group and an open application."""
    customer = world.enterprise(by=world.sh_cm, region="上海")
    world.papers(customer, by=world.sh_cm)
    application = world.submit(customer, by=world.sh_cm)
    document = services.document_upload(
        actor=world.sh_cm,
        customer_id=customer.pk,
        kind="other",
        title="报表",
        filename="a.pdf",
        content_type="application/pdf",
        data=b"%PDF-1.4 data",
    )
    contact = services.contact_add(
        actor=world.sh_cm, customer_id=customer.pk, name="赵六", phone="13611112222"
    )
    services.customer_update(actor=world.sh_cm, customer_id=customer.pk, changes={"phone": "13611113333"})
    group = services.group_create(actor=world.sh_office, code="G-SH", name="上海集团", org_code="SH")
    services.group_add_member(
        actor=world.sh_office, group_id=group.pk, customer_id=customer.pk, relation="parent"
    )
    consent = ConsentRecord.objects.filter(customer=customer).order_by("-pk").first()  # the phone change's
    return {
        "customer": customer,
        "application": application,
        "document": document,
        "contact": contact,
        "group": group,
        "consent": consent,
    }


def _bj_calls(world, sh, bj_group_id, bj_customer_id):
    c, a = sh["customer"].pk, sh["application"].pk
    return {
        "customer_get": lambda: customer_get(user=world.bj_cm, customer_id=c),
        "customer_update": lambda: services.customer_update(
            actor=world.bj_cm, customer_id=c, changes={"industry": "x"}
        ),
        "customer_unmask": lambda: services.customer_unmask(
            actor=world.bj_cm, customer_id=c, fields=["phone"], reason="核实身份信息"
        ),
        "consent_record": lambda: services.consent_record(
            actor=world.bj_cm, consent_id=sh["consent"].pk, status="confirmed"
        ),
        "contact_add": lambda: services.contact_add(actor=world.bj_cm, customer_id=c, name="x"),
        "contact_remove": lambda: services.contact_remove(actor=world.bj_cm, contact_id=sh["contact"].pk),
        "document_upload": lambda: services.document_upload(
            actor=world.bj_cm,
            customer_id=c,
            kind="other",
            title="t",
            filename="f",
            content_type="",
            data=b"x",
        ),
        "document_read": lambda: services.document_read(actor=world.bj_cm, document_id=sh["document"].pk),
        "licence_add": lambda: services.licence_add(
            actor=world.bj_cm, customer_id=c, kind="other", number="1"
        ),
        "contract_file": lambda: services.contract_file(
            actor=world.bj_cm, customer_id=c, number="X", signed_on=today()
        ),
        "agreement_sign": lambda: services.agreement_sign(
            actor=world.bj_cm, customer_id=c, number="X", signed_on=today()
        ),
        "group_add_member": lambda: services.group_add_member(
            actor=world.bj_office, group_id=bj_group_id, customer_id=c, relation="parent"
        ),
        "group_add_member_to_sh_group": lambda: services.group_add_member(
            actor=world.bj_office, group_id=sh["group"].pk, customer_id=bj_customer_id, relation="parent"
        ),
        "group_remove_member": lambda: services.group_remove_member(
            actor=world.bj_office, group_id=sh["group"].pk, customer_id=c
        ),
        "admission_create": lambda: services.admission_create(actor=world.bj_cm, customer_id=c),
        "admission_update": lambda: services.admission_update(
            actor=world.bj_cm, application_id=a, scope_attested=True
        ),
        "admission_submit": lambda: services.admission_submit(actor=world.bj_cm, application_id=a),
        "admission_sales_check": lambda: services.admission_sales_check(
            actor=world.bj_sales, application_id=a
        ),
        "admission_office_review": lambda: services.admission_office_review(
            actor=world.bj_office, application_id=a
        ),
        "admission_opinion": lambda: services.admission_opinion(
            actor=world.bj_dept, application_id=a, department="finance", opinion="approve"
        ),
        "admission_vote": lambda: services.admission_vote(
            actor=world.bj_office, application_id=a, approve=True
        ),
        "admission_return": lambda: services.admission_return(
            actor=world.bj_sales, application_id=a, comment="退回"
        ),
        "customer_activate": lambda: services.customer_activate(actor=world.bj_cm, customer_id=c),
        "customer_terminate": lambda: services.customer_terminate(
            actor=world.bj_office, customer_id=c, reason="other", note="终止"
        ),
        "customer_exit": lambda: services.customer_exit(actor=world.bj_cm, customer_id=c, note="退出"),
    }


def test_a_beijing_user_gets_not_found_for_a_shanghai_customer_in_every_service(world, sh):
    bj_group = services.group_create(actor=world.bj_office, code="G-BJ", name="北京集团", org_code="BJ")
    calls = _bj_calls(world, sh, bj_group.pk, world.enterprise().pk)
    before = AuditEvent.objects.count()
    failures = []
    for name, call in calls.items():
        try:
            call()
        except NotFound:
            continue
        except Exception as exc:  # collect every leak, not only the first
            failures.append(f"{name}: {type(exc).__name__} {exc}")
        else:
            failures.append(f"{name}: succeeded")
    assert failures == []
    assert AuditEvent.objects.count() == before
    assert list(customer_search(user=world.bj_cm, q=sh["customer"].uscc)) == []
    assert sh["customer"] not in customers_visible_to(world.bj_office)


def test_head_office_sees_both_branches(world, sh):
    bj = world.enterprise()
    assert set(customers_visible_to(world.hq_auditor)) == {bj, sh["customer"]}
    assert set(customers_visible_to(world.bj_auditor)) == {bj}


def test_an_own_customers_only_manager_sees_only_customers_assigned_to_them(world):
    mine = world.enterprise(by=world.bj01_cm)
    assert mine.manager_id == world.bj01_cm.pk and mine.org_unit.code == "BJ01"
    colleague = world.enterprise(by=world.bj_cm, org="BJ01", manager_id=world.bj_cm.pk)
    branch = world.enterprise(by=world.bj_cm)
    assert list(customers_visible_to(world.bj01_cm)) == [mine]
    assert list(customer_search(user=world.bj01_cm, q=colleague.uscc)) == []
    for other in (colleague, branch):
        with pytest.raises(NotFound):
            customer_get(user=world.bj01_cm, customer_id=other.pk)
        with pytest.raises(NotFound):
            services.customer_update(actor=world.bj01_cm, customer_id=other.pk, changes={"industry": "冶炼"})
    # The branch manager above still sees the sub-branch's customers.
    assert set(customers_visible_to(world.bj_cm)) == {mine, colleague, branch}
    # Reassigning the customer to them brings it into view.
    services.customer_update(
        actor=world.bj_cm, customer_id=colleague.pk, changes={"manager_id": world.bj01_cm.pk}
    )
    assert set(customers_visible_to(world.bj01_cm)) == {mine, colleague}


def test_a_customer_cannot_be_created_in_another_branch(world):
    with pytest.raises(PermissionDenied):
        world.enterprise(by=world.bj_cm, org="SH")
    with pytest.raises(PermissionDenied):
        world.enterprise(by=world.bj_office)  # the office does not open customers
    assert not Customer.objects.exists()


def test_a_manager_must_be_a_customer_manager_of_the_unit(world):
    with pytest.raises(InvalidInput) as caught:
        world.enterprise(by=world.bj_cm, manager_id=world.sh_cm.pk)
    assert caught.value.field == "manager_id"
    with pytest.raises(InvalidInput):
        world.enterprise(by=world.bj_cm, manager_id=world.bj_office.pk)


def test_a_user_in_scope_without_the_permission_is_refused(world, person):
    with pytest.raises(PermissionDenied):
        services.customer_update(actor=world.bj_auditor, customer_id=person.pk, changes={"occupation": "x"})
    with pytest.raises(PermissionDenied):
        services.document_upload(
            actor=world.bj_dept,
            customer_id=person.pk,
            kind="other",
            title="t",
            filename="f.txt",
            content_type="text/plain",
            data=b"x",
        )


# ---------------------------------------------------------------- documents


def test_an_uploaded_document_is_stored_encrypted_and_read_back_with_an_audit_row(world, person):
    data = "身份证复印件 ID 11010519491231002X".encode() * 50
    document = services.document_upload(
        actor=world.bj_cm,
        customer_id=person.pk,
        kind="identity",
        title="身份证复印件",
        filename="../../etc/id card.jpg",
        content_type="image/jpeg",
        data=data,
    )
    stored = (settings.KEHU_FILES_DIR / document.storage_name).read_bytes()
    assert stored.startswith(b"KEHU1")
    assert data not in stored and b"11010519491231002X" not in stored
    assert "/" not in document.filename and document.size == len(data)
    up = last_audit(CustomerEvent.DOCUMENT_UPLOADED, object_id=str(document.pk))
    assert (up.customer_id, up.new_values["size"], up.new_values["kind"]) == (
        person.pk,
        len(data),
        "identity",
    )

    read_doc, read_data = services.document_read(actor=world.bj_auditor, document_id=document.pk)
    assert read_data == data and read_doc.pk == document.pk
    down = last_audit(CustomerEvent.DOCUMENT_DOWNLOADED, object_id=str(document.pk))
    assert (down.actor_id, down.customer_id) == (world.bj_auditor.pk, person.pk)


def test_a_tampered_document_is_detected(world, person):
    document = services.document_upload(
        actor=world.bj_cm,
        customer_id=person.pk,
        kind="other",
        title="合同",
        filename="c.pdf",
        content_type="application/pdf",
        data=b"%PDF original",
    )
    path = settings.KEHU_FILES_DIR / document.storage_name
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 0x01
    path.write_bytes(bytes(blob))
    with pytest.raises(InvalidInput) as caught:
        services.document_read(actor=world.bj_cm, document_id=document.pk)
    assert caught.value.code == "file_corrupt"
    assert not audit_rows(CustomerEvent.DOCUMENT_DOWNLOADED)


def test_a_document_swapped_for_another_valid_file_is_detected(world, person):
    first = services.document_upload(
        actor=world.bj_cm,
        customer_id=person.pk,
        kind="other",
        title="甲",
        filename="a.txt",
        content_type="text/plain",
        data=b"first file",
    )
    second = services.document_upload(
        actor=world.bj_cm,
        customer_id=person.pk,
        kind="other",
        title="乙",
        filename="b.txt",
        content_type="text/plain",
        data=b"second file",
    )
    files = settings.KEHU_FILES_DIR
    (files / first.storage_name).write_bytes((files / second.storage_name).read_bytes())
    with pytest.raises(InvalidInput) as caught:
        services.document_read(actor=world.bj_cm, document_id=first.pk)
    assert caught.value.code == "file_corrupt"


def test_a_missing_document_file_is_reported_not_crashed(world, person):
    document = services.document_upload(
        actor=world.bj_cm,
        customer_id=person.pk,
        kind="other",
        title="丙",
        filename="c.txt",
        content_type="text/plain",
        data=b"third file",
    )
    (settings.KEHU_FILES_DIR / document.storage_name).unlink()
    with pytest.raises(InvalidInput) as caught:
        services.document_read(actor=world.bj_cm, document_id=document.pk)
    assert caught.value.code == "file_corrupt"


def test_an_empty_or_oversized_upload_is_refused(world, person, settings):
    settings.KEHU_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(InvalidInput):
        services.document_upload(
            actor=world.bj_cm,
            customer_id=person.pk,
            kind="other",
            title="t",
            filename="f",
            content_type="",
            data=b"",
        )
    with pytest.raises(InvalidInput) as caught:
        services.document_upload(
            actor=world.bj_cm,
            customer_id=person.pk,
            kind="other",
            title="t",
            filename="f",
            content_type="",
            data=b"x" * 1025,
        )
    assert caught.value.code == "too_large"
    assert not Document.objects.exists()


# ---------------------------------------------------------------- licences and contracts


def test_a_licence_cannot_end_before_it_starts_and_dates_must_be_dates(world):
    company = world.enterprise()
    with pytest.raises(InvalidInput) as caught:
        services.licence_add(
            actor=world.bj_cm,
            customer_id=company.pk,
            kind="business_licence",
            number="1",
            valid_from=today(),
            valid_to=today() - timedelta(days=1),
        )
    assert caught.value.field == "valid_to"
    with pytest.raises(InvalidInput):
        services.licence_add(
            actor=world.bj_cm,
            customer_id=company.pk,
            kind="business_licence",
            number="1",
            valid_to="2026-02-30",
        )
    with pytest.raises(InvalidInput):
        services.licence_add(actor=world.bj_cm, customer_id=company.pk, kind="driving_licence", number="1")
    licence = services.licence_add(
        actor=world.bj_cm,
        customer_id=company.pk,
        kind="safety_permit",
        number="(京)WH安许证字[2026]001",
        valid_to="2029-12-31",
        annual_report_ok=False,
    )
    row = last_audit(CustomerEvent.LICENCE_ADDED, object_id=str(licence.pk))
    assert row.customer_id == company.pk
    assert row.new_values == {
        "kind": "safety_permit",
        "number": "(京)WH安许证字[2026]001",
        "valid_from": "None",
        "valid_to": "2029-12-31",
        "annual_report_ok": False,
    }


def test_a_contract_number_is_filed_once_per_customer_and_amounts_are_decimal(world):
    company = world.enterprise()
    contract = services.contract_file(
        actor=world.bj_cm,
        customer_id=company.pk,
        number="HT-2026-001",
        signed_on="2026-01-05",
        amount_value="1200000.50",
    )
    assert contract.amount == Decimal("1200000.50")
    row = last_audit(CustomerEvent.CONTRACT_FILED, object_id=str(contract.pk))
    assert (row.customer_id, row.new_values["amount"]) == (company.pk, "1200000.50")
    with pytest.raises(Conflict):
        services.contract_file(
            actor=world.bj_cm, customer_id=company.pk, number="HT-2026-001", signed_on=today()
        )
    with pytest.raises(InvalidInput):
        services.contract_file(
            actor=world.bj_cm,
            customer_id=company.pk,
            number="HT-2",
            signed_on=today(),
            amount_value=1200000.5,
        )
    with pytest.raises(InvalidInput):
        services.contract_file(actor=world.bj_cm, customer_id=company.pk, number="HT-3", signed_on=None)


# ---------------------------------------------------------------- groups


def test_a_customer_belongs_to_one_group_at_a_time(world):
    first, second = world.enterprise(), world.enterprise()
    group_a = services.group_create(actor=world.bj_office, code="G-A", name="华鑫集团", org_code="BJ")
    group_b = services.group_create(actor=world.bj_office, code="G-B", name="金源集团", org_code="BJ")
    membership = services.group_add_member(
        actor=world.bj_office,
        group_id=group_a.pk,
        customer_id=first.pk,
        relation="parent",
        evidence="股权结构图",
    )
    services.group_add_member(
        actor=world.bj_office, group_id=group_a.pk, customer_id=second.pk, relation="subsidiary"
    )
    assert membership.relation == "parent"
    with pytest.raises(Conflict) as caught:
        services.group_add_member(
            actor=world.bj_office, group_id=group_b.pk, customer_id=first.pk, relation="common_control"
        )
    assert caught.value.code == "already_in_group"
    row = last_audit(CustomerEvent.GROUP_MEMBER_ADDED, customer_id=first.pk)
    assert (row.object_id, row.new_values["relation"]) == (str(group_a.pk), "parent")

    services.group_remove_member(actor=world.bj_office, group_id=group_a.pk, customer_id=first.pk)
    assert last_audit(CustomerEvent.GROUP_MEMBER_REMOVED, customer_id=first.pk).old_values == {"relation": "parent"}
    services.group_add_member(
        actor=world.bj_office, group_id=group_b.pk, customer_id=first.pk, relation="common_control"
    )
    assert GroupMembership.objects.get(customer=first).group_id == group_b.pk


def test_group_codes_relations_and_permissions_are_checked(world):
    company = world.enterprise()
    group = services.group_create(actor=world.bj_office, code="G-A", name="华鑫集团", org_code="BJ")
    with pytest.raises(Conflict):
        services.group_create(actor=world.bj_office, code="G-A", name="重复", org_code="BJ")
    with pytest.raises(InvalidInput):
        services.group_add_member(
            actor=world.bj_office, group_id=group.pk, customer_id=company.pk, relation="friend"
        )
    with pytest.raises(PermissionDenied):
        services.group_add_member(
            actor=world.bj_cm, group_id=group.pk, customer_id=company.pk, relation="parent"
        )
    with pytest.raises(PermissionDenied):
        services.group_create(actor=world.bj_office, code="G-SH", name="上海", org_code="SH")
    assert not GroupMembership.objects.exists()


# ---------------------------------------------------------------- encrypted individual names


def test_individual_names_can_be_stored_encrypted_and_shown_masked(world, settings):
    settings.KEHU_ENCRYPT_INDIVIDUAL_NAMES = True
    person = world.individual(name="欧阳娜娜")
    name, name_encrypted = raw_row("customers_customer", person.pk, "name", "name_encrypted")
    assert name == "欧***"
    assert name_encrypted.startswith("v1:") and "欧阳娜娜" not in name_encrypted
    assert Customer.objects.get(pk=person.pk).true_name == "欧阳娜娜"
    # Lists and search see only the masked name and the surname's pinyin.
    assert list(customer_search(user=world.bj_cm, q="ouyang")) == []
    assert list(customer_search(user=world.bj_cm, q="欧阳娜娜")) == []
    values = services.customer_unmask(
        actor=world.bj_cm, customer_id=person.pk, fields=["name"], reason="核对姓名"
    )
    assert values == {"name": "欧阳娜娜"}
    services.customer_update(actor=world.bj_cm, customer_id=person.pk, changes={"name": "欧阳娜"})
    assert Customer.objects.get(pk=person.pk).true_name == "欧阳娜"
    assert "欧阳娜" not in all_audit_text()
    log = InfoChangeLog.objects.get(customer=person, field="name")
    assert (log.old_display, log.new_display, log.is_personal) == ("欧***", "欧**", True)
