"""REST API of the suitability module. Thin: parse, call one service, present (names masked)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from kehu.core.errors import NotFound

from . import selectors, services
from .models import Filing, InvestorProfile, Product, Subscription

router = Router(tags=["suitability"])


class MatchOut(Schema):
    allowed: bool
    needs_warning: bool
    reason_code: str
    investor_class: str | None
    product_risk: str


class MatchQuery(Schema):
    investor_id: int
    product_id: int


@router.get("/suitability/match", response=MatchOut,
            summary="May this investor (profile id) buy this product today? The M-10 matrix and the rules around it")
def match(request, query: Query[MatchQuery]):
    return services.match_for(user=request.auth, investor_id=query.investor_id, product_id=query.product_id)


# ------------------------------------------------------------------------------------------ investors


class ProfileIn(Schema):
    model_config = ConfigDict(extra="forbid")
    customer_id: int
    investor_kind: str
    financial_assets_amount: str = "0"
    household_financial_net_assets_amount: str = "0"
    average_income_amount: str = "0"
    net_assets_amount: str = "0"
    investment_experience_years: int = Field(0, ge=0, le=80)
    is_staff_or_spouse: bool = False
    facts_confirmed: bool = False


class ProfileOut(Schema):
    id: int
    customer_id: int
    name: str
    investor_kind: str
    professional: bool
    investor_class: str | None
    lowest_category: bool
    assessment_valid_until: date | None
    assessment_valid: bool
    facts_confirmed: bool
    evidence: int


def profile_out(profile: InvestorProfile) -> dict:
    assessment = services.assessment_current(profile)
    return {"id": profile.pk, "customer_id": profile.customer_id, "name": selectors.investor_display_name(profile),
            "investor_kind": profile.investor_kind, "professional": profile.professional,
            "investor_class": assessment.investor_class if assessment else None,
            "lowest_category": bool(assessment and assessment.lowest_category),
            "assessment_valid_until": assessment.valid_until if assessment else None,
            "assessment_valid": services.assessment_valid(profile, assessment, timezone.localdate()),
            "facts_confirmed": profile.facts_confirmed, "evidence": profile.evidence.count()}


@router.post("/suitability/investors", response={200: ProfileOut}, summary="Create or update an investor profile")
def profile_save(request, payload: ProfileIn):
    return profile_out(services.profile_save(actor=request.auth, **payload.model_dump()))


@router.get("/suitability/investors", response=list[ProfileOut], summary="Investor profiles in scope")
def profile_list(request, limit: int = Query(100, ge=1, le=500)):
    return [profile_out(p) for p in selectors.profiles_visible_to(request.auth).order_by("-pk")[:limit]]


@router.get("/suitability/investors/{profile_id}", response=ProfileOut, summary="One investor profile")
def profile_detail(request, profile_id: int):
    return profile_out(selectors.profile_get(user=request.auth, profile_id=profile_id))


@router.post("/suitability/investors/{profile_id}/evidence", response={201: dict}, summary="Attach evidence")
def evidence_add(request, profile_id: int, kind: Form[str], file: File[UploadedFile]):
    evidence = services.evidence_add(actor=request.auth, profile_id=profile_id, kind=kind,
                                     filename=file.name or "evidence", content_type=file.content_type or "",
                                     data=file.read())
    return Status(201, {"id": evidence.pk, "kind": evidence.kind, "document_id": evidence.document_id})


@router.get("/suitability/questionnaire", response=dict, summary="The risk questionnaire in use")
def questionnaire(request):
    selectors._require(request.auth, "suitability.view")
    q = services.questionnaire_current()
    return {"id": q.pk, "version": q.version, "title": q.title,
            "questions": [{"code": x["code"], "text": x["text"],
                           "options": [{"code": o["code"], "text": o["text"]} for o in x["options"]]}
                          for x in q.questions]}


class AssessmentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    answers: dict[str, str]
    questionnaire_id: int | None = None


class AssessmentOut(Schema):
    id: int
    questionnaire: str
    score: int
    investor_class: str
    lowest_category: bool
    valid_until: date


@router.post("/suitability/investors/{profile_id}/assessments", response={201: AssessmentOut},
             summary="Record an answered questionnaire")
def assessment_record(request, profile_id: int, payload: AssessmentIn):
    a = services.assessment_record(actor=request.auth, profile_id=profile_id, **payload.model_dump())
    return Status(201, {"id": a.pk, "questionnaire": a.questionnaire.version, "score": a.score,
                        "investor_class": a.investor_class, "lowest_category": a.lowest_category,
                        "valid_until": a.valid_until})


class ProfessionalIn(Schema):
    model_config = ConfigDict(extra="forbid")
    conversion: bool = True
    warning_acknowledged: bool = False


class DecisionOut(Schema):
    id: int
    status: str
    conversion: bool
    passed: bool
    reason: str


def decision_out(d) -> dict:
    return {"id": d.pk, "status": d.status, "conversion": d.conversion, "passed": bool(d.basis.get("passed")),
            "reason": str(d.basis.get("reason", ""))}


@router.post("/suitability/investors/{profile_id}/professional", response={201: DecisionOut},
             summary="Test for professional status (or an ordinary investor's conversion request)")
def professional_request(request, profile_id: int, payload: ProfessionalIn):
    return Status(201, decision_out(services.professional_request(actor=request.auth, profile_id=profile_id,
                                                                  **payload.model_dump())))


class SuitabilityDecideIn(Schema):
    model_config = ConfigDict(extra="forbid")
    approve: bool
    note: str = Field("", max_length=500)


@router.post("/suitability/professional/{decision_id}/decide", response=DecisionOut,
             summary="The second person's decision on a professional classification")
def professional_decide(request, decision_id: int, payload: SuitabilityDecideIn):
    return decision_out(services.professional_decide(actor=request.auth, decision_id=decision_id,
                                                     **payload.model_dump()))


# ------------------------------------------------------------------------------------------ products


class ProductIn(Schema):
    model_config = ConfigDict(extra="forbid")
    code: str
    name: str
    plan_kind: str
    product_type: str
    risk_level: str
    minimum_amount: str
    org_code: str
    max_investors: int | None = None
    portfolio_manager_id: int | None = None
    set_up_on: date | None = None


class ProductOut(Schema):
    id: int
    code: str
    name: str
    plan_kind: str
    product_type: str
    risk_level: str
    minimum_amount: Decimal
    max_investors: int | None
    open: bool


def product_out(p: Product) -> dict:
    return {"id": p.pk, "code": p.code, "name": p.name, "plan_kind": p.plan_kind, "product_type": p.product_type,
            "risk_level": p.risk_level, "minimum_amount": p.minimum_amount, "max_investors": p.max_investors,
            "open": p.open}


@router.get("/suitability/products", response=list[ProductOut], summary="Asset-management products")
def product_list(request):
    return [product_out(p) for p in selectors.products_visible_to(request.auth).order_by("code")]


@router.post("/suitability/products", response={201: ProductOut}, summary="Set up a product")
def product_create(request, payload: ProductIn):
    return Status(201, product_out(services.product_create(actor=request.auth, **payload.model_dump())))


class MaterialIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str
    body: str


@router.post("/suitability/products/{product_id}/materials", response={201: dict},
             summary="Attach marketing material (refused if it promises principal protection or a minimum return)")
def material_attach(request, product_id: int, payload: MaterialIn):
    m = services.material_attach(actor=request.auth, product_id=product_id, **payload.model_dump())
    return Status(201, {"id": m.pk, "title": m.title})


class CheckIn(Schema):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(..., max_length=20000)


@router.post("/suitability/marketing/check", response=dict, summary="Check a text against the forbidden promises")
def marketing_check(request, payload: CheckIn):
    selectors._require(request.auth, "suitability.view")
    found = services.marketing_check(payload.text)
    return {"ok": not found, "found": found}


# ------------------------------------------------------------------------------------------ subscriptions


class SubscriptionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    investor_id: int
    product_id: int
    amount: str


class SubscriptionOut(Schema):
    id: int
    investor_id: int
    investor: str
    product_id: int
    product: str
    amount: Decimal
    subscribed_on: date
    rule_version: str
    state: str
    investor_class: str
    warning_text: str
    disclosure_text: str
    explained_by: str | None
    cooling_off_end: datetime | None
    callback_due: bool
    history: list[dict]


def subscription_out(s: Subscription) -> dict:
    return {"id": s.pk, "investor_id": s.investor_id, "investor": selectors.investor_display_name(s.investor),
            "product_id": s.product_id, "product": s.product.code, "amount": s.amount,
            "subscribed_on": s.subscribed_on, "rule_version": s.rule_version, "state": s.state,
            "investor_class": s.investor_class, "warning_text": s.warning_text, "disclosure_text": s.disclosure_text,
            "explained_by": s.explained_by.username if s.explained_by else None,
            "cooling_off_end": s.cooling_off_end, "callback_due": s.callback_due,
            "history": [{"from": h.from_state, "to": h.to_state, "at": h.at.isoformat()} for h in s.history.all()]}


@router.get("/suitability/subscriptions", response=list[SubscriptionOut], summary="Subscriptions in scope")
def subscription_list(request, state: str | None = None, limit: int = Query(100, ge=1, le=500)):
    qs = selectors.subscriptions_visible_to(request.auth)
    if state:
        qs = qs.filter(state=state)
    return [subscription_out(s) for s in qs.order_by("-pk")[:limit]]


@router.post("/suitability/subscriptions", response={201: SubscriptionOut}, summary="Start a subscription")
def subscription_create(request, payload: SubscriptionIn):
    return Status(201, subscription_out(services.subscription_create(actor=request.auth, **payload.model_dump())))


@router.get("/suitability/subscriptions/{subscription_id}", response=SubscriptionOut, summary="One subscription")
def subscription_detail(request, subscription_id: int):
    return subscription_out(selectors.subscription_get(user=request.auth, subscription_id=subscription_id))


class StepIn(Schema):
    model_config = ConfigDict(extra="forbid")
    confirmation: str = Field("", max_length=500)
    explained_by_id: int | None = None
    esignature_ref: str = Field("", max_length=200)
    note: str = Field("", max_length=500)
    reason: str = Field("", max_length=500)


STEPS = {
    "kyc-done": lambda actor, pk, p: services.subscription_kyc_done(actor=actor, subscription_id=pk),
    "check": lambda actor, pk, p: services.subscription_check(actor=actor, subscription_id=pk),
    "confirm-warning": lambda actor, pk, p: services.subscription_confirm_warning(
        actor=actor, subscription_id=pk, confirmation=p.confirmation),
    "sign-disclosure": lambda actor, pk, p: services.subscription_sign_disclosure(
        actor=actor, subscription_id=pk, explained_by_id=p.explained_by_id or 0, esignature_ref=p.esignature_ref),
    "sign-contract": lambda actor, pk, p: services.subscription_sign_contract(actor=actor, subscription_id=pk),
    "funds-received": lambda actor, pk, p: services.subscription_funds_received(actor=actor, subscription_id=pk),
    "callback": lambda actor, pk, p: services.subscription_callback(actor=actor, subscription_id=pk, note=p.note),
    "activate": lambda actor, pk, p: services.subscription_activate(actor=actor, subscription_id=pk),
    "cancel": lambda actor, pk, p: services.subscription_cancel(actor=actor, subscription_id=pk, reason=p.reason),
}


@router.post("/suitability/subscriptions/{subscription_id}/{step}", response=SubscriptionOut,
             summary="Take the next step: kyc-done, check, confirm-warning, sign-disclosure, sign-contract, "
                     "funds-received, callback, activate, cancel")
def subscription_step(request, subscription_id: int, step: str, payload: StepIn):
    if step not in STEPS:
        raise NotFound()
    return subscription_out(STEPS[step](request.auth, subscription_id, payload))


# ------------------------------------------------------------------------------------------ filings


class FilingIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: str
    org_code: str
    trigger_date: date
    subject: str
    product_id: int | None = None


class FilingOut(Schema):
    id: int
    kind: str
    org_unit: str
    subject: str
    trigger_date: date
    due_date: date
    status: str
    documents: list[str]
    missing: list[str]


def filing_out(f: Filing) -> dict:
    attached = list(f.documents.values_list("doc_kind", flat=True))
    required = services.required_documents(f.kind, timezone.localdate())
    return {"id": f.pk, "kind": f.kind, "org_unit": f.org_unit.code, "subject": f.subject,
            "trigger_date": f.trigger_date, "due_date": f.due_date, "status": f.status, "documents": attached,
            "missing": [k for k in required if k not in attached]}


@router.get("/suitability/filings", response=list[FilingOut], summary="The filing register of the firms in scope")
def filing_list(request):
    return [filing_out(f) for f in selectors.filings_visible_to(request.auth).order_by("-trigger_date", "-pk")]


@router.post("/suitability/filings", response={201: FilingOut}, summary="Open a filing (due date computed)")
def filing_create(request, payload: FilingIn):
    return Status(201, filing_out(services.filing_create(actor=request.auth, **payload.model_dump())))


@router.post("/suitability/filings/{filing_id}/documents", response={201: FilingOut},
             summary="Attach a checklist document")
def filing_attach(request, filing_id: int, doc_kind: Form[str], file: File[UploadedFile]):
    services.filing_attach(actor=request.auth, filing_id=filing_id, doc_kind=doc_kind,
                           filename=file.name or "document", data=file.read())
    return Status(201, filing_out(selectors.filing_get(user=request.auth, filing_id=filing_id)))


@router.post("/suitability/filings/{filing_id}/submit", response=FilingOut, summary="Mark a filing submitted")
def filing_submit(request, filing_id: int):
    return filing_out(services.filing_submit(actor=request.auth, filing_id=filing_id))


@router.get("/suitability/inbox", response=list[dict], summary="Filings due soon or overdue")
def inbox(request):
    return [{"id": r["filing"].pk, "subject": r["filing"].subject, "due_date": r["filing"].due_date.isoformat(),
             "alert": r["alert"], "days_left": r["days_left"]}
            for r in selectors.filing_inbox(user=request.auth, today=timezone.localdate())]


# ------------------------------------------------------------------------------------------ reports


@router.get("/suitability/reports/mismatches", response=list[dict],
            summary="Refused sales and written warnings by product and month")
def report_mismatches(request):
    return selectors.report_mismatches(user=request.auth)


@router.get("/suitability/reports/overdue-filings", response=list[dict], summary="Filings past their due date")
def report_overdue(request):
    return [{"id": f.pk, "subject": f.subject, "org_unit": f.org_unit.code, "due_date": f.due_date.isoformat()}
            for f in selectors.report_overdue_filings(user=request.auth, today=timezone.localdate())]


@router.get("/suitability/reports/backlog", response=list[dict], summary="Cooling-off and call-back backlog")
def report_backlog(request):
    return [{"id": r["subscription"].pk, "investor": r["investor"], "product": r["subscription"].product.code,
             "cooling_off_end": r["subscription"].cooling_off_end.isoformat(), "callback_due": r["callback_due"]}
            for r in selectors.report_backlog(user=request.auth, now=timezone.now())]


@router.get("/suitability/reports/capacity", response=dict, summary="Plans per portfolio manager (M-3)")
def report_capacity(request):
    figure = selectors.capacity(user=request.auth)
    return {**figure, "plans_per_manager": str(figure["plans_per_manager"]) if figure["plans_per_manager"] else None,
            "by_manager": {str(k): v for k, v in figure["by_manager"].items()}}
