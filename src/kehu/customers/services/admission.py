"""The admission review (客户准入): S9 Ch.4 §5-7, Ch.2 §1; domain spec 2.2.

draft → submitted → sales_checked → office_reviewed → opinions_complete → qualified | rejected, with
"returned for correction" from any review step. Each step locks the application row, checks the
transition table and the four-eyes rule, writes a status-change row and the audit event.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.audit import audit_record
from kehu.core.errors import (
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    SelfApprovalNotAllowed,
)
from kehu.core.inputs import amount, text
from kehu.core.models import User
from kehu.core.params import get_param
from kehu.core.selectors import access_for
from kehu.customers import rules
from kehu.customers.errors import AdmissionBlocked
from kehu.customers.events import CustomerEvent
from kehu.customers.models import (
    AdmissionApplication,
    AdmissionReview,
    AdmissionStatus,
    AdmissionStatusChange,
    ApplicationStatus,
    ContractStatus,
    Customer,
    CustomerKind,
    LicenceKind,
    Opinion,
    ReviewStage,
)
from kehu.customers.permissions import RETURN_PERMISSION, CustomerPerm
from kehu.customers.selectors import customer_get, recorded_departments
from kehu.customers.services.archive import _terminate_agreements

QUESTIONNAIRE_FIELDS = {
    "main_products": 500,
    "annual_purchase_plan": 500,
    "payment_terms": 200,
    "bank_name": 200,
    "employees": 20,
    "main_suppliers": 500,
    "credit_record": 500,
    "remarks": 1000,
}

APPLICATION_EVENTS = {
    "submitted": CustomerEvent.ADMISSION_SUBMITTED,
    "sales_checked": CustomerEvent.ADMISSION_SALES_CHECKED,
    "office_reviewed": CustomerEvent.ADMISSION_OFFICE_REVIEWED,
    "opinions_complete": CustomerEvent.ADMISSION_OPINIONS_COMPLETE,
    "qualified": CustomerEvent.ADMISSION_QUALIFIED,
    "rejected": CustomerEvent.ADMISSION_REJECTED,
    "returned": CustomerEvent.ADMISSION_RETURNED,
}


def _clean_questionnaire(data: Any) -> dict[str, str]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput(_("The questionnaire must be an object."), field="questionnaire")
    unknown = set(data) - set(QUESTIONNAIRE_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown questionnaire fields: %(f)s.") % {"f": ", ".join(sorted(unknown))},
                           field="questionnaire", code="unknown_field")
    return {k: text(v, k, max_length=QUESTIONNAIRE_FIELDS[k]) for k, v in data.items()}


def _lock_application(application_id: int, actor: User | None, perm: str) -> AdmissionApplication:
    application = AdmissionApplication.objects.select_for_update().filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    # Scope and permission are those of the customer the application belongs to.
    customer_get(user=actor, customer_id=application.customer_id, perm=perm, lock=True)
    return application


def _transition(application: AdmissionApplication, action: str, *, actor: User | None, note: str = "") -> None:
    target = rules.next_status(application.status, action)
    if target is None:
        raise InvalidTransition(
            _("Cannot %(action)s an application that is %(status)s.")
            % {"action": action, "status": ApplicationStatus(application.status).label}
        )
    old = application.status
    application.status = target
    fields = ["status", "updated_at"]
    if target in (ApplicationStatus.QUALIFIED, ApplicationStatus.REJECTED):
        application.decided_at = timezone.now()
        fields.append("decided_at")
    application.save(update_fields=fields)
    AdmissionStatusChange.objects.create(application=application, from_status=old, to_status=target, actor=actor,
                                         note=note)
    customer = application.customer
    new_customer_status = rules.CUSTOMER_STATUS_FOR[target]
    if customer.admission_status != new_customer_status and customer.admission_status not in (
        AdmissionStatus.QUALIFIED, AdmissionStatus.ACTIVE
    ):
        Customer.objects.filter(pk=customer.pk).update(admission_status=new_customer_status)
        customer.admission_status = new_customer_status
    audit_record(actor=actor, event_code=APPLICATION_EVENTS[target], object_type="admission",
                 object_id=application.pk, customer_id=customer.pk, old={"status": old},
                 new={"status": target, "round": application.round}, reason=note)


def _not_submitter(application: AdmissionApplication, actor: User | None) -> None:
    # Four-eyes: nobody reviews or approves what they prepared or submitted.
    if actor is not None and actor.pk in (application.submitted_by_id, application.created_by_id):
        raise SelfApprovalNotAllowed()


def admission_problems(customer: Customer, application: AdmissionApplication) -> list[str]:
    """Return the reasons, as messages, why ``customer`` cannot be admitted now (empty: none)."""
    today = timezone.localdate()
    problems: list[str] = []
    required = get_param("admission.required_licences").get(customer.kind, [])
    facts = [rules.LicenceFact(lic.kind, lic.valid_to, lic.valid_from, lic.annual_report_ok)
             for lic in customer.licences.all()]

    for problem in rules.licence_problems(required, facts, today):
        label = LicenceKind(problem.params["kind"]).label if problem.params["kind"] in LicenceKind.values else problem.params["kind"]
        if problem.code == "licence_missing":
            problems.append(_("Required licence missing: %(kind)s.") % {"kind": label})
        elif problem.code == "licence_expired":
            problems.append(_("Required licence expired: %(kind)s.") % {"kind": label})
        else:
            problems.append(_("Annual report not filed for licence: %(kind)s.") % {"kind": label})
    # S9 Ch.4 §2: every customer but scattered buyers needs a purchase/sales contract on file.
    if customer.kind != CustomerKind.SCATTERED and not customer.contracts.filter(status=ContractStatus.FILED).exists():
        problems.append(_("No purchase/sales contract on file."))
    ratio = Decimal(str(get_param("admission.volume_capital_ratio")))
    if rules.volume_needs_justification(application.expected_annual_volume_amount,
                                        customer.registered_capital_amount, ratio) \
            and not application.volume_justification:
        problems.append(_("Expected annual volume exceeds %(r)s times the registered capital; give a justification.")
                        % {"r": ratio})
    if customer.is_entity and not application.scope_attested:
        problems.append(_("Confirm that the business is within the licensed scope."))
    return problems


@transaction.atomic
def admission_create(
    *, actor: User | None, customer_id: int, questionnaire: dict | None = None,
    expected_annual_volume_amount: Any = None, volume_justification: str = "", scope_attested: bool = False,
) -> AdmissionApplication:
    """Open an admission application for a prospect (or a customer rejected earlier)."""
    customer = customer_get(user=actor, customer_id=customer_id, perm=CustomerPerm.ADMISSION_SUBMIT, lock=True)
    if customer.admission_status not in (AdmissionStatus.PROSPECT, AdmissionStatus.REJECTED):
        raise InvalidTransition(_("The customer is not a prospect; no new admission review can start."))
    if customer.applications.exclude(status__in=["qualified", "rejected"]).exists():
        raise Conflict(_("The customer already has an open admission application."), code="open_application")
    application = AdmissionApplication(
        customer=customer, questionnaire=_clean_questionnaire(questionnaire),
        expected_annual_volume_amount=amount(expected_annual_volume_amount, "expected_annual_volume_amount"),
        volume_justification=text(volume_justification, "volume_justification", max_length=2000),
        scope_attested=bool(scope_attested), created_by=actor,
    )
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise Conflict(_("The customer already has an open admission application."), code="open_application") from None
    audit_record(actor=actor, event_code=CustomerEvent.ADMISSION_CREATED, object_type="admission", object_id=application.pk,
                 customer_id=customer.pk, new={"status": "draft"})
    return application


@transaction.atomic
def admission_update(
    *, actor: User | None, application_id: int, questionnaire: dict | None = None,
    expected_annual_volume_amount: Any = None, volume_justification: str | None = None,
    scope_attested: bool | None = None,
) -> AdmissionApplication:
    application = _lock_application(application_id, actor, CustomerPerm.ADMISSION_SUBMIT)
    if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED):
        raise InvalidTransition(_("Only a draft or returned application can be edited."))
    old = _editable_view(application)
    if questionnaire is not None:
        application.questionnaire = _clean_questionnaire(questionnaire)
    if expected_annual_volume_amount is not None:
        application.expected_annual_volume_amount = amount(expected_annual_volume_amount,
                                                           "expected_annual_volume_amount")
    if volume_justification is not None:
        application.volume_justification = text(volume_justification, "volume_justification", max_length=2000)
    if scope_attested is not None:
        application.scope_attested = bool(scope_attested)
    application.save()
    audit_record(actor=actor, event_code=CustomerEvent.ADMISSION_UPDATED, object_type="admission", object_id=application.pk,
                 customer_id=application.customer_id, old=old, new=_editable_view(application), reason="edited")
    return application


def _editable_view(application: AdmissionApplication) -> dict[str, Any]:
    # Every field the submitter can edit, so the audit shows who changed the attestation or the volume.
    volume = application.expected_annual_volume_amount
    return {"questionnaire": application.questionnaire,
            "expected_annual_volume_amount": str(volume) if volume is not None else None,
            "volume_justification": application.volume_justification,
            "scope_attested": application.scope_attested}


@transaction.atomic
def admission_submit(*, actor: User | None, application_id: int, note: str = "") -> AdmissionApplication:
    """Submit the questionnaire and documents for review; the guards of C-6 and C-7 apply."""
    application = _lock_application(application_id, actor, CustomerPerm.ADMISSION_SUBMIT)
    if rules.next_status(application.status, "submit") is None:
        raise InvalidTransition()
    problems = admission_problems(application.customer, application)
    if problems:
        raise AdmissionBlocked(" ".join(str(p) for p in problems), problems=[str(p) for p in problems])
    application.round += 1
    application.submitted_by = actor
    application.submitted_at = timezone.now()
    application.save(update_fields=["round", "submitted_by", "submitted_at"])
    _transition(application, "submit", actor=actor, note=text(note, "note", max_length=2000))
    return application


def _review(application: AdmissionApplication, stage: str, opinion: str, actor: User | None, comment: str,
            department: str = "") -> AdmissionReview:
    try:
        with transaction.atomic():
            return AdmissionReview.objects.create(
                application=application, round=application.round, stage=stage, department=department,
                opinion=opinion, comment=comment, reviewer=actor,
            )
    except IntegrityError:
        if stage == ReviewStage.COMMITTEE:
            raise Conflict(_("You have already voted on this application."), code="already_voted") from None
        raise Conflict(_("This department has already given its opinion."), code="already_recorded") from None


@transaction.atomic
def admission_sales_check(
    *, actor: User, application_id: int, approve: bool = True, comment: str = ""
) -> AdmissionApplication:
    """The sales department's first check (S9 Ch.4 §5)."""
    application = _lock_application(application_id, actor, CustomerPerm.ADMISSION_SALES_CHECK)
    _not_submitter(application, actor)
    comment = text(comment, "comment", max_length=2000)
    action = "sales_check" if approve else "reject"
    if rules.next_status(application.status, action) is None or application.status != ApplicationStatus.SUBMITTED:
        raise InvalidTransition()
    _review(application, ReviewStage.SALES_CHECK, Opinion.APPROVE if approve else Opinion.REJECT, actor, comment)
    _transition(application, action, actor=actor, note=comment)
    return application


