"""Investor profile, evidence, risk questionnaire and professional classification (M-4, M-11, M-12)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from kehu.core.audit import audit_record
from kehu.core.errors import Conflict, InvalidInput, InvalidTransition, NotFound, SelfApprovalNotAllowed
from kehu.core.inputs import amount as parse_amount
from kehu.core.inputs import choice, text
from kehu.core.params import get_param
from kehu.core.selectors import access_for
from kehu.customers.models import Customer
from kehu.customers.services import document_upload

from .. import permissions as P
from .. import rules
from ..events import SuitabilityEvent as E
from ..models import (
    EvidenceKind,
    InvestorKind,
    InvestorProfile,
    ProfessionalDecision,
    ProfessionalStatus,
    ProfileEvidence,
    Questionnaire,
    RiskAssessment,
)
from ..selectors import profile_get
from ._common import facts_of, local_day, now_or, require, retain

_FACT_FIELDS = ("investor_kind", "financial_assets_amount", "household_financial_net_assets_amount",
                "average_income_amount", "net_assets_amount", "investment_experience_years", "is_staff_or_spouse")


def _customer_in_scope(actor, customer_id: int, perm: str) -> Customer:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise NotFound()
    if actor is not None:
        require(actor, perm)
        if not access_for(actor).reaches(perm, org_path=customer.org_path, owner_id=customer.manager_id):
            raise NotFound()
    return customer


def _amt(value, field: str) -> Decimal:
    return parse_amount(value, field) or Decimal("0")


def _years(value) -> int:
    try:
        years = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(_("Years of experience must be a whole number."), field="investment_experience_years") \
            from None
    if not 0 <= years <= 80:
        raise InvalidInput(_("Years of experience must be between 0 and 80."), field="investment_experience_years")
    return years


@transaction.atomic
def profile_save(*, actor, customer_id: int, investor_kind: str, financial_assets_amount="0",
                 household_financial_net_assets_amount="0", average_income_amount="0", net_assets_amount="0",
                 investment_experience_years=0, is_staff_or_spouse: bool = False, facts_confirmed: bool = False,
                 now: datetime | None = None) -> InvestorProfile:
    """Create or update the investor profile of a customer. A change of the financial facts marks the
    current assessment for re-testing (M-12)."""
    now = now_or(now)
    customer = _customer_in_scope(actor, customer_id, P.PROFILE)
    values = {
        "investor_kind": choice(investor_kind, "investor_kind", list(InvestorKind.values)),
        "financial_assets_amount": _amt(financial_assets_amount, "financial_assets_amount"),
        "household_financial_net_assets_amount": parse_amount(household_financial_net_assets_amount,
                                                              "household_financial_net_assets_amount"),
        "average_income_amount": _amt(average_income_amount, "average_income_amount"),
        "net_assets_amount": _amt(net_assets_amount, "net_assets_amount"),
        "investment_experience_years": _years(investment_experience_years),
        "is_staff_or_spouse": bool(is_staff_or_spouse),
    }
    profile = InvestorProfile.objects.select_for_update().filter(customer=customer).first()
    old = None
    if profile is None:
        profile = InvestorProfile(customer=customer, org_path=customer.org_path, created_by=actor,
                                  retain_until=retain(local_day(now)), **values)
    else:
        old = {f: str(getattr(profile, f)) for f in _FACT_FIELDS}
        for field, value in values.items():
            setattr(profile, field, value)
        if any(old[f] != str(values[f]) for f in _FACT_FIELDS):
            profile.facts_changed_at = now
    profile.facts_confirmed = bool(facts_confirmed)
    profile.org_path = customer.org_path
    profile.full_clean(exclude=["customer"])
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError:  # two first saves of the same customer's profile at once
        raise Conflict(_("The profile was created by someone else; reload and try again.")) from None
    audit_record(actor=actor, event_code=E.PROFILE_SAVED, object_type="investor_profile", object_id=profile.pk,
                 customer_id=customer.pk, old=old, new={f: str(getattr(profile, f)) for f in _FACT_FIELDS})
    return profile


def evidence_add(*, actor, profile_id: int, kind: str, filename: str, content_type: str, data: bytes,
                 now: datetime | None = None) -> ProfileEvidence:
    """Attach evidence of the financial facts; the file goes to the customer archive's encrypted store."""

    now = now_or(now)
    with transaction.atomic():
        profile = profile_get(user=actor, profile_id=profile_id, perm=P.PROFILE, lock=True)
        kind = choice(kind, "kind", list(EvidenceKind.values))
        doc_kind = "financial" if kind in ("assets", "income", "net_assets") else "other"
        document = document_upload(actor=actor, customer_id=profile.customer_id, kind=doc_kind,
                                   title=str(EvidenceKind(kind).label), filename=filename,
                                   content_type=content_type, data=data)
        evidence = ProfileEvidence.objects.create(profile=profile, kind=kind, document=document, added_by=actor,
                                                  retain_until=retain(local_day(now)))
        audit_record(actor=actor, event_code=E.EVIDENCE_ADDED, object_type="investor_profile",
                     object_id=profile.pk, customer_id=profile.customer_id,
                     new={"kind": kind, "document": document.pk})
    return evidence


