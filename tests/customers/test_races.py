"""Races with real threads: each thread has its own database connection and commits for real.

On SQLite the IMMEDIATE transaction mode serialises writers at BEGIN; on PostgreSQL the services'
``select_for_update`` and unique indexes do. Either way exactly one of two conflicting writes wins and
the other gets a clean domain error.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone
from tests._fixtures.services import PASSWORD, audit_rows, make_user

from kehu.core import services as core_services
from kehu.core.audit import Event, verify_chain
from kehu.core.errors import AccountLocked, Conflict, InvalidTransition
from kehu.core.models import AuditEvent, User
from kehu.customers import services
from kehu.customers.errors import DuplicateCustomer
from kehu.customers.events import CustomerEvent
from kehu.customers.generators import make_uscc
from kehu.customers.models import AdmissionReview, AdmissionStatusChange, Customer

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English


def run_together(*calls, timeout: float = 60):
    """Start every call at the same moment in its own thread; return ("ok", value) or ("error", exc) each."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", call())
        except Exception as exc:  # the outcome is what the test inspects
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def fresh(user: User):
    # Each thread loads its own user row instead of sharing one object across connections.
    return lambda: User.objects.get(pk=user.pk)


def set_quorum(world, quorum: int) -> None:
    checker = make_user("admin2", "HQ", ["sysadmin"])
    row = core_services.parameter_propose(
        code="admission.committee_quorum",
        value=quorum,
        effective_from=timezone.localdate(),
        actor=world.admin,
    )
    core_services.parameter_approve(parameter_id=row.pk, actor=checker)


def application_at_committee(world):
    customer = world.enterprise()
    world.papers(customer)
    return world.to_committee(customer)


def vote(user: User, application_id: int, approve: bool = True):
    load = fresh(user)
    return lambda: (
        services.admission_vote(actor=load(), application_id=application_id, approve=approve).status
    )


def test_two_members_approving_at_once_with_quorum_one_qualify_exactly_once(tworld):
    set_quorum(tworld, 1)
    for _ in range(3):
        application = application_at_committee(tworld)
        results = run_together(
            vote(tworld.hq_committee1, application.pk), vote(tworld.hq_committee2, application.pk)
        )

        outcomes = sorted(kind for kind, _value in results)
        assert outcomes == ["error", "ok"], results
        winner = next(value for kind, value in results if kind == "ok")
        loser = next(value for kind, value in results if kind == "error")
        assert winner == "qualified"
        assert isinstance(loser, (InvalidTransition, Conflict)), repr(loser)

        application.refresh_from_db()
        assert application.status == "qualified"
        assert application.customer.admission_status == "qualified"
        assert (
            AdmissionStatusChange.objects.filter(application=application, to_status="qualified").count() == 1
        )
        # The losing vote rolled back with its audit row.
        assert AdmissionReview.objects.filter(application=application, stage="committee").count() == 1
        assert len(audit_rows(CustomerEvent.ADMISSION_VOTE, object_id=str(application.pk))) == 1
        assert len(audit_rows(CustomerEvent.ADMISSION_QUALIFIED, object_id=str(application.pk))) == 1
    assert list(verify_chain()) == []


def test_two_members_approving_at_once_with_quorum_two_both_count_and_qualify_once(tworld):
    set_quorum(tworld, 2)
    application = application_at_committee(tworld)
    results = run_together(
        vote(tworld.hq_committee1, application.pk), vote(tworld.hq_committee2, application.pk)
    )

    assert [kind for kind, _value in results] == ["ok", "ok"], results
    # One of them saw the other's vote and completed the quorum.
    assert sorted(value for _kind, value in results) == ["opinions_complete", "qualified"]
    application.refresh_from_db()
    assert application.status == "qualified"
    assert AdmissionReview.objects.filter(application=application, stage="committee").count() == 2
    assert AdmissionStatusChange.objects.filter(application=application, to_status="qualified").count() == 1
    assert len(audit_rows(CustomerEvent.ADMISSION_VOTE, object_id=str(application.pk))) == 2
    assert list(verify_chain()) == []


def test_one_member_voting_twice_at_once_is_counted_once(tworld):
    application = application_at_committee(tworld)
    results = run_together(
        vote(tworld.hq_committee1, application.pk), vote(tworld.hq_committee1, application.pk)
    )

    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, Conflict) and error.code == "already_voted"
    application.refresh_from_db()
    assert application.status == "opinions_complete"  # one member is not a quorum of two
    assert AdmissionReview.objects.filter(application=application, stage="committee").count() == 1
    assert list(verify_chain()) == []


def test_parallel_wrong_passwords_lock_the_account_after_exactly_the_limit(tworld):
    user = tworld.bj_cm
    attempts = 12

    def guess():
        return core_services.login_attempt(username="bj_cm", password="Wrong-pass-1", ip="10.0.0.9")

    results = run_together(*[guess for _ in range(attempts)])

    refused_by_password = [value for kind, value in results if kind == "ok"]
    refused_by_lock = [value for kind, value in results if kind == "error"]
    assert refused_by_password == [None] * 5
    assert len(refused_by_lock) == attempts - 5
    assert all(isinstance(exc, AccountLocked) for exc in refused_by_lock), refused_by_lock

    failed = audit_rows(Event.LOGIN_FAILED, object_id=str(user.pk))
    checked = [row for row in failed if row.reason != "locked"]
    assert [row.new_values for row in checked] == [{"failed_logins": n} for n in range(1, 6)]
    assert len(failed) - len(checked) == attempts - 5
    assert len(audit_rows(Event.ACCOUNT_LOCKED, object_id=str(user.pk))) == 1

    user.refresh_from_db()
    assert user.locked_until is not None and user.locked_until > timezone.now()
    try:
        core_services.login_attempt(username="bj_cm", password=PASSWORD)
    except AccountLocked:
        pass
    else:
        raise AssertionError("the right password was accepted while the account was locked")
    assert not audit_rows(Event.LOGIN_OK, object_id=str(user.pk))
    assert list(verify_chain()) == []


def test_two_creates_of_the_same_credit_code_at_once_make_one_customer(tworld):
    import random

    code = make_uscc(random.Random(7))
    load = fresh(tworld.bj_cm)

    def create(name):
        return lambda: services.customer_create(actor=load(), kind="enterprise", name=name, uscc=code).pk

    results = run_together(create("北京甲有限公司"), create("北京乙有限公司"))

    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, DuplicateCustomer), repr(error)
    assert Customer.objects.filter(uscc=code).count() == 1
    assert AuditEvent.objects.filter(event_code=CustomerEvent.CUSTOMER_CREATED, new_values__uscc=code).count() == 1
    assert list(verify_chain()) == []