@transaction.atomic
def admission_office_review(
    *, actor: User, application_id: int, approve: bool = True, comment: str = ""
) -> AdmissionApplication:
    """The customer-management office's review (S9 Ch.4 §6)."""
    application = _lock_application(application_id, actor, CustomerPerm.ADMISSION_OFFICE_REVIEW)
    _not_submitter(application, actor)
    comment = text(comment, "comment", max_length=2000)
    action = "office_review" if approve else "reject"
    if application.status != ApplicationStatus.SALES_CHECKED:
        raise InvalidTransition()
    if approve:
        problems = admission_problems(application.customer, application)
        if problems:
            raise AdmissionBlocked(" ".join(str(p) for p in problems), problems=[str(p) for p in problems])
    _review(application, ReviewStage.OFFICE_REVIEW, Opinion.APPROVE if approve else Opinion.REJECT, actor, comment)
    _transition(application, action, actor=actor, note=comment)
    return application


@transaction.atomic
def admission_opinion(
    *, actor: User, application_id: int, department: str, opinion: str, comment: str = ""
) -> AdmissionApplication:
    """Record one department's opinion; when every required department has spoken, move on."""
    application = _lock_application(application_id, actor, CustomerPerm.ADMISSION_OPINION)
    _not_submitter(application, actor)
    if application.status != ApplicationStatus.OFFICE_REVIEWED:
        raise InvalidTransition()
    required = list(get_param("admission.required_departments"))
    if department not in required:
        raise InvalidInput(_("Department %(d)s is not asked for an opinion.") % {"d": department}, field="department")
    if department not in access_for(actor).departments():
        raise PermissionDenied(_("You cannot give an opinion for this department."))
    if opinion not in (Opinion.APPROVE, Opinion.CONDITIONAL, Opinion.REJECT):
        raise InvalidInput(_("opinion must be approve, conditional or reject."), field="opinion")
    comment = text(comment, "comment", max_length=2000)
    if opinion != Opinion.APPROVE and not comment:
        raise InvalidInput(_("Explain a conditional or negative opinion."), field="comment", code="required")
    _review(application, ReviewStage.DEPARTMENT, opinion, actor, comment, department=department)
    audit_record(actor=actor, event_code=CustomerEvent.ADMISSION_OPINION, object_type="admission", object_id=application.pk,
                 customer_id=application.customer_id,
                 new={"department": department, "opinion": opinion, "round": application.round}, reason=comment)
    if not rules.missing_departments(required, recorded_departments(application)):
        _transition(application, "opinions_complete", actor=actor)
    return application


