"""Staff pages of the customer archive and the admission review.

Every view is thin: it finds the customer through the selectors (404 outside the user's scope),
parses one form, calls one service, and either redirects back with a message or renders the page
again with the service's translated message on the form. The services re-check every permission
and rule; what this module computes about "which actions to show" is presentation only.
"""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kehu.core.errors import DomainError, InvalidInput, NotFound
from kehu.core.errors import PermissionDenied as DomainPermissionDenied
from kehu.core.models import OrgUnit
from kehu.core.params import get_param
from kehu.core.rules import mask
from kehu.core.selectors import Access, access_for
from kehu.customers import forms as f
from kehu.customers import overview, rules, search, selectors, services
from kehu.customers.models import (
    AdmissionApplication,
    ApplicationStatus,
    ConsentRecord,
    Customer,
    CustomerGroup,
)
from kehu.customers.permissions import CustomerPerm
from kehu.customers.services.admission import QUESTIONNAIRE_FIELDS

PAGE_SIZE = 50


# ------------------------------------------------------------------ helpers


def _customer_or_404(request, customer_id: int, perm: str = CustomerPerm.CUSTOMER_VIEW) -> Customer:
    try:
        return selectors.customer_get(user=request.user, customer_id=customer_id, perm=perm)
    except NotFound:
        raise Http404() from None
    except DomainPermissionDenied as exc:
        raise HttpForbidden(str(exc.message)) from None


def _application_or_404(request, application_id: int) -> tuple[AdmissionApplication, Customer]:
    application = AdmissionApplication.objects.filter(pk=application_id).first()
    if application is None:
        raise Http404()
    return application, _customer_or_404(request, application.customer_id)


def _units_for(access: Access, perm: str):
    """The active org units where ``perm`` reaches: the subtrees of the user's grants for it."""
    query = Q(pk__in=[])
    for grant in access.grants_for(perm):
        query |= Q(path__startswith=grant.org_path)
    return OrgUnit.objects.filter(query, is_active=True).order_by("path")


def _require(request, perm: str) -> Access:
    access = access_for(request.user)
    if not access.has(perm):
        raise HttpForbidden(_("You do not have permission to do this."))
    return access


def _put_error(form, exc: DomainError) -> None:
    """Show a service's refusal on the form: on the field it names, else above the form."""
    problems = getattr(exc, "problems", None)
    if problems:
        for problem in problems:
            form.add_error(None, problem)
        return
    field = getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, str(exc.message))


def _detail_url(customer_id: int, anchor: str = "") -> str:
    return reverse("customers:detail", args=[customer_id]) + (f"#{anchor}" if anchor else "")


def _run(request, customer: Customer, *, slot: str, form, call, done: str, anchor: str = ""):
    """Validate ``form``, run ``call(cleaned_data)`` (one service), redirect back or re-render with errors.

    ``slot`` names the form on the detail page, so that a refused form comes back open, filled in,
    with its errors. Outside scope is 404; in scope but refused permission re-renders with 403.
    """
    if not form.is_valid():
        return _render_detail(request, customer, status=400, bound={slot: form})
    try:
        call(form.cleaned_data)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        _put_error(form, exc)
        status = 403 if isinstance(exc, DomainPermissionDenied) else exc.http_status
        return _render_detail(request, customer, status=status, bound={slot: form})
    messages.success(request, done)
    return redirect(_detail_url(customer.pk, anchor))


# ------------------------------------------------------------------ list, create