def questionnaire_current() -> Questionnaire:
    found = Questionnaire.objects.filter(active=True).order_by("-pk").first()
    if found is None:
        raise NotFound(_("No risk questionnaire is in use."))
    return found


@transaction.atomic
def assessment_record(*, actor, profile_id: int, answers: dict, questionnaire_id: int | None = None,
                      now: datetime | None = None) -> RiskAssessment:
    """Score the answers of the questionnaire in use into C1..C5 and keep answers and score (M-4, M-10); the
    assessment is valid for ``am.risk_assessment_validity`` years (M-12) and replaces the previous one."""
    now = now_or(now)
    profile = profile_get(user=actor, profile_id=profile_id, perm=P.PROFILE, lock=True)
    questionnaire = Questionnaire.objects.filter(pk=questionnaire_id).first() if questionnaire_id else \
        questionnaire_current()
    if questionnaire is None or not questionnaire.active:
        raise InvalidInput(_("That questionnaire version is not in use."), field="questionnaire_id")
    if not isinstance(answers, dict):
        raise InvalidInput(_("Answer every question."), field="answers")
    answers = {str(k): str(v) for k, v in answers.items()}
    try:
        score = rules.score_questionnaire(questionnaire.questions, answers)
    except ValueError as exc:
        raise InvalidInput(_("Answer every question with one of its options (%(q)s).") % {"q": exc.args[0]},
                           field="answers") from None
    investor_class, lowest = rules.class_for_score(score, questionnaire.bands)
    today = local_day(now)
    RiskAssessment.objects.filter(profile=profile, superseded=False).update(superseded=True)
    assessment = RiskAssessment.objects.create(
        profile=profile, questionnaire=questionnaire, answers=answers, score=score, investor_class=investor_class,
        lowest_category=lowest, assessed_at=now, assessed_by=actor,
        valid_until=rules.assessment_valid_until(today, int(get_param("am.risk_assessment_validity", on=today))),
        retain_until=retain(today))
    audit_record(actor=actor, event_code=E.ASSESSMENT_RECORDED, object_type="investor_profile", object_id=profile.pk,
                 customer_id=profile.customer_id,
                 new={"questionnaire": questionnaire.version, "score": score, "class": investor_class,
                      "lowest_category": lowest, "valid_until": assessment.valid_until})
    return assessment


def assessment_current(profile: InvestorProfile) -> RiskAssessment | None:
    return RiskAssessment.objects.filter(profile=profile, superseded=False).order_by("-assessed_at", "-pk").first()


def assessment_valid(profile: InvestorProfile, assessment: RiskAssessment | None, today) -> bool:
    if assessment is None or assessment.expired:
        return False
    changed = profile.facts_changed_at is not None and profile.facts_changed_at > assessment.assessed_at
    return rules.assessment_is_valid(assessment.valid_until, today, facts_changed_after_assessment=changed)