@transaction.atomic
def admission_vote(
    *, actor: User, application_id: int, approve: bool, comment: str = ""
) -> AdmissionApplication:
    """A committee member's vote. The quorum of distinct members qualifies or rejects (S9 Ch.2 §1)."""
    application = _lock_application(application_id, actor, CustomerPerm.ADMISSION_COMMITTEE)
    _not_submitter(application, actor)
    if application.status != ApplicationStatus.OPINIONS_COMPLETE:
        raise InvalidTransition(_("The application is not waiting for the committee."))
    comment = text(comment, "comment", max_length=2000)
    if not approve and not comment:
        raise InvalidInput(_("Give the reason for rejecting."), field="comment", code="required")
    if approve:
        problems = admission_problems(application.customer, application)
        if problems:
            raise AdmissionBlocked(" ".join(str(p) for p in problems), problems=[str(p) for p in problems])
    _review(application, ReviewStage.COMMITTEE, Opinion.APPROVE if approve else Opinion.REJECT, actor, comment)
    audit_record(actor=actor, event_code=CustomerEvent.ADMISSION_VOTE, object_type="admission", object_id=application.pk,
                 customer_id=application.customer_id, new={"approve": approve, "round": application.round},
                 reason=comment)
    votes = application.reviews.filter(stage=ReviewStage.COMMITTEE, round=application.round)
    approvals = votes.filter(opinion=Opinion.APPROVE).count()
    rejections = votes.filter(opinion=Opinion.REJECT).count()
    outcome = rules.committee_outcome(approvals, rejections, int(get_param("admission.committee_quorum")))
    if outcome == "approve":
        _transition(application, "committee_approve", actor=actor, note=comment)
    elif outcome == "reject":
        _transition(application, "reject", actor=actor, note=comment)
    return application


