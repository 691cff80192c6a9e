"""The admission review (准入) through its services, against the real database: S9 Ch.4 §5-7, domain spec 2.2."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests._fixtures.services import audit_rows, history, last_audit, make_user

from kehu.core.audit import verify_chain
from kehu.core.errors import (
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    SelfApprovalNotAllowed,
)
from kehu.core.models import AuditEvent
from kehu.customers import services
from kehu.customers.errors import AdmissionBlocked, CustomerNotTradable
from kehu.customers.events import CustomerEvent
from kehu.customers.models import (
    AdmissionApplication,
    AdmissionReview,
    AgreementStatus,
    CooperationAgreement,
    Customer,
    Licence,
)

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English

DEPARTMENTS = ["enterprise_mgmt", "production", "finance", "audit", "safety_env"]


def today():
    return timezone.localdate()


def _refresh(*objects):
    for obj in objects:
        obj.refresh_from_db()


def _open(world, customer, *, by=None, **kw):
    values = {
        "scope_attested": True,
        "expected_annual_volume_amount": "1000000.00",
        "questionnaire": {"main_products": "电解铜"},
    }
    values.update(kw)
    return services.admission_create(actor=by or world.bj_cm, customer_id=customer.pk, **values)


def advance(world, application, to: str) -> AdmissionApplication:
    """Move a submitted application forward to ``to`` with the right reviewers."""
    steps = [
        (
            "sales_checked",
            lambda: services.admission_sales_check(actor=world.bj_sales, application_id=application.pk),
        ),
        (
            "office_reviewed",
            lambda: services.admission_office_review(actor=world.bj_office, application_id=application.pk),
        ),
        (
            "opinions_complete",
            lambda: [
                services.admission_opinion(
                    actor=world.bj_dept, application_id=application.pk, department=d, opinion="approve"
                )
                for d in DEPARTMENTS
            ],
        ),
        (
            "qualified",
            lambda: [
                services.admission_vote(actor=member, application_id=application.pk, approve=True)
                for member in (world.hq_committee1, world.hq_committee2)
            ],
        ),
    ]
    order = ["submitted"] + [status for status, _step in steps]
    application.refresh_from_db()
    for status, step in steps:
        if application.status == to:
            break
        if order.index(status) <= order.index(application.status):
            continue
        step()
        application.refresh_from_db()
        assert application.status == status
    assert application.status == to
    return application


def submitted_enterprise(world, **kw):
    customer = world.enterprise(**kw)
    world.papers(customer)
    return customer, world.submit(customer)


def assert_step_audit(event, application, actor, old, new, reason=""):
    row = last_audit(event, object_type="admission", object_id=str(application.pk))
    assert row.actor_id == actor.pk
    assert row.customer_id == application.customer_id
    assert row.old_values == {"status": old}
    assert row.new_values == {"status": new, "round": application.round}
    assert row.reason == reason
    return row


# ---------------------------------------------------------------- the happy path


def test_an_enterprise_goes_from_draft_to_qualified_with_audit_and_history(world):
    customer = world.enterprise()
    world.papers(customer)
    application = _open(world, customer)
    assert (application.status, application.round) == ("draft", 0)
    created = last_audit(CustomerEvent.ADMISSION_CREATED, object_id=str(application.pk))
    assert (created.object_type, created.customer_id, created.actor_id) == (
        "admission",
        customer.pk,
        world.bj_cm.pk,
    )
    assert created.new_values == {"status": "draft"}

    services.admission_submit(actor=world.bj_cm, application_id=application.pk, note="首次提交")
    _refresh(application, customer)
    assert (application.status, application.round, application.submitted_by_id) == (
        "submitted",
        1,
        world.bj_cm.pk,
    )
    assert application.submitted_at is not None
    assert customer.admission_status == "in_review"
    assert_step_audit(
        CustomerEvent.ADMISSION_SUBMITTED, application, world.bj_cm, "draft", "submitted", reason="首次提交"
    )

    services.admission_sales_check(actor=world.bj_sales, application_id=application.pk, comment="资料齐全")
    application.refresh_from_db()
    assert application.status == "sales_checked"
    assert_step_audit(
        CustomerEvent.ADMISSION_SALES_CHECKED,
        application,
        world.bj_sales,
        "submitted",
        "sales_checked",
        reason="资料齐全",
    )

    services.admission_office_review(actor=world.bj_office, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == "office_reviewed"
    assert_step_audit(
        CustomerEvent.ADMISSION_OFFICE_REVIEWED, application, world.bj_office, "sales_checked", "office_reviewed"
    )

    for department in DEPARTMENTS:
        application.refresh_from_db()
        assert application.status == "office_reviewed"
        services.admission_opinion(
            actor=world.bj_dept, application_id=application.pk, department=department, opinion="approve"
        )
        opinion = last_audit(CustomerEvent.ADMISSION_OPINION, object_id=str(application.pk))
        assert opinion.new_values == {"department": department, "opinion": "approve", "round": 1}
        assert opinion.customer_id == customer.pk
    application.refresh_from_db()
    assert application.status == "opinions_complete"
    assert_step_audit(
        CustomerEvent.ADMISSION_OPINIONS_COMPLETE, application, world.bj_dept, "office_reviewed", "opinions_complete"
    )

    services.admission_vote(actor=world.hq_committee1, application_id=application.pk, approve=True)
    _refresh(application, customer)
    assert application.status == "opinions_complete"  # one vote of the quorum of two
    assert customer.admission_status == "in_review"
    vote = last_audit(CustomerEvent.ADMISSION_VOTE, object_id=str(application.pk))
    assert (vote.actor_id, vote.new_values) == (world.hq_committee1.pk, {"approve": True, "round": 1})

    services.admission_vote(
        actor=world.hq_committee2, application_id=application.pk, approve=True, comment="同意"
    )
    _refresh(application, customer)
    assert application.status == "qualified"
    assert application.decided_at is not None
    assert customer.admission_status == "qualified"
    assert_step_audit(
        CustomerEvent.ADMISSION_QUALIFIED,
        application,
        world.hq_committee2,
        "opinions_complete",
        "qualified",
        reason="同意",
    )

    assert history(application) == [
        ("draft", "submitted"),
        ("submitted", "sales_checked"),
        ("sales_checked", "office_reviewed"),
        ("office_reviewed", "opinions_complete"),
        ("opinions_complete", "qualified"),
    ]
    actors = list(application.history.values_list("actor__username", flat=True))
    assert actors == ["bj_cm", "bj_sales", "bj_office", "bj_dept", "hq_committee2"]
    stages = list(AdmissionReview.objects.filter(application=application).values_list("stage", flat=True))
    assert stages == ["sales_check", "office_review"] + ["department"] * 5 + ["committee"] * 2
    assert list(verify_chain()) == []
    assert services.customer_require_tradable(customer_id=customer.pk).pk == customer.pk


# ---------------------------------------------------------------- guards at submission


def _submit_blocked(world, customer, **kw) -> AdmissionBlocked:
    application = _open(world, customer, **kw)
    audit_before = AuditEvent.objects.count()
    with pytest.raises(AdmissionBlocked) as caught:
        services.admission_submit(actor=world.bj_cm, application_id=application.pk)
    application.refresh_from_db()
    customer.refresh_from_db()
    # Nothing of the refused submission remains.
    assert (application.status, application.round, application.submitted_by_id) == ("draft", 0, None)
    assert customer.admission_status == "prospect"
    assert history(application) == []
    assert AuditEvent.objects.count() == audit_before
    return caught.value


def _contract(world, customer, number="HT-1"):
    services.contract_file(
        actor=world.bj_cm, customer_id=customer.pk, number=number, signed_on=today() - timedelta(days=5)
    )


def _licence(world, customer, **kw):
    values = {
        "kind": "business_licence",
        "number": customer.uscc,
        "valid_from": today() - timedelta(days=800),
        "valid_to": today() + timedelta(days=800),
    }
    values.update(kw)
    return services.licence_add(actor=world.bj_cm, customer_id=customer.pk, **values)


def test_submission_is_blocked_without_a_business_licence(world):
    customer = world.enterprise()
    _contract(world, customer)
    error = _submit_blocked(world, customer)
    assert error.problems == ["Required licence missing: Business licence."]
    assert error.code == "admission_blocked"


def test_submission_is_blocked_by_an_expired_licence(world):
    customer = world.enterprise()
    _contract(world, customer)
    _licence(world, customer, valid_to=today() - timedelta(days=1))
    error = _submit_blocked(world, customer)
    assert error.problems == ["Required licence expired: Business licence."]


def test_a_licence_valid_through_today_still_counts(world):
    customer = world.enterprise()
    _contract(world, customer)
    _licence(world, customer, valid_to=today())
    application = world.submit(customer)
    assert application.status == "submitted"


def test_submission_is_blocked_when_the_annual_report_is_not_filed(world):
    customer = world.enterprise()
    _contract(world, customer)
    _licence(world, customer, annual_report_ok=False)
    error = _submit_blocked(world, customer)
    assert error.problems == ["Annual report not filed for licence: Business licence."]


def test_a_financial_institution_also_needs_its_financial_licence(world):
    customer = world.enterprise(kind="financial_institution")
    _contract(world, customer)
    _licence(world, customer)
    error = _submit_blocked(world, customer)
    assert error.problems == ["Required licence missing: Financial licence."]


def test_submission_is_blocked_without_a_purchase_sales_contract(world):
    customer = world.enterprise()
    _licence(world, customer)
    error = _submit_blocked(world, customer)
    assert error.problems == ["No purchase/sales contract on file."]


def test_an_individual_needs_a_contract_but_no_licence_or_scope_attestation(world):
    customer = world.individual()
    error = _submit_blocked(world, customer, scope_attested=False)
    assert error.problems == ["No purchase/sales contract on file."]
    _contract(world, customer)
    application = AdmissionApplication.objects.get(customer=customer)
    services.admission_submit(actor=world.bj_cm, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == "submitted"


def test_a_scattered_customer_needs_no_contract_and_no_licence(world):
    customer = services.customer_create(actor=world.bj_cm, kind="scattered", name="零散客户王五")
    application = _open(world, customer, scope_attested=False)
    services.admission_submit(actor=world.bj_cm, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == "submitted"


def test_several_problems_are_reported_together(world):
    customer = world.enterprise()
    error = _submit_blocked(world, customer, scope_attested=False)
    assert error.problems == [
        "Required licence missing: Business licence.",
        "No purchase/sales contract on file.",
        "Confirm that the business is within the licensed scope.",
    ]


def test_an_entity_must_attest_that_the_business_is_within_its_licensed_scope(world):
    customer = world.enterprise()
    world.papers(customer)
    error = _submit_blocked(world, customer, scope_attested=False)
    assert error.problems == ["Confirm that the business is within the licensed scope."]
    application = AdmissionApplication.objects.get(customer=customer)
    services.admission_update(actor=world.bj_cm, application_id=application.pk, scope_attested=True)
    edited = last_audit(CustomerEvent.ADMISSION_UPDATED, object_id=str(application.pk), reason="edited")
    assert (edited.customer_id, edited.actor_id) == (customer.pk, world.bj_cm.pk)
    assert edited.old_values == {
        "questionnaire": {"main_products": "电解铜"},
        "expected_annual_volume_amount": "1000000.00",
        "volume_justification": "",
        "scope_attested": False,
    }
    assert edited.new_values == {**edited.old_values, "scope_attested": True}
    services.admission_submit(actor=world.bj_cm, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == "submitted"


def test_volume_above_ten_times_capital_needs_a_justification(world):
    customer = world.enterprise(registered_capital_amount="50000000.00")
    world.papers(customer)
    error = _submit_blocked(world, customer, expected_annual_volume_amount="500000000.01")
    assert len(error.problems) == 1 and "exceeds 10 times the registered capital" in error.problems[0]
    application = AdmissionApplication.objects.get(customer=customer)
    services.admission_update(
        actor=world.bj_cm, application_id=application.pk, volume_justification="集团统购，资金由母公司担保"
    )
    services.admission_submit(actor=world.bj_cm, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == "submitted"


def test_volume_of_exactly_ten_times_capital_needs_no_justification(world):
    customer = world.enterprise(registered_capital_amount="50000000.00")
    world.papers(customer)
    application = _open(world, customer, expected_annual_volume_amount="500000000.00")
    services.admission_submit(actor=world.bj_cm, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == "submitted"


def test_office_review_rechecks_the_licences(world):
    customer, application = submitted_enterprise(world)
    advance(world, application, "sales_checked")
    # The licence expired while the application waited.
    Licence.objects.filter(customer=customer).update(valid_to=today() - timedelta(days=1))
    with pytest.raises(AdmissionBlocked):
        services.admission_office_review(actor=world.bj_office, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == "sales_checked"


def test_committee_approval_rechecks_the_licences(world):
    customer, application = submitted_enterprise(world)
    advance(world, application, "opinions_complete")
    Licence.objects.filter(customer=customer).update(annual_report_ok=False)
    with pytest.raises(AdmissionBlocked):
        services.admission_vote(actor=world.hq_committee1, application_id=application.pk, approve=True)
    assert not AdmissionReview.objects.filter(application=application, stage="committee").exists()


def test_a_customer_has_one_open_application_at_a_time(world):
    customer = world.enterprise()
    _open(world, customer)
    with pytest.raises(Conflict) as caught:
        _open(world, customer)
    assert caught.value.code == "open_application"
    assert AdmissionApplication.objects.filter(customer=customer).count() == 1


def test_a_qualified_customer_cannot_start_another_review(world):
    customer = world.admit(world.enterprise())
    with pytest.raises(InvalidTransition):
        _open(world, customer)


def test_questionnaire_refuses_unknown_fields(world):
    customer = world.enterprise()
    with pytest.raises(InvalidInput) as caught:
        _open(world, customer, questionnaire={"main_products": "铜", "favourite_colour": "红"})
    assert caught.value.code == "unknown_field"
    assert not AdmissionApplication.objects.filter(customer=customer).exists()


# ---------------------------------------------------------------- four eyes


def test_nobody_reviews_or_approves_what_they_submitted_at_any_step(world):
    # One person holding every role may still not check their own submission.
    everyone = make_user(
        "bj_all",
        "BJ",
        ["customer_manager", "customer_office", "dept_reviewer", "committee"],
        department="finance",
    )
    customer = world.enterprise(by=everyone)
    world.papers(customer, by=everyone)
    application = world.submit(customer, by=everyone)
    assert application.submitted_by_id == everyone.pk

    def refused(call):
        with pytest.raises(SelfApprovalNotAllowed) as caught:
            call()
        assert caught.value.code == "self_approval"

    refused(lambda: services.admission_sales_check(actor=everyone, application_id=application.pk))
    refused(
        lambda: services.admission_return(actor=everyone, application_id=application.pk, comment="退回修改")
    )
    advance(world, application, "sales_checked")
    refused(lambda: services.admission_office_review(actor=everyone, application_id=application.pk))
    advance(world, application, "office_reviewed")
    refused(
        lambda: services.admission_opinion(
            actor=everyone, application_id=application.pk, department="finance", opinion="approve"
        )
    )
    advance(world, application, "opinions_complete")
    refused(lambda: services.admission_vote(actor=everyone, application_id=application.pk, approve=True))
    refused(
        lambda: services.admission_vote(
            actor=everyone, application_id=application.pk, approve=False, comment="不同意"
        )
    )
    assert not AdmissionReview.objects.filter(application=application, reviewer=everyone).exists()
    assert not AuditEvent.objects.filter(
        actor=everyone,
        event_code__in=[
            CustomerEvent.ADMISSION_SALES_CHECKED,
            CustomerEvent.ADMISSION_OFFICE_REVIEWED,
            CustomerEvent.ADMISSION_OPINION,
            CustomerEvent.ADMISSION_VOTE,
            CustomerEvent.ADMISSION_RETURNED,
        ],
    ).exists()


# ---------------------------------------------------------------- department opinions


@pytest.fixture
def at_opinions(world):
    customer, application = submitted_enterprise(world)
    return advance(world, application, "office_reviewed")


def test_an_opinion_for_an_unknown_department_is_refused(world, at_opinions):
    with pytest.raises(InvalidInput) as caught:
        services.admission_opinion(
            actor=world.bj_dept, application_id=at_opinions.pk, department="marketing", opinion="approve"
        )
    assert caught.value.field == "department"


def test_a_reviewer_speaks_only_for_the_departments_they_hold(world, at_opinions):
    finance = make_user("bj_finance", "BJ", ["dept_reviewer"], department="finance")
    with pytest.raises(PermissionDenied):
        services.admission_opinion(
            actor=finance, application_id=at_opinions.pk, department="production", opinion="approve"
        )
    services.admission_opinion(
        actor=finance, application_id=at_opinions.pk, department="finance", opinion="approve"
    )
    review = AdmissionReview.objects.get(application=at_opinions, stage="department")
    assert (review.department, review.reviewer_id) == ("finance", finance.pk)


def test_a_non_reviewer_cannot_give_an_opinion(world, at_opinions):
    with pytest.raises(PermissionDenied):
        services.admission_opinion(
            actor=world.bj_office, application_id=at_opinions.pk, department="finance", opinion="approve"
        )


def test_a_department_gives_one_opinion_per_round(world, at_opinions):
    finance = make_user("bj_finance", "BJ", ["dept_reviewer"], department="finance")
    services.admission_opinion(
        actor=world.bj_dept, application_id=at_opinions.pk, department="finance", opinion="approve"
    )
    for reviewer in (world.bj_dept, finance):
        with pytest.raises(Conflict) as caught:
            services.admission_opinion(
                actor=reviewer,
                application_id=at_opinions.pk,
                department="finance",
                opinion="reject",
                comment="不同意",
            )
        assert caught.value.code == "already_recorded"
    assert AdmissionReview.objects.filter(application=at_opinions, department="finance").count() == 1
    assert len(audit_rows(CustomerEvent.ADMISSION_OPINION, object_id=str(at_opinions.pk))) == 1


def test_opinions_complete_only_when_all_five_departments_have_spoken(world, at_opinions):
    finance = make_user("bj_finance", "BJ", ["dept_reviewer"], department="finance")
    order = ["finance", "safety_env", "enterprise_mgmt", "audit", "production"]
    for i, department in enumerate(order):
        at_opinions.refresh_from_db()
        assert at_opinions.status == "office_reviewed", f"complete after only {i} opinions"
        reviewer = finance if department == "finance" else world.bj_dept
        opinion, comment = ("conditional", "需补充担保") if department == "audit" else ("approve", "")
        services.admission_opinion(
            actor=reviewer,
            application_id=at_opinions.pk,
            department=department,
            opinion=opinion,
            comment=comment,
        )
    at_opinions.refresh_from_db()
    assert at_opinions.status == "opinions_complete"
    assert history(at_opinions)[-1] == ("office_reviewed", "opinions_complete")


def test_a_negative_or_conditional_opinion_needs_a_comment(world, at_opinions):
    for opinion in ("reject", "conditional"):
        with pytest.raises(InvalidInput) as caught:
            services.admission_opinion(
                actor=world.bj_dept,
                application_id=at_opinions.pk,
                department="finance",
                opinion=opinion,
                comment="  ",
            )
        assert caught.value.code == "required"
    with pytest.raises(InvalidInput):
        services.admission_opinion(
            actor=world.bj_dept, application_id=at_opinions.pk, department="finance", opinion="maybe"
        )
    assert not AdmissionReview.objects.filter(application=at_opinions, stage="department").exists()


# ---------------------------------------------------------------- committee


@pytest.fixture
def at_committee(world):
    customer, application = submitted_enterprise(world)
    return advance(world, application, "opinions_complete")


def test_a_member_votes_once_per_round(world, at_committee):
    services.admission_vote(actor=world.hq_committee1, application_id=at_committee.pk, approve=True)
    with pytest.raises(Conflict) as caught:
        services.admission_vote(actor=world.hq_committee1, application_id=at_committee.pk, approve=True)
    assert caught.value.code == "already_voted"
    at_committee.refresh_from_db()
    # A repeated vote is not a second member: the quorum of two is not reached.
    assert at_committee.status == "opinions_complete"
    assert AdmissionReview.objects.filter(application=at_committee, stage="committee").count() == 1
    assert len(audit_rows(CustomerEvent.ADMISSION_VOTE, object_id=str(at_committee.pk))) == 1


def test_quorum_of_rejections_rejects_the_customer(world, at_committee):
    services.admission_vote(
        actor=world.hq_committee1, application_id=at_committee.pk, approve=False, comment="经营风险过高"
    )
    at_committee.refresh_from_db()
    assert at_committee.status == "opinions_complete"
    services.admission_vote(
        actor=world.hq_committee3, application_id=at_committee.pk, approve=False, comment="资金实力不足"
    )
    at_committee.refresh_from_db()
    customer = at_committee.customer
    customer.refresh_from_db()
    assert at_committee.status == "rejected" and at_committee.decided_at is not None
    assert customer.admission_status == "rejected"
    assert_step_audit(
        CustomerEvent.ADMISSION_REJECTED,
        at_committee,
        world.hq_committee3,
        "opinions_complete",
        "rejected",
        reason="资金实力不足",
    )
    with pytest.raises(CustomerNotTradable):
        services.customer_require_tradable(customer_id=customer.pk)
    # A rejected customer may apply again later, in a new application.
    again = _open(world, customer)
    assert again.pk != at_committee.pk and again.status == "draft"


def test_a_split_vote_waits_for_the_quorum(world, at_committee):
    services.admission_vote(actor=world.hq_committee1, application_id=at_committee.pk, approve=True)
    services.admission_vote(
        actor=world.hq_committee2, application_id=at_committee.pk, approve=False, comment="反对"
    )
    at_committee.refresh_from_db()
    assert at_committee.status == "opinions_complete"
    services.admission_vote(actor=world.hq_committee3, application_id=at_committee.pk, approve=True)
    at_committee.refresh_from_db()
    assert at_committee.status == "qualified"


def test_a_reject_vote_needs_a_comment(world, at_committee):
    with pytest.raises(InvalidInput) as caught:
        services.admission_vote(actor=world.hq_committee1, application_id=at_committee.pk, approve=False)
    assert caught.value.code == "required"
    assert not AdmissionReview.objects.filter(application=at_committee, stage="committee").exists()


def test_only_committee_members_vote(world, at_committee):
    for outsider in (world.bj_office, world.bj_dept, world.bj_sales, world.hq_auditor):
        with pytest.raises(PermissionDenied):
            services.admission_vote(actor=outsider, application_id=at_committee.pk, approve=True)
    assert not AdmissionReview.objects.filter(application=at_committee, stage="committee").exists()


def test_the_quorum_is_a_parameter(world, at_committee):
    from kehu.core import services as core_services

    proposal = core_services.parameter_propose(
        code="admission.committee_quorum", value=3, effective_from=today(), actor=world.admin
    )
    core_services.parameter_approve(parameter_id=proposal.pk, actor=make_user("admin2", "HQ", ["sysadmin"]))
    for member in (world.hq_committee1, world.hq_committee2):
        services.admission_vote(actor=member, application_id=at_committee.pk, approve=True)
    at_committee.refresh_from_db()
    assert at_committee.status == "opinions_complete"
    services.admission_vote(actor=world.hq_committee3, application_id=at_committee.pk, approve=True)
    at_committee.refresh_from_db()
    assert at_committee.status == "qualified"


# ---------------------------------------------------------------- return for correction

RETURNERS = {
    "submitted": "bj_sales",
    "sales_checked": "bj_office",
    "office_reviewed": "bj_dept",
    "opinions_complete": "hq_committee1",
}


@pytest.mark.parametrize("state", list(RETURNERS))
def test_a_reviewer_returns_an_application_for_correction_and_it_is_resubmitted(world, state):
    customer, application = submitted_enterprise(world)
    advance(world, application, state)
    returner = world.users[RETURNERS[state]]
    with pytest.raises(InvalidInput):
        services.admission_return(actor=returner, application_id=application.pk, comment=" ")
    services.admission_return(actor=returner, application_id=application.pk, comment="请补充财务报表")
    _refresh(application, customer)
    assert application.status == "returned"
    assert customer.admission_status == "in_review"
    assert history(application)[-1] == (state, "returned")
    assert_step_audit(
        CustomerEvent.ADMISSION_RETURNED, application, returner, state, "returned", reason="请补充财务报表"
    )

    services.admission_update(
        actor=world.bj_cm,
        application_id=application.pk,
        questionnaire={"main_products": "电解铜", "remarks": "已补充财务报表"},
    )
    services.admission_submit(actor=world.bj_cm, application_id=application.pk)
    application.refresh_from_db()
    assert (application.status, application.round) == ("submitted", 2)
    assert history(application)[-1] == ("returned", "submitted")
    advance(world, application, "qualified")


def test_old_department_opinions_do_not_count_after_a_return(world, at_opinions):
    first_four = DEPARTMENTS[:4]
    for department in first_four:
        services.admission_opinion(
            actor=world.bj_dept, application_id=at_opinions.pk, department=department, opinion="approve"
        )
    services.admission_return(actor=world.bj_dept, application_id=at_opinions.pk, comment="安环资料缺失")
    services.admission_submit(actor=world.bj_cm, application_id=at_opinions.pk)
    advance(world, at_opinions, "office_reviewed")
    assert at_opinions.round == 2
    # The same departments speak again in the new round, and four are still not five.
    for department in first_four:
        services.admission_opinion(
            actor=world.bj_dept, application_id=at_opinions.pk, department=department, opinion="approve"
        )
    at_opinions.refresh_from_db()
    assert at_opinions.status == "office_reviewed"
    services.admission_opinion(
        actor=world.bj_dept, application_id=at_opinions.pk, department=DEPARTMENTS[4], opinion="approve"
    )
    at_opinions.refresh_from_db()
    assert at_opinions.status == "opinions_complete"


def test_old_committee_votes_do_not_count_after_a_return(world, at_committee):
    services.admission_vote(actor=world.hq_committee1, application_id=at_committee.pk, approve=True)
    services.admission_return(actor=world.hq_committee2, application_id=at_committee.pk, comment="请核实担保")
    services.admission_submit(actor=world.bj_cm, application_id=at_committee.pk)
    advance(world, at_committee, "opinions_complete")
    services.admission_vote(actor=world.hq_committee2, application_id=at_committee.pk, approve=True)
    at_committee.refresh_from_db()
    assert at_committee.status == "opinions_complete"  # round 1's vote of committee1 is not counted
    services.admission_vote(actor=world.hq_committee1, application_id=at_committee.pk, approve=True)
    at_committee.refresh_from_db()
    assert (at_committee.status, at_committee.round) == ("qualified", 2)


def test_nothing_returns_a_draft_or_a_decided_application(world):
    customer = world.enterprise()
    world.papers(customer)
    draft = _open(world, customer)
    with pytest.raises(InvalidTransition):
        services.admission_return(actor=world.bj_sales, application_id=draft.pk, comment="退回")
    services.admission_submit(actor=world.bj_cm, application_id=draft.pk)
    advance(world, draft, "qualified")
    with pytest.raises(InvalidTransition):
        services.admission_return(actor=world.hq_committee3, application_id=draft.pk, comment="退回")


# ---------------------------------------------------------------- illegal transitions


def _calls(world, application_id):
    return {
        "submit": lambda: services.admission_submit(actor=world.bj_cm, application_id=application_id),
        "sales_check": lambda: services.admission_sales_check(
            actor=world.bj_sales, application_id=application_id
        ),
        "office_review": lambda: services.admission_office_review(
            actor=world.bj_office, application_id=application_id
        ),
        "opinion": lambda: services.admission_opinion(
            actor=world.bj_dept, application_id=application_id, department="finance", opinion="approve"
        ),
        "vote": lambda: services.admission_vote(
            actor=world.hq_committee3, application_id=application_id, approve=True
        ),
        "reject": lambda: services.admission_sales_check(
            actor=world.bj_sales, application_id=application_id, approve=False, comment="不合格"
        ),
        "edit": lambda: services.admission_update(
            actor=world.bj_cm, application_id=application_id, scope_attested=True
        ),
    }


ALLOWED_IN = {
    "draft": {"submit", "edit"},
    "submitted": {"sales_check", "reject"},
    "sales_checked": {"office_review"},
    "office_reviewed": {"opinion"},
    "opinions_complete": {"vote"},
    "qualified": set(),
}


@pytest.mark.parametrize("state", list(ALLOWED_IN))
def test_actions_outside_the_workflow_raise_invalid_transition(world, state):
    customer = world.enterprise()
    world.papers(customer)
    application = _open(world, customer)
    if state != "draft":
        services.admission_submit(actor=world.bj_cm, application_id=application.pk)
        advance(world, application, state)
    calls = _calls(world, application.pk)
    for action, call in calls.items():
        if action in ALLOWED_IN[state]:
            continue
        audit_before = AuditEvent.objects.count()
        with pytest.raises(InvalidTransition):
            call()
        application.refresh_from_db()
        assert application.status == state, action
        assert AuditEvent.objects.count() == audit_before, action


def test_sales_check_can_reject_an_application(world):
    customer, application = submitted_enterprise(world)
    services.admission_sales_check(
        actor=world.bj_sales, application_id=application.pk, approve=False, comment="虚假资料"
    )
    _refresh(application, customer)
    assert (application.status, customer.admission_status) == ("rejected", "rejected")
    assert_step_audit(
        CustomerEvent.ADMISSION_REJECTED, application, world.bj_sales, "submitted", "rejected", reason="虚假资料"
    )


def test_an_unknown_application_is_not_found(world):
    with pytest.raises(NotFound):
        services.admission_submit(actor=world.bj_cm, application_id=987654)


# ---------------------------------------------------------------- the tradable guard and after admission


def test_only_qualified_or_active_customers_are_tradable(world):
    prospect = world.enterprise()
    reviewing = world.enterprise()
    world.papers(reviewing)
    world.submit(reviewing)
    for customer in (prospect, reviewing):
        with pytest.raises(CustomerNotTradable) as caught:
            services.customer_require_tradable(customer_id=customer.pk)
        assert caught.value.code == "customer_not_qualified"
    qualified = world.admit(world.enterprise())
    assert services.customer_require_tradable(customer_id=qualified.pk).pk == qualified.pk
    services.agreement_sign(actor=world.bj_cm, customer_id=qualified.pk, number="XY-1", signed_on=today())
    services.customer_activate(actor=world.bj_cm, customer_id=qualified.pk)
    assert services.customer_require_tradable(customer_id=qualified.pk).admission_status == "active"
    services.customer_terminate(
        actor=world.bj_office, customer_id=qualified.pk, reason="failed_evaluation", note="年度评价不合格"
    )
    with pytest.raises(CustomerNotTradable):
        services.customer_require_tradable(customer_id=qualified.pk)
    with pytest.raises(NotFound):
        services.customer_require_tradable(customer_id=987654)


def test_activation_needs_a_cooperation_agreement(world):
    customer = world.admit(world.enterprise())
    with pytest.raises(AdmissionBlocked):
        services.customer_activate(actor=world.bj_cm, customer_id=customer.pk)
    customer.refresh_from_db()
    assert customer.admission_status == "qualified"
    services.agreement_sign(
        actor=world.bj_cm, customer_id=customer.pk, number="XY-2026-01", signed_on=today()
    )
    services.customer_activate(actor=world.bj_cm, customer_id=customer.pk)
    customer.refresh_from_db()
    assert customer.admission_status == "active"
    row = last_audit(CustomerEvent.CUSTOMER_ACTIVATED, object_id=str(customer.pk))
    assert (row.object_type, row.customer_id, row.actor_id) == ("customer", customer.pk, world.bj_cm.pk)
    assert row.old_values == {"status": "qualified"}
    assert row.new_values == {"status": "active", "termination_reason": None}
    with pytest.raises(InvalidTransition):
        services.customer_activate(actor=world.bj_cm, customer_id=customer.pk)


def test_an_agreement_is_signed_only_with_a_qualified_customer(world):
    customer = world.enterprise()
    with pytest.raises(CustomerNotTradable):
        services.agreement_sign(actor=world.bj_cm, customer_id=customer.pk, number="XY-1", signed_on=today())
    assert not CooperationAgreement.objects.filter(customer=customer).exists()


def _active_customer(world):
    customer = world.admit(world.enterprise())
    agreement = services.agreement_sign(
        actor=world.bj_cm, customer_id=customer.pk, number="XY-9", signed_on=today()
    )
    services.customer_activate(actor=world.bj_cm, customer_id=customer.pk)
    customer.refresh_from_db()
    return customer, agreement


def test_termination_takes_a_reason_code_and_ends_the_cooperation_agreement(world):
    customer, agreement = _active_customer(world)
    with pytest.raises(InvalidInput) as caught:
        services.customer_terminate(
            actor=world.bj_office, customer_id=customer.pk, reason="dislike", note="不喜欢"
        )
    assert caught.value.field == "reason"
    with pytest.raises(InvalidInput):
        services.customer_terminate(
            actor=world.bj_office, customer_id=customer.pk, reason="false_information", note=""
        )
    with pytest.raises(PermissionDenied):
        services.customer_terminate(
            actor=world.bj_cm, customer_id=customer.pk, reason="false_information", note="提供虚假信息"
        )
    customer.refresh_from_db()
    assert customer.admission_status == "active"

    services.customer_terminate(
        actor=world.bj_office, customer_id=customer.pk, reason="false_information", note="提供虚假营业执照"
    )
    customer.refresh_from_db()
    agreement.refresh_from_db()
    assert (customer.admission_status, customer.termination_reason) == ("terminated", "false_information")
    assert agreement.status == AgreementStatus.TERMINATED and agreement.terminated_at is not None
    assert agreement.termination_reason == "提供虚假营业执照"
    row = last_audit(CustomerEvent.CUSTOMER_TERMINATED, object_id=str(customer.pk))
    assert (row.customer_id, row.actor_id, row.reason) == (
        customer.pk,
        world.bj_office.pk,
        "提供虚假营业执照",
    )
    assert row.old_values == {"status": "active"}
    assert row.new_values == {"status": "terminated", "termination_reason": "false_information"}
    ended = last_audit(CustomerEvent.AGREEMENT_TERMINATED, object_id=str(agreement.pk))
    assert (ended.object_type, ended.customer_id) == ("agreement", customer.pk)
    assert (ended.old_values, ended.new_values) == ({"status": "active"}, {"status": "terminated"})
    with pytest.raises(InvalidTransition):
        services.customer_terminate(
            actor=world.bj_office, customer_id=customer.pk, reason="other", note="再次终止"
        )


def test_a_committee_member_may_terminate_a_qualified_customer(world):
    customer = world.admit(world.enterprise())
    services.customer_terminate(
        actor=world.hq_committee1, customer_id=customer.pk, reason="grade_e_exit", note="评级为E级"
    )
    customer.refresh_from_db()
    assert customer.admission_status == "terminated"


def test_a_prospect_cannot_be_terminated_or_exit(world):
    customer = world.enterprise()
    with pytest.raises(InvalidTransition):
        services.customer_terminate(
            actor=world.bj_office, customer_id=customer.pk, reason="other", note="测试"
        )
    with pytest.raises(InvalidTransition):
        services.customer_exit(actor=world.bj_cm, customer_id=customer.pk, note="客户退出")


def test_an_active_customer_exits_and_its_agreement_ends(world):
    customer, agreement = _active_customer(world)
    with pytest.raises(InvalidInput):
        services.customer_exit(actor=world.bj_cm, customer_id=customer.pk, note="")
    services.customer_exit(actor=world.bj_cm, customer_id=customer.pk, note="客户主动退出合作")
    customer.refresh_from_db()
    agreement.refresh_from_db()
    assert customer.admission_status == "exited"
    assert agreement.status == AgreementStatus.TERMINATED
    row = last_audit(CustomerEvent.CUSTOMER_EXITED, object_id=str(customer.pk))
    assert (row.old_values, row.new_values["status"], row.reason) == (
        {"status": "active"},
        "exited",
        "客户主动退出合作",
    )
    with pytest.raises(CustomerNotTradable):
        services.customer_require_tradable(customer_id=customer.pk)
    assert Customer.objects.get(pk=customer.pk).admission_status == "exited"


# ---------------------------------------------------------------- the inbox


def _inbox_ids(user, kind):
    from kehu.customers.selectors import inbox_for

    box = inbox_for(user)
    return set(box[kind].values_list("pk", flat=True)) if kind in box else set()


def test_the_inbox_shows_each_reviewer_what_waits_for_them(world):
    customer, application = submitted_enterprise(world)
    assert _inbox_ids(world.bj_sales, "sales_check") == {application.pk}
    assert _inbox_ids(world.bj_cm, "sales_check") == set()  # not their own submission
    assert _inbox_ids(world.sh_cm, "sales_check") == set()  # another branch
    advance(world, application, "sales_checked")
    assert _inbox_ids(world.bj_sales, "sales_check") == set()
    assert _inbox_ids(world.bj_office, "office_review") == {application.pk}
    assert _inbox_ids(world.sh_office, "office_review") == set()
    advance(world, application, "office_reviewed")
    assert _inbox_ids(world.bj_dept, "opinion") == {application.pk}
    advance(world, application, "opinions_complete")
    assert _inbox_ids(world.bj_dept, "opinion") == set()
    assert _inbox_ids(world.hq_committee1, "committee") == {application.pk}
    services.admission_vote(actor=world.hq_committee1, application_id=application.pk, approve=True)
    assert _inbox_ids(world.hq_committee1, "committee") == set()  # already voted
    assert _inbox_ids(world.hq_committee2, "committee") == {application.pk}


def test_a_committee_member_who_voted_in_an_earlier_round_sees_the_new_round_in_the_inbox(
    world, at_committee
):
    services.admission_vote(actor=world.hq_committee1, application_id=at_committee.pk, approve=True)
    services.admission_return(actor=world.hq_committee2, application_id=at_committee.pk, comment="请核实担保")
    services.admission_submit(actor=world.bj_cm, application_id=at_committee.pk)
    advance(world, at_committee, "opinions_complete")
    assert _inbox_ids(world.hq_committee1, "committee") == {at_committee.pk}


def test_a_returned_application_waits_for_its_customer_manager(world, at_opinions):
    services.admission_return(actor=world.bj_dept, application_id=at_opinions.pk, comment="补充资料")
    assert at_opinions.pk in _inbox_ids(world.bj_cm, "returned")
    assert _inbox_ids(world.sh_cm, "returned") == set()


def test_whoever_prepared_the_application_cannot_check_it_even_if_a_colleague_submitted(world):
    customer = world.enterprise()
    world.papers(customer)
    application = services.admission_create(actor=world.bj_sales, customer_id=customer.pk, scope_attested=True)
    services.admission_submit(actor=world.bj_cm, application_id=application.pk)
    with pytest.raises(SelfApprovalNotAllowed):
        services.admission_sales_check(actor=world.bj_sales, application_id=application.pk)
    with pytest.raises(SelfApprovalNotAllowed):
        services.admission_sales_check(actor=world.bj_cm, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == "submitted"