@login_required
@require_GET
def customer_list(request):
    access = _require(request, CustomerPerm.CUSTOMER_VIEW)
    units = _units_for(access, CustomerPerm.CUSTOMER_VIEW)
    form = f.SearchForm(request.GET, units=units)
    rows, next_before, status = [], None, 200
    count, count_more = None, False
    if form.is_valid():
        data = form.cleaned_data
        what = {"user": request.user, "q": data["q"], "kind": data["kind"], "status": data["status"],
                "org_code": data["org"], "region": data["region"], "industry": data["industry"]}
        if not data.get("before"):
            # The first page says how many match, counted only up to a cap ("10,000+").
            count, count_more = search.capped_count(selectors.customer_search(**what))
        # Keyset pagination by id: one row more than a page tells whether a next page exists, so the
        # list never counts the whole table.
        rows, more = selectors.customer_search_page(before=data.get("before") or None, limit=PAGE_SIZE, **what)
        if more:
            next_before = rows[-1].pk
    else:
        status = 400
    for customer in rows:
        customer.shown_name = selectors.masked(customer, "name")
        customer.shown_id = customer.uscc or selectors.masked(customer, "id_number")
        customer.shown_phone = selectors.masked(customer, "phone")
    return render(request, "customers/list.html", {
        "form": form, "rows": rows, "next_before": next_before, "first_page": not request.GET.get("before"),
        "count": count, "count_more": count_more, "count_shown": f"{count:,}" if count is not None else "",
        "can_create": access.has(CustomerPerm.CUSTOMER_CREATE),
    }, status=status)