@transaction.atomic
def admission_return(*, actor: User, application_id: int, comment: str) -> AdmissionApplication:
    """Any reviewer sends the application back to the customer manager for correction."""
    application = _lock_application(application_id, actor, CustomerPerm.ADMISSION_RETURN)
    _not_submitter(application, actor)
    comment = text(comment, "comment", max_length=2000, required=True)
    if rules.next_status(application.status, "return") is None:
        raise InvalidTransition()
    # Only the reviewer whose step it is sends it back: a committee member cannot return what the
    # sales department has not yet checked.
    stage_perm = RETURN_PERMISSION[application.status]
    customer = application.customer
    if actor is not None and not access_for(actor).reaches(stage_perm, org_path=customer.org_path,
                                                           owner_id=customer.manager_id):
        raise InvalidTransition(_("The application is not at your review step."))
    _transition(application, "return", actor=actor, note=comment)
    return application


# ------------------------------------------------------------------ after admission


def _customer_transition(customer: Customer, action: str, *, actor: User | None, event: int, reason: str = "",
                         termination_reason: str = "") -> None:
    target = rules.CUSTOMER_TRANSITIONS.get(customer.admission_status, {}).get(action)
    if target is None:
        raise InvalidTransition(
            _("Cannot %(action)s a customer who is %(status)s.")
            % {"action": action, "status": AdmissionStatus(customer.admission_status).label}
        )
    old = customer.admission_status
    customer.admission_status = target
    customer.termination_reason = termination_reason or customer.termination_reason
    customer.version += 1
    customer.save(update_fields=["admission_status", "termination_reason", "version", "updated_at"])
    audit_record(actor=actor, event_code=event, object_type="customer", object_id=customer.pk,
                 customer_id=customer.pk, old={"status": old},
                 new={"status": target, "termination_reason": termination_reason or None}, reason=reason)