def assessment_expire_due(*, now: datetime | None = None) -> int:
    """Mark assessments past their validity as expired (M-12); an expired assessment blocks subscriptions."""
    today = local_day(now_or(now))
    count = 0
    for pk in RiskAssessment.objects.filter(expired=False, valid_until__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            row = RiskAssessment.objects.select_for_update().select_related("profile").get(pk=pk)
            if row.expired:
                continue
            row.expired = True
            row.save(update_fields=["expired"])
            audit_record(actor=None, event_code=E.ASSESSMENT_EXPIRED, object_type="investor_profile",
                         object_id=row.profile_id, customer_id=row.profile.customer_id,
                         new={"assessment": row.pk, "valid_until": row.valid_until})
            count += 1
    return count


@transaction.atomic
def professional_request(*, actor, profile_id: int, conversion: bool, warning_acknowledged: bool = False,
                         now: datetime | None = None) -> ProfessionalDecision:
    """Test an investor against the professional thresholds in force (M-11). A conversion request needs the
    investor's acknowledgement of the warning (a professional investor loses the ordinary investor's
    protections). A failed test is recorded as rejected; a passed one waits for a second person."""
    now = now_or(now)
    profile = profile_get(user=actor, profile_id=profile_id, perm=P.PROFILE, lock=True)
    if profile.professional:
        raise InvalidTransition(_("The investor is already professional."))
    if ProfessionalDecision.objects.filter(profile=profile, status=ProfessionalStatus.REQUESTED).exists():
        raise InvalidTransition(_("A professional classification is already waiting for a decision."))
    if not profile.evidence.exists():  # M-11: the classification rests on evidence of assets or income
        raise InvalidTransition(_("Evidence of the financial facts must be on file."), code="evidence_missing")
    if conversion and not warning_acknowledged:
        raise InvalidInput(_("The investor must acknowledge the written warning before converting."),
                           field="warning_acknowledged", code="warning_not_acknowledged")
    today = local_day(now)
    thresholds = get_param("am.pro_investor", on=today)
    passed, reason = rules.professional_test(facts_of(profile), thresholds, conversion=conversion)
    decision = ProfessionalDecision.objects.create(
        profile=profile, conversion=conversion, warning_acknowledged=bool(warning_acknowledged),
        basis={"passed": passed, "reason": reason, "thresholds": thresholds},
        status=ProfessionalStatus.REQUESTED if passed else ProfessionalStatus.REJECTED,
        requested_by=actor, requested_at=now, decided_at=None if passed else now,
        note="" if passed else reason, retain_until=retain(today))
    audit_record(actor=actor, event_code=E.PROFESSIONAL_REQUESTED, object_type="investor_profile",
                 object_id=profile.pk, customer_id=profile.customer_id,
                 new={"conversion": conversion, "passed": passed, "reason": reason})
    return decision


@transaction.atomic
def professional_decide(*, actor, decision_id: int, approve: bool, note: str = "",
                        now: datetime | None = None) -> ProfessionalDecision:
    """The second person's decision on a professional classification (four eyes)."""
    now = now_or(now)
    require(actor, P.DECIDE)
    decision = ProfessionalDecision.objects.select_for_update().filter(pk=decision_id).first()
    if decision is None:
        raise NotFound()
    profile = profile_get(user=actor, profile_id=decision.profile_id, perm=P.DECIDE, lock=True)
    if decision.status != ProfessionalStatus.REQUESTED:
        raise InvalidTransition()
    if actor is not None and decision.requested_by_id == actor.pk:
        raise SelfApprovalNotAllowed(_("A second person must decide the professional classification."))
    decision.status = ProfessionalStatus.APPROVED if approve else ProfessionalStatus.REJECTED
    decision.decided_by, decision.decided_at = actor, now
    decision.note = text(note, "note", max_length=500)
    decision.save(update_fields=["status", "decided_by", "decided_at", "note"])
    if approve:
        profile.professional = True
        profile.save(update_fields=["professional", "updated_at"])
    audit_record(actor=actor, event_code=E.PROFESSIONAL_DECIDED, object_type="investor_profile",
                 object_id=profile.pk, customer_id=profile.customer_id,
                 new={"decision": decision.pk, "approved": bool(approve)}, reason=decision.note)
    return decision