@login_required
def customer_create(request):
    access = _require(request, CustomerPerm.CUSTOMER_CREATE)
    units = list(_units_for(access, CustomerPerm.CUSTOMER_CREATE))
    initial = {"org_code": request.user.org_unit.code if request.user.org_unit_id else ""}
    form = f.CustomerForm(request.POST or None, units=units, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                customer = services.customer_create(actor=request.user, channel="web", **form.service_values())
            except NotFound:
                raise Http404() from None
            except DomainError as exc:
                _put_error(form, exc)
                status = 403 if isinstance(exc, DomainPermissionDenied) else exc.http_status
            else:
                messages.success(request, _("Customer %(name)s created.") % {
                    "name": selectors.masked(customer, "name")})
                return redirect(_detail_url(customer.pk))
    return render(request, "customers/create.html", {"form": form}, status=status)


# ------------------------------------------------------------------ detail


def _archive_rows(customer: Customer, clear: dict[str, str]) -> list[dict]:
    """The archive fields as rows; personal ones masked unless they were just unmasked."""
    def row(label, value, *, field: str = "", kind: str = "text") -> dict:
        if field:
            is_clear = field in clear
            value = clear[field] if is_clear else selectors.masked(customer, field)
            return {"label": label, "value": value, "clear": is_clear, "kind": kind}
        return {"label": label, "value": value, "clear": False, "kind": kind}

    rows = [row(_("Kind"), customer.get_kind_display()), row(_("Name"), None, field="name")]
    if customer.is_entity:
        rows += [
            row(_("Unified social credit code"), customer.uscc or ""),
            row(_("Legal representative"), customer.legal_representative),
            row(_("Registered capital (CNY)"), customer.registered_capital_amount, kind="money"),
            row(_("Business scope"), customer.business_scope),
        ]
    else:
        rows += [row(_("Resident ID number"), None, field="id_number"), row(_("Occupation"), customer.occupation)]
    rows += [
        row(_("Industry"), customer.industry),
        row(_("Region"), customer.region),
        row(_("Address"), None, field="address"),
        row(_("Phone"), None, field="phone"),
        row(_("E-mail"), None, field="email"),
        row(_("Org unit"), f"{customer.org_unit.name} ({customer.org_unit.code})"),
        row(_("Customer manager"), str(customer.manager) if customer.manager_id else ""),
        row(_("Created at"), customer.created_at, kind="datetime"),
    ]
    return rows


def _application_view(application: AdmissionApplication) -> dict:
    questionnaire = [
        (f.ApplicationForm.LABELS.get(key, key), application.questionnaire.get(key, ""))
        for key in QUESTIONNAIRE_FIELDS if application.questionnaire.get(key)
    ]
    return {"obj": application, "questionnaire": questionnaire,
            "reviews": list(application.reviews.all()), "history": list(application.history.all())}


def _make_form(slot: str, customer: Customer, application, extra: dict):
    if slot == "edit":
        return f.CustomerEditForm(customer=customer, prefix=slot)
    if slot in ("apply", "application_edit"):
        initial = f.ApplicationForm.initial_for(application) if slot == "application_edit" else {}
        return f.ApplicationForm(initial=initial, prefix=slot)
    factories = {
        "contact": f.ContactForm, "unmask": f.UnmaskForm, "licence": f.LicenceForm, "contract": f.ContractForm,
        "document": f.DocumentForm, "agreement": f.AgreementForm, "consent": f.ConsentForm,
        "submit": f.NoteForm, "sales_check": f.DecisionForm, "office_review": f.DecisionForm,
        "vote": f.DecisionForm, "return": f.ReturnForm, "activate": None, "terminate": f.TerminateForm,
        "exit": f.RequiredNoteForm,
    }
    if slot == "opinion":
        return f.OpinionForm(departments=extra["departments"], prefix=slot)
    if slot == "join_group":
        return f.JoinGroupForm(groups=extra["groups"], prefix=slot)
    factory = factories.get(slot)
    return factory(prefix=slot) if factory else forms.Form(prefix=slot)


def detail_context(request, customer: Customer, *, bound: dict | None = None,
                   clear: dict[str, str] | None = None) -> dict:
    user = request.user
    access = access_for(user)
    bound = bound or {}
    today = timezone.localdate()
    application = selectors.open_application(customer)
    slots = selectors.customer_actions(user=user, access=access, customer=customer, application=application)
    action_forms = {}
    for slot, extra in slots.items():
        action_forms[slot] = bound.get(slot) or _make_form(slot, customer, application, extra)
    # A refused form whose action is not (or no longer) offered to this user has no place on the
    # page; its errors are shown at the top instead of being lost.
    stray_errors = [str(error) for slot, form in bound.items() if slot not in action_forms
                    for errors in form.errors.values() for error in errors]
    licences = list(customer.licences.all())
    for licence in licences:
        licence.state = selectors.licence_state(licence, today)
    contacts = list(customer.contacts.all())
    for contact in contacts:
        contact.shown_phone = mask("phone", contact.phone)
        contact.shown_email = mask("email", contact.email)
    applications = [
        _application_view(a) for a in customer.applications.select_related("submitted_by", "created_by")
        .prefetch_related("reviews__reviewer", "history__actor").order_by("-id")
    ]
    problems = None
    if application is not None and rules.application_allows(application.status, "submit"):
        problems = [str(p) for p in services.admission_problems(customer, application)]
    missing = []
    if application is not None and application.status == ApplicationStatus.OFFICE_REVIEWED:
        done = selectors.recorded_departments(application)
        missing = [d for d in get_param("admission.required_departments") if d not in done]
    memberships = list(customer.group_memberships.select_related("group"))
    return {
        "customer": customer,
        "shown_name": clear.get("name") if clear and "name" in clear else selectors.masked(customer, "name"),
        "archive": _archive_rows(customer, clear or {}),
        "clear": clear or {},
        "licences": licences,
        "contacts": contacts,
        "contracts": list(customer.contracts.all()),
        "agreements": list(customer.agreements.all()),
        "documents": list(customer.documents.select_related("uploaded_by")),
        "memberships": memberships,
        "changes": list(customer.changes.select_related("actor")[:100]),
        "consents": list(customer.consents.select_related("recorded_by")[:50]),
        "applications": applications,
        "application": application,
        "problems": problems,
        "missing_departments": missing,
        "forms": action_forms,
        "open_slot": next(iter(bound), ""),
        "stray_errors": stray_errors,
        "back_url": _detail_url(customer.pk),
        "today": today,
        **overview.page_context(request=request, customer=customer, access=access, today=today),
    }


def _render_detail(request, customer: Customer, *, status: int = 200, bound: dict | None = None,
                   clear: dict | None = None):
    return render(request, "customers/detail.html", detail_context(request, customer, bound=bound, clear=clear),
                  status=status)


@login_required
@require_GET
def customer_detail(request, customer_id: int):
    return _render_detail(request, _customer_or_404(request, customer_id))


@login_required
@require_POST
def customer_edit(request, customer_id: int):
    customer = _customer_or_404(request, customer_id)
    form = f.CustomerEditForm(request.POST, customer=customer, prefix="edit")

    def call(data):
        services.customer_update(actor=request.user, customer_id=customer.pk, changes=form.changes(),
                                 expected_version=data["version"], channel="web")

    return _run(request, customer, slot="edit", form=form, call=call, done=_("The archive has been updated."),
                anchor="archive")


@login_required
@require_POST
def customer_unmask(request, customer_id: int):
    customer = _customer_or_404(request, customer_id)
    form = f.UnmaskForm(request.POST, prefix="unmask")
    if not form.is_valid():
        return _render_detail(request, customer, status=400, bound={"unmask": form})
    try:
        values = services.customer_unmask(actor=request.user, customer_id=customer.pk, fields=[],
                                          reason=form.cleaned_data["reason"],
                                          ip=request.META.get("REMOTE_ADDR", ""), channel="web",
                                          second_factor=bool(request.session.get("kehu_2fa_at")))
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        _put_error(form, exc)
        status = 403 if isinstance(exc, DomainPermissionDenied) else exc.http_status
        return _render_detail(request, customer, status=status, bound={"unmask": form})
    # Shown once, in this response only: nothing is stored, and a reload shows the masked page again.
    response = _render_detail(request, customer, clear=values)
    response["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------ archive sub-records


@login_required
@require_POST
def licence_add(request, customer_id: int):
    customer = _customer_or_404(request, customer_id)
    form = f.LicenceForm(request.POST, prefix="licence")
    return _run(request, customer, slot="licence", form=form, anchor="licences", done=_("Licence added."),
                call=lambda d: services.licence_add(actor=request.user, customer_id=customer.pk, **d))


@login_required
@require_POST
def contract_file(request, customer_id: int):
    customer = _customer_or_404(request, customer_id)
    form = f.ContractForm(request.POST, prefix="contract")

    def call(d):
        d = dict(d)
        services.contract_file(actor=request.user, customer_id=customer.pk, amount_value=d.pop("amount"), **d)

    return _run(request, customer, slot="contract", form=form, call=call, anchor="contracts",
                done=_("Contract filed."))


@login_required
@require_POST
def agreement_sign(request, customer_id: int):
    customer = _customer_or_404(request, customer_id)
    form = f.AgreementForm(request.POST, prefix="agreement")
    return _run(request, customer, slot="agreement", form=form, anchor="agreements",
                done=_("Sales-cooperation agreement recorded."),
                call=lambda d: services.agreement_sign(actor=request.user, customer_id=customer.pk, **d))


@login_required
@require_POST
def contact_add(request, customer_id: int):
    customer = _customer_or_404(request, customer_id)
    form = f.ContactForm(request.POST, prefix="contact")
    return _run(request, customer, slot="contact", form=form, anchor="contacts", done=_("Contact added."),
                call=lambda d: services.contact_add(actor=request.user, customer_id=customer.pk, **d))


@login_required
@require_POST
def contact_remove(request, customer_id: int, contact_id: int):
    customer = _customer_or_404(request, customer_id)
    if not customer.contacts.filter(pk=contact_id).exists():
        raise Http404()
    try:
        services.contact_remove(actor=request.user, contact_id=contact_id)
    except NotFound:
        raise Http404() from None
    except DomainPermissionDenied as exc:
        raise HttpForbidden(str(exc.message)) from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Contact removed."))
    return redirect(_detail_url(customer.pk, "contacts"))


@login_required
@require_POST
def document_upload(request, customer_id: int):
    customer = _customer_or_404(request, customer_id)
    form = f.DocumentForm(request.POST, request.FILES, prefix="document")

    def call(d):
        upload = d["file"]

        # Refuse an oversized file before reading it into memory.
        if upload.size > settings.KEHU_MAX_UPLOAD_BYTES:
            raise InvalidInput(_("The file is larger than %(n)d bytes.") % {"n": settings.KEHU_MAX_UPLOAD_BYTES},
                               field="file")
        services.document_upload(actor=request.user, customer_id=customer.pk, kind=d["kind"], title=d["title"],
                                 filename=upload.name or "file",
                                 content_type=upload.content_type or "application/octet-stream",
                                 data=upload.read())

    return _run(request, customer, slot="document", form=form, call=call, anchor="documents",
                done=_("Document uploaded."))


@login_required
@require_GET
def document_download(request, document_id: int):
    try:
        document, data = services.document_read(actor=request.user, document_id=document_id)
    except NotFound:
        raise Http404() from None
    except DomainPermissionDenied as exc:
        raise HttpForbidden(str(exc.message)) from None
    except DomainError as exc:
        return HttpResponse(str(exc.message), status=exc.http_status, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=document.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(document.filename)}"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def consent_record(request, consent_id: int):
    consent = ConsentRecord.objects.filter(pk=consent_id).first()
    if consent is None:
        raise Http404()
    customer = _customer_or_404(request, consent.customer_id)
    form = f.ConsentForm(request.POST, prefix="consent")
    return _run(request, customer, slot="consent", form=form, anchor="consents",
                done=_("The customer's answer has been recorded."),
                call=lambda d: services.consent_record(actor=request.user, consent_id=consent.pk, status=d["status"],
                                                       channel=d["channel"]))


@login_required
@require_POST
def join_group(request, customer_id: int):
    customer = _customer_or_404(request, customer_id)
    access = access_for(request.user)
    groups = [g for g in selectors.groups_visible_to(request.user)
              if access.reaches(CustomerPerm.GROUP_MANAGE, org_path=g.org_path)]
    form = f.JoinGroupForm(request.POST, groups=groups, prefix="join_group")
    return _run(request, customer, slot="join_group", form=form, anchor="group",
                done=_("The customer has been added to the group."),
                call=lambda d: services.group_add_member(actor=request.user, group_id=d["group"],
                                                         customer_id=customer.pk, relation=d["relation"],
                                                         evidence=d["evidence"], since=d["since"]))


# ------------------------------------------------------------------ admission


@login_required
@require_POST
def application_create(request, customer_id: int):
    customer = _customer_or_404(request, customer_id)
    form = f.ApplicationForm(request.POST, prefix="apply")
    return _run(request, customer, slot="apply", form=form, anchor="admission",
                done=_("Admission application saved as a draft."),
                call=lambda d: services.admission_create(actor=request.user, customer_id=customer.pk,
                                                         **form.service_values()))


@login_required
@require_POST
def application_edit(request, application_id: int):
    application, customer = _application_or_404(request, application_id)
    form = f.ApplicationForm(request.POST, prefix="application_edit")
    return _run(request, customer, slot="application_edit", form=form, anchor="admission",
                done=_("Admission application saved."),
                call=lambda d: services.admission_update(actor=request.user, application_id=application.pk,
                                                         **form.service_values()))


@login_required
@require_POST
def application_submit(request, application_id: int):
    application, customer = _application_or_404(request, application_id)
    return _run(request, customer, slot="submit", form=f.NoteForm(request.POST, prefix="submit"), anchor="admission",
                done=_("Application submitted for review."),
                call=lambda d: services.admission_submit(actor=request.user, application_id=application.pk,
                                                         note=d["note"]))


def _decision(request, application_id: int, slot: str, service, done_ok: str, done_no: str):
    application, customer = _application_or_404(request, application_id)
    form = f.DecisionForm(request.POST, prefix=slot)
    approve = request.POST.get(form.add_prefix("decision")) == "approve"
    return _run(request, customer, slot=slot, form=form, anchor="admission", done=done_ok if approve else done_no,
                call=lambda d: service(actor=request.user, application_id=application.pk,
                                       approve=d["decision"] == "approve", comment=d["comment"]))


@login_required
@require_POST
def application_sales_check(request, application_id: int):
    return _decision(request, application_id, "sales_check", services.admission_sales_check,
                     _("Sales pre-check passed."), _("Application rejected."))


@login_required
@require_POST
def application_office_review(request, application_id: int):
    return _decision(request, application_id, "office_review", services.admission_office_review,
                     _("Office review passed."), _("Application rejected."))


@login_required
@require_POST
def application_vote(request, application_id: int):
    return _decision(request, application_id, "vote", services.admission_vote,
                     _("Your vote to approve has been recorded."), _("Your vote to reject has been recorded."))


@login_required
@require_POST
def application_opinion(request, application_id: int):
    application, customer = _application_or_404(request, application_id)
    form = f.OpinionForm(request.POST, departments=sorted(access_for(request.user).departments()), prefix="opinion")
    return _run(request, customer, slot="opinion", form=form, anchor="admission",
                done=_("Department opinion recorded."),
                call=lambda d: services.admission_opinion(actor=request.user, application_id=application.pk, **d))


@login_required
@require_POST
def application_return(request, application_id: int):
    application, customer = _application_or_404(request, application_id)
    return _run(request, customer, slot="return", form=f.ReturnForm(request.POST, prefix="return"), anchor="admission",
                done=_("Application returned for correction."),
                call=lambda d: services.admission_return(actor=request.user, application_id=application.pk,
                                                         comment=d["comment"]))


@login_required
@require_POST
def customer_activate(request, customer_id: int):
    customer = _customer_or_404(request, customer_id)
    return _run(request, customer, slot="activate", form=forms.Form(request.POST, prefix="activate"), anchor="admission",
                done=_("The customer is now active."),
                call=lambda d: services.customer_activate(actor=request.user, customer_id=customer.pk))


@login_required
@require_POST
def customer_terminate(request, customer_id: int):
    customer = _customer_or_404(request, customer_id)
    return _run(request, customer, slot="terminate", form=f.TerminateForm(request.POST, prefix="terminate"), anchor="admission",
                done=_("The cooperation has been terminated."),
                call=lambda d: services.customer_terminate(actor=request.user, customer_id=customer.pk,
                                                           reason=d["reason"], note=d["note"]))


@login_required
@require_POST
def customer_exit(request, customer_id: int):
    customer = _customer_or_404(request, customer_id)
    return _run(request, customer, slot="exit", form=f.RequiredNoteForm(request.POST, prefix="exit"), anchor="admission",
                done=_("The customer's exit has been recorded."),
                call=lambda d: services.customer_exit(actor=request.user, customer_id=customer.pk, note=d["note"]))


# ------------------------------------------------------------------ groups


@login_required
def group_list(request):
    access = _require(request, CustomerPerm.CUSTOMER_VIEW)
    units = list(_units_for(access, CustomerPerm.GROUP_MANAGE))
    form = f.GroupForm(request.POST or None, units=units) if units else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise HttpForbidden(_("You do not have permission to do this."))
        status = 400
        if form.is_valid():
            try:
                group = services.group_create(actor=request.user, **form.cleaned_data)
            except NotFound:
                raise Http404() from None
            except DomainError as exc:
                _put_error(form, exc)
                status = 403 if isinstance(exc, DomainPermissionDenied) else exc.http_status
            else:
                messages.success(request, _("Group %(name)s created.") % {"name": group.name})
                return redirect("customers:group", group_id=group.pk)
    groups = (selectors.groups_visible_to(request.user).select_related("org_unit")
              .annotate(members=Count("memberships")).order_by("code")[:500])
    return render(request, "customers/groups.html", {"groups": groups, "form": form}, status=status)


def _group_or_404(request, group_id: int) -> CustomerGroup:
    _require(request, CustomerPerm.CUSTOMER_VIEW)
    group = selectors.groups_visible_to(request.user).select_related("org_unit").filter(pk=group_id).first()
    if group is None:
        raise Http404()
    return group


def _render_group(request, group: CustomerGroup, *, form=None, status: int = 200):
    access = access_for(request.user)
    can_manage = access.reaches(CustomerPerm.GROUP_MANAGE, org_path=group.org_path)
    members = list(group.memberships.select_related("customer").order_by("id"))
    for membership in members:
        membership.shown_name = selectors.masked(membership.customer, "name")
    return render(request, "customers/group_detail.html", {
        "group": group, "members": members, "can_manage": can_manage,
        "form": form or (f.MemberForm() if can_manage else None),
    }, status=status)


@login_required
@require_GET
def group_detail(request, group_id: int):
    return _render_group(request, _group_or_404(request, group_id))


def _find_customer(user, text: str) -> Customer | None:
    text = text.strip()
    visible = selectors.customers_visible_to(user)
    if text.isdigit() and len(text) < 18:
        return visible.filter(pk=int(text)).first()
    code = rules.clean_uscc(text)
    return visible.filter(uscc=code).first() if code else None


@login_required
@require_POST
def group_add_member(request, group_id: int):
    group = _group_or_404(request, group_id)
    form = f.MemberForm(request.POST)
    if not form.is_valid():
        return _render_group(request, group, form=form, status=400)
    data = form.cleaned_data
    customer = _find_customer(request.user, data["customer"])
    if customer is None:
        form.add_error("customer", _("No customer with this ID or credit code in your scope."))
        return _render_group(request, group, form=form, status=400)
    try:
        services.group_add_member(actor=request.user, group_id=group.pk, customer_id=customer.pk,
                                  relation=data["relation"], evidence=data["evidence"], since=data["since"])
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        _put_error(form, exc)
        status = 403 if isinstance(exc, DomainPermissionDenied) else exc.http_status
        return _render_group(request, group, form=form, status=status)
    messages.success(request, _("The customer has been added to the group."))
    return redirect("customers:group", group_id=group.pk)


@login_required
@require_POST
def group_remove_member(request, group_id: int, customer_id: int):
    group = _group_or_404(request, group_id)
    try:
        services.group_remove_member(actor=request.user, group_id=group.pk, customer_id=customer_id)
    except NotFound:
        raise Http404() from None
    except DomainPermissionDenied as exc:
        raise HttpForbidden(str(exc.message)) from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The customer has been removed from the group."))
    return redirect("customers:group", group_id=group.pk)


@login_required
@require_GET
def customer_timeline(request, customer_id: int):
    """The whole timeline of a customer, newest first, filtered by kind, in keyset pages."""
    customer = _customer_or_404(request, customer_id)
    access = access_for(request.user)
    kinds = [k for k in request.GET.getlist("kind") if k][:20]
    try:
        entries, next_cursor = overview.timeline(customer=customer, access=access, kinds=kinds,
                                                 cursor=request.GET.get("cursor") or None,
                                                 limit=int(get_param("customers.timeline_page_size")))
    except DomainError as exc:
        return render(request, "400.html", {"message": str(exc)}, status=400)
    return render(request, "customers/timeline.html", {
        "customer": customer, "shown_name": selectors.masked(customer, "name"), "entries": entries,
        "next_cursor": next_cursor, "kinds": overview.kinds_for(customer=customer, access=access),
        "selected": set(kinds)})
