"""The demo data: complete, valid, loadable twice without duplicates."""

from __future__ import annotations

import random
from datetime import timedelta
from importlib.util import find_spec

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from stdnum.cn import ric, uscc
from tests.credit.test_races import invariant_violations

from kehu.core import services as core_services
from kehu.core.audit import verify_chain
from kehu.core.crypto import keyring
from kehu.core.models import AuditEvent, Role, RoleAssignment, User
from kehu.core.params import get_param
from kehu.customers.demo import DEMO_PASSWORD, demo_counts, load_demo
from kehu.customers.models import (
    AdmissionApplication,
    AdmissionStatus,
    ApplicationStatus,
    ConsentRecord,
    Customer,
    CustomerKind,
    GroupMembership,
    Licence,
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the demo once for this module (it takes seconds) and roll it back at the end. Each test runs in
    its own transaction inside it, so what one test loads on top (a module's demo) is gone for the next."""
    with django_db_blocker.unblock(), override_settings(KEHU_FILES_DIR=tmp_path_factory.mktemp("files")):
        with transaction.atomic():
            yield load_demo()
            transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_second_load_changes_nothing(demo):
    assert demo.created
    audit_rows = AuditEvent.objects.count()
    again = load_demo()
    assert not again.created
    assert again.counts == demo.counts == demo_counts()
    assert AuditEvent.objects.count() == audit_rows


def test_about_two_hundred_customers_of_every_kind(demo):
    assert 180 <= demo.counts["customers"] <= 220
    kinds = set(Customer.objects.values_list("kind", flat=True))
    assert kinds == set(CustomerKind.values)
    assert Customer.objects.filter(kind="enterprise").count() > Customer.objects.exclude(kind="enterprise").count()


def test_every_application_state_is_present(demo):
    states = set(AdmissionApplication.objects.values_list("status", flat=True))
    assert states == set(ApplicationStatus.values)
    standings = set(Customer.objects.values_list("admission_status", flat=True))
    assert {AdmissionStatus.ACTIVE, AdmissionStatus.TERMINATED, AdmissionStatus.EXITED,
            AdmissionStatus.QUALIFIED, AdmissionStatus.PROSPECT} <= standings
    assert Customer.objects.filter(admission_status="terminated").count() == 1
    assert Customer.objects.filter(admission_status="exited").count() == 1


def test_credit_codes_and_id_numbers_are_valid_and_unique(demo):
    codes = list(Customer.objects.exclude(uscc=None).values_list("uscc", flat=True))
    assert len(codes) >= 160
    assert all(uscc.is_valid(code) for code in codes), [c for c in codes if not uscc.is_valid(c)]
    people = list(Customer.objects.filter(kind="individual"))
    assert people and all(ric.is_valid(p.id_number) for p in people)
    assert len({p.id_number for p in people}) == len(people)
    # The blind index is what lookups use; it must match the number.
    assert all(p.id_number_hash == keyring().blind_index(p.id_number) for p in people)


def test_licences_expire_soon_and_have_expired(demo):
    today = timezone.localdate()
    warning = int(get_param("customers.licence_expiry_warning_days"))
    assert Licence.objects.filter(valid_to__lt=today).exists()
    assert Licence.objects.filter(valid_to__gte=today, valid_to__lte=today + timedelta(days=warning)).exists()
    # Nobody was admitted on an expired business licence.
    admitted = Customer.objects.filter(admission_status__in=["qualified", "active"], kind="enterprise")
    for customer in admitted:
        assert customer.licences.filter(kind="business_licence").exclude(valid_to__lt=today).exists()


def test_archive_has_contracts_contacts_groups_and_a_pending_consent(demo):
    counts = demo.counts
    assert counts["contracts"] > 100 and counts["contacts"] > 100 and counts["documents"] > 0
    assert counts["groups"] >= 1
    assert GroupMembership.objects.count() >= 2
    pending = ConsentRecord.objects.filter(status="pending").get()
    assert {"phone", "address"} <= set(pending.fields)
    assert pending.customer.changes.filter(is_personal=True).exists()
    # Every active customer has a signed agreement; scattered buyers need no contract.
    for customer in Customer.objects.filter(admission_status="active"):
        assert customer.agreements.exists()
        assert customer.kind == "scattered" or customer.contracts.exists()


def test_one_user_per_role_in_each_branch_and_committee_at_head_office(demo):
    for branch in ("BJ", "HY"):
        roles = list(RoleAssignment.objects.filter(org_unit__code=branch).values_list("role", flat=True))
        assert roles.count(Role.CUSTOMER_MANAGER) == 2
        assert roles.count(Role.CUSTOMER_OFFICE) == 1
        assert roles.count(Role.AUDITOR) == 1
        reviewer = User.objects.get(username=f"{branch.lower()}_dept")
        departments = set(reviewer.role_assignments.values_list("department", flat=True))
        assert departments == {"enterprise_mgmt", "production", "finance", "audit", "safety_env"}
    committee = RoleAssignment.objects.filter(role=Role.COMMITTEE, org_unit__code="HQ").count()
    assert committee == 3 > int(get_param("admission.committee_quorum"))
    assert User.objects.get(username="admin").is_staff


def test_every_printed_login_works_with_the_demo_password(demo):
    assert len(demo.logins) == User.objects.count()
    for login in demo.logins:
        assert core_services.login_attempt(username=login.username, password=DEMO_PASSWORD) is not None


def test_audit_chain_of_the_demo_verifies(demo):
    assert list(verify_chain()) == []
    assert AuditEvent.objects.count() > 1000


def test_demo_sysadmin_manages_org_units_users_and_parameters_in_django_admin(demo, client):
    client.force_login(User.objects.get(username="admin"))
    index = client.get("/admin/")
    assert index.status_code == 200
    for path in ("/admin/core/orgunit/", "/admin/core/user/", "/admin/core/ruleparameter/"):
        assert f'href="{path}"' in index.content.decode()
        assert client.get(path).status_code == 200
    assert "HY01" in client.get("/admin/core/orgunit/").content.decode()
    # Business users are not staff: the admin sends them to its login page.
    client.force_login(User.objects.get(username="bj_cm1"))
    assert client.get("/admin/").status_code == 302


def test_module_demos_load_once_on_top_of_the_customers_demo(demo):
    """`kehu demo` runs every module's demo after the customers; a second run changes nothing."""
    from kehu.demo import MODULE_DEMOS, load_module_demos, module_logins

    first = load_module_demos()
    audit_rows = AuditEvent.objects.count()
    second = load_module_demos()
    available = [label for module, _name, label in MODULE_DEMOS if find_spec(module)]
    assert [r.label for r in first] == [str(label) for label in available]
    assert all(r.created for r in first), [(r.label, r.detail) for r in first]
    assert not any(r.created for r in second)
    assert AuditEvent.objects.count() == audit_rows
    assert list(verify_chain()) == []
    logins = {username for username, *_ in module_logins({login.username for login in demo.logins})}
    assert {"hq_approver", "hq_risk1", "hq_agent1"} <= logins
    assert not logins & {login.username for login in demo.logins}


# ----------------------------------------------------------------------------- module demos on the customers demo
# Each module's demo alone on top of the customers demo (the module above loads them all in `kehu demo`'s order).


def test_credit_demo_loads_once_and_keeps_the_invariant(demo):
    from kehu.credit.demo import load_demo_credit
    from kehu.credit.models import CreditLine, CreditUse, LineMovement

    first = load_demo_credit(random.Random(7))
    assert first["created"] and CreditLine.objects.filter(status="active").count() >= 5
    assert CreditLine.objects.filter(status="in_approval").exists()
    assert CreditLine.objects.filter(line_amount__gte=100_000_000).exists()
    assert CreditUse.objects.filter(outstanding_amount__gt=0).exists()
    assert LineMovement.objects.filter(kind="refused").exists()
    assert invariant_violations() == 0
    count = CreditLine.objects.count()
    assert load_demo_credit(random.Random(7))["created"] is False
    assert CreditLine.objects.count() == count


def test_exposure_demo_statistics_show_a_carried_forward_customer(demo):
    from kehu.credit.demo import load_demo_credit
    from kehu.exposure.demo import load_demo_exposure
    from kehu.exposure.models import LargeCreditReport, StatFreeze

    load_demo_credit(random.Random(7))
    out = load_demo_exposure(random.Random(7))
    assert out["created"] and out["rows"] >= 1
    assert out["carried_forward"] == 1
    assert StatFreeze.objects.count() == 2
    assert LargeCreditReport.objects.get().problems == []
    assert load_demo_exposure(random.Random(7))["created"] is False


def test_accounts_demo_loads_once_with_people_near_each_limit(demo):
    """People near each limit, and people past the Class III ¥50,000 total with open and overdue tasks."""
    from kehu.accounts import selectors
    from kehu.accounts.demo import load_demo_accounts
    from kehu.accounts.models import PersonalAccount, RemediationTask

    first = load_demo_accounts(random.Random(7))
    assert first["created"]
    today = timezone.localdate()
    near = set()
    for account in PersonalAccount.objects.exclude(tier="I"):
        for usage in selectors.account_usage(account, today):
            if usage.limit and 0.9 <= usage.used / usage.limit <= 1:
                near.add(usage.rule)
    assert {"class2_in_day", "class2_out_day", "class3_balance", "class3_out_day"} <= near
    if today.timetuple().tm_yday > 30:
        assert {"class2_in_year", "class2_out_year", "class3_out_year"} <= near
    tasks = RemediationTask.objects.all()
    assert tasks.filter(due_date__gte=today).exists() and selectors.overdue_tasks(tasks, today).exists()
    count = PersonalAccount.objects.count()
    assert load_demo_accounts(random.Random(7))["created"] is False
    assert PersonalAccount.objects.count() == count