@transaction.atomic
def customer_activate(*, actor: User | None, customer_id: int) -> Customer:
    """QUALIFIED → ACTIVE once a cooperation agreement and (unless scattered) a contract are on file."""
    customer = customer_get(user=actor, customer_id=customer_id, perm=CustomerPerm.CUSTOMER_ACTIVATE, lock=True)
    if not customer.agreements.filter(status="active").exists():
        raise AdmissionBlocked(_("Sign the sales-cooperation agreement first."))
    if customer.kind != CustomerKind.SCATTERED and not customer.contracts.filter(status=ContractStatus.FILED).exists():
        raise AdmissionBlocked(_("No purchase/sales contract on file."))
    _customer_transition(customer, "activate", actor=actor, event=CustomerEvent.CUSTOMER_ACTIVATED)
    return customer


@transaction.atomic
def customer_terminate(*, actor: User | None, customer_id: int, reason: str, note: str) -> Customer:
    """End the cooperation: false information (S3 Art.7), failed evaluation or grade-E exit (S9 Ch.2 §5)."""
    customer = customer_get(user=actor, customer_id=customer_id, perm=CustomerPerm.CUSTOMER_TERMINATE, lock=True)
    if reason not in rules.TERMINATION_REASONS:
        raise InvalidInput(_("reason must be one of: %(r)s.") % {"r": ", ".join(rules.TERMINATION_REASONS)},
                           field="reason")
    note = text(note, "note", max_length=2000, required=True)
    _customer_transition(customer, "terminate", actor=actor, event=CustomerEvent.CUSTOMER_TERMINATED, reason=note,
                         termination_reason=reason)
    _terminate_agreements(customer, actor, note)
    return customer


@transaction.atomic
def customer_exit(*, actor: User | None, customer_id: int, note: str) -> Customer:
    """The customer leaves of their own accord."""
    customer = customer_get(user=actor, customer_id=customer_id, perm=CustomerPerm.CUSTOMER_EXIT, lock=True)
    note = text(note, "note", max_length=2000, required=True)
    _customer_transition(customer, "exit", actor=actor, event=CustomerEvent.CUSTOMER_EXITED, reason=note)
    _terminate_agreements(customer, actor, note)
    return customer
