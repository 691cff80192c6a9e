"""Pages of the suitability module. Thin: read through selectors, write through one service, show domain
errors as messages. Individuals' names are masked as in the customer archive."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.errors import DomainError, NotFound
from kehu.core.errors import PermissionDenied as DomainPermissionDenied
from kehu.core.models import User
from kehu.core.selectors import access_for

from . import permissions as P
from . import selectors, services
from .models import (
    EvidenceKind,
    FilingDocKind,
    FilingKind,
    PlanKind,
    ProductType,
    RiskLevel,
    SubscriptionState,
)


def _guard(fn):
    """Map domain errors of a GET page to HTTP: no permission 403, outside scope 404."""
    def wrapper(request, *args, **kwargs):
        try:
            return fn(request, *args, **kwargs)
        except DomainPermissionDenied as exc:
            raise HttpForbidden() from exc
        except NotFound as exc:
            raise Http404() from exc
    wrapper.__name__ = fn.__name__
    return login_required(wrapper)


def _post_action(request, call, success: str) -> bool:
    try:
        call()
    except NotFound as exc:
        raise Http404() from exc
    except DomainError as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
        return False
    messages.success(request, success)
    return True


@_guard
def home(request):
    access = access_for(request.user)
    if not access.has(P.VIEW):
        raise HttpForbidden()
    profiles = [(p, selectors.investor_display_name(p)) for p in
                selectors.profiles_visible_to(request.user).order_by("-pk")[:100]]
    subs = selectors.subscriptions_visible_to(request.user).exclude(state__in=["active", "cancelled"]) \
        .order_by("-pk")[:100]
    inbox = selectors.filing_inbox(user=request.user, today=timezone.localdate())
    return render(request, "suitability/home.html", {
        "profiles": profiles, "subscriptions": [(s, selectors.investor_display_name(s.investor)) for s in subs],
        "inbox": inbox, "can_profile": access.has(P.PROFILE)})


@_guard
def profile_new(request):
    if not access_for(request.user).has(P.PROFILE):
        raise HttpForbidden()
    if request.method == "POST":
        data = request.POST
        try:
            profile = services.profile_save(
                actor=request.user, customer_id=int(data.get("customer_id") or 0),
                investor_kind=data.get("investor_kind", ""),
                financial_assets_amount=data.get("financial_assets_amount", ""),
                household_financial_net_assets_amount=data.get("household_financial_net_assets_amount", ""),
                average_income_amount=data.get("average_income_amount", ""),
                net_assets_amount=data.get("net_assets_amount", ""),
                investment_experience_years=data.get("investment_experience_years", "0"),
                is_staff_or_spouse=bool(data.get("is_staff_or_spouse")),
                facts_confirmed=bool(data.get("facts_confirmed")))
            messages.success(request, _("Saved."))
            return redirect("suitability:profile_detail", profile_id=profile.pk)
        except ValueError:
            messages.error(request, _("Choose a customer."))
        except NotFound:
            messages.error(request, _("No such customer in your scope."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
    return render(request, "suitability/profile_new.html", {"initial": request.POST or request.GET})


@_guard
def profile_detail(request, profile_id: int):
    profile = selectors.profile_get(user=request.user, profile_id=profile_id)
    access = access_for(request.user)
    assessment = services.assessment_current(profile)
    questionnaire = None
    try:
        questionnaire = services.questionnaire_current()
    except NotFound:
        pass
    return render(request, "suitability/profile_detail.html", {
        "profile": profile, "name": selectors.investor_display_name(profile), "assessment": assessment,
        "assessment_valid": services.assessment_valid(profile, assessment, timezone.localdate()),
        "questionnaire": questionnaire, "evidence": profile.evidence.select_related("document"),
        "evidence_kinds": EvidenceKind.choices, "decisions": profile.professional_decisions.order_by("-pk"),
        "products": selectors.products_visible_to(request.user).filter(open=True).order_by("code"),
        "subscriptions": profile.subscriptions.select_related("product").order_by("-pk"),
        "can_profile": access.has(P.PROFILE), "can_subscribe": access.has(P.SUBSCRIBE),
        "can_decide": access.has(P.DECIDE)})


def profile_action(request, profile_id: int):
    if not request.user.is_authenticated:
        return redirect("login")
    if request.method != "POST":
        return redirect("suitability:profile_detail", profile_id=profile_id)
    action, data, user = request.POST.get("action"), request.POST, request.user
    if action == "evidence":
        upload = request.FILES.get("file")
        _post_action(request, lambda: services.evidence_add(
            actor=user, profile_id=profile_id, kind=data.get("kind", ""), filename=upload.name if upload else "",
            content_type=upload.content_type if upload else "", data=upload.read() if upload else b""),
            _("Evidence attached."))
    elif action == "assess":
        answers = {k[2:]: v for k, v in data.items() if k.startswith("q_")}
        _post_action(request, lambda: services.assessment_record(actor=user, profile_id=profile_id, answers=answers),
                     _("Assessment recorded."))
    elif action == "professional":
        _post_action(request, lambda: services.professional_request(
            actor=user, profile_id=profile_id, conversion=True,
            warning_acknowledged=bool(data.get("warning_acknowledged"))), _("Request recorded."))
    elif action == "decide":
        _post_action(request, lambda: services.professional_decide(
            actor=user, decision_id=int(data.get("decision_id") or 0), approve=data.get("approve") == "1",
            note=data.get("note", "")), _("Decision recorded."))
    elif action == "subscribe":
        holder = {}

        def call():
            holder["sub"] = services.subscription_create(actor=user, investor_id=profile_id,
                                                         product_id=int(data.get("product_id") or 0),
                                                         amount=data.get("amount", ""))
        if _post_action(request, call, _("Subscription started.")):
            return redirect("suitability:subscription_detail", subscription_id=holder["sub"].pk)
    return redirect("suitability:profile_detail", profile_id=profile_id)


STEP_LABELS = {
    "kyc_done": gettext_lazy("Confirm KYC"),
    "check": gettext_lazy("Check suitability"),
    "confirm_warning": gettext_lazy("Record the investor's confirmation"),
    "sign_disclosure": gettext_lazy("Record the signed risk disclosure"),
    "sign_contract": gettext_lazy("Contract signed"),
    "funds_received": gettext_lazy("Funds received: start cooling-off"),
    "callback": gettext_lazy("Record the call-back"),
    "activate": gettext_lazy("Activate the subscription"),
}


def _next_step(sub) -> str | None:
    if sub.state == SubscriptionState.DRAFT:
        return "kyc_done"
    if sub.state == SubscriptionState.KYC_DONE:
        return "confirm_warning" if sub.warned_at else "check"
    return {"suitability_ok": "sign_disclosure", "warned_confirmed": "sign_disclosure",
            "disclosure_signed": "sign_contract", "contract_signed": "funds_received", "cooling_off": "callback",
            "callback_done": "activate"}.get(sub.state)


@_guard
def subscription_detail(request, subscription_id: int):
    sub = selectors.subscription_get(user=request.user, subscription_id=subscription_id)
    step = _next_step(sub)
    staff = User.objects.filter(is_active=True, role_assignments__role__in=["customer_manager", "customer_office"]) \
        .distinct().order_by("username")[:200] if step == "sign_disclosure" else []
    return render(request, "suitability/subscription_detail.html", {
        "sub": sub, "name": selectors.investor_display_name(sub.investor), "step": step,
        "step_label": STEP_LABELS.get(step or ""), "history": sub.history.all(), "staff": staff,
        "can_act": access_for(request.user).has(P.SUBSCRIBE),
        "cancellable": sub.state not in ("callback_done", "active", "cancelled")})


def subscription_action(request, subscription_id: int):
    if not request.user.is_authenticated:
        return redirect("login")
    if request.method != "POST":
        return redirect("suitability:subscription_detail", subscription_id=subscription_id)
    data, user, step = request.POST, request.user, request.POST.get("step")
    pk = subscription_id
    calls = {
        "kyc_done": lambda: services.subscription_kyc_done(actor=user, subscription_id=pk),
        "check": lambda: services.subscription_check(actor=user, subscription_id=pk),
        "confirm_warning": lambda: services.subscription_confirm_warning(
            actor=user, subscription_id=pk, confirmation=data.get("confirmation", "")),
        "sign_disclosure": lambda: _sign(request, pk),
        "sign_contract": lambda: services.subscription_sign_contract(actor=user, subscription_id=pk),
        "funds_received": lambda: services.subscription_funds_received(actor=user, subscription_id=pk),
        "callback": lambda: services.subscription_callback(actor=user, subscription_id=pk,
                                                           note=data.get("note", "")),
        "activate": lambda: services.subscription_activate(actor=user, subscription_id=pk),
        "cancel": lambda: services.subscription_cancel(actor=user, subscription_id=pk, reason=data.get("reason", "")),
    }
    if step in calls:
        _post_action(request, calls[step], _("Saved."))
    return redirect("suitability:subscription_detail", subscription_id=subscription_id)


def _sign(request, pk: int):
    upload = request.FILES.get("signed_copy")
    copy = (upload.name, upload.content_type or "", upload.read()) if upload else None
    try:
        explainer = int(request.POST.get("explained_by_id") or 0)
    except ValueError:
        explainer = 0
    return services.subscription_sign_disclosure(actor=request.user, subscription_id=pk, explained_by_id=explainer,
                                                 esignature_ref=request.POST.get("esignature_ref", ""),
                                                 signed_copy=copy)


@_guard
def products(request):
    access = access_for(request.user)
    if not access.has(P.VIEW):
        raise HttpForbidden()
    if request.method == "POST":
        data = request.POST
        if data.get("action") == "material":
            _post_action(request, lambda: services.material_attach(
                actor=request.user, product_id=int(data.get("product_id") or 0), title=data.get("title", ""),
                body=data.get("body", "")), _("Material attached."))
        else:
            _post_action(request, lambda: services.product_create(
                actor=request.user, code=data.get("code", ""), name=data.get("name", ""),
                plan_kind=data.get("plan_kind", ""), product_type=data.get("product_type", ""),
                risk_level=data.get("risk_level", ""), minimum_amount=data.get("minimum_amount", ""),
                org_code=data.get("org_code", ""), max_investors=data.get("max_investors") or None,
                set_up_on=data.get("set_up_on") or None), _("Saved."))
        return redirect("suitability:products")
    return render(request, "suitability/products.html", {
        "products": selectors.products_visible_to(request.user).order_by("code"),
        "capacity": selectors.capacity(user=request.user), "can_manage": access.has(P.PRODUCT),
        "plan_kinds": PlanKind.choices, "product_types": ProductType.choices, "risk_levels": RiskLevel.choices})


@_guard
def filings(request):
    access = access_for(request.user)
    if not access.has(P.VIEW):
        raise HttpForbidden()
    if request.method == "POST":
        data = request.POST
        _post_action(request, lambda: services.filing_create(
            actor=request.user, kind=data.get("kind", ""), org_code=data.get("org_code", ""),
            trigger_date=data.get("trigger_date", ""), subject=data.get("subject", ""),
            product_id=int(data.get("product_id") or 0) or None), _("Saved."))
        return redirect("suitability:filings")
    today = timezone.localdate()
    rows = []
    for f in selectors.filings_visible_to(request.user).order_by("org_unit__code", "-trigger_date", "-pk"):
        attached = set(f.documents.values_list("doc_kind", flat=True))
        required = services.required_documents(f.kind, today)
        rows.append({"filing": f, "checklist": [(k, FilingDocKind(k).label, k in attached) for k in required],
                     "overdue": f.status == "open" and f.due_date < today})
    return render(request, "suitability/filings.html", {
        "rows": rows, "inbox": selectors.filing_inbox(user=request.user, today=today),
        "kinds": FilingKind.choices, "doc_kinds": FilingDocKind.choices, "can_file": access.has(P.FILING),
        "products": selectors.products_visible_to(request.user).order_by("code")})


def filing_action(request, filing_id: int):
    if not request.user.is_authenticated:
        return redirect("login")
    if request.method == "POST":
        data, upload = request.POST, request.FILES.get("file")
        if data.get("action") == "submit":
            _post_action(request, lambda: services.filing_submit(actor=request.user, filing_id=filing_id),
                         _("Filing submitted."))
        else:
            _post_action(request, lambda: services.filing_attach(
                actor=request.user, filing_id=filing_id, doc_kind=data.get("doc_kind", ""),
                filename=upload.name if upload else "", data=upload.read() if upload else b""),
                _("Document attached."))
    return redirect("suitability:filings")


@_guard
def reports(request):
    if not access_for(request.user).has(P.REPORT):
        raise HttpForbidden()
    return render(request, "suitability/reports.html", {
        "mismatches": selectors.report_mismatches(user=request.user),
        "overdue": selectors.report_overdue_filings(user=request.user, today=timezone.localdate()),
        "backlog": selectors.report_backlog(user=request.user, now=timezone.now()),
        "capacity": selectors.capacity(user=request.user)})
