"""REST API of the customer archive and the admission review. Thin: parse, call one service, present."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from kehu.core.api_auth import BearerAuth, SessionAuth
from kehu.core.errors import InvalidInput, NotFound, PermissionDenied
from kehu.core.params import get_param
from kehu.core.rules import mask
from kehu.core.selectors import access_for
from kehu.customers import overview, rules, search, selectors, services
from kehu.customers.models import AdmissionApplication, Customer, CustomerGroup
from kehu.customers.permissions import CustomerPerm
from kehu.customers.schemas import (
    AdmissionDecisionIn,
    AdmissionDetail,
    AdmissionIn,
    AdmissionNoteIn,
    AdmissionPage,
    AdmissionPatch,
    AgreementIn,
    AgreementOut,
    CommentIn,
    ConsentIn,
    ConsentOut,
    ContactIn,
    ContactOut,
    ContractIn,
    ContractOut,
    CustomerChangeOut,
    CustomerIn,
    CustomerOut,
    CustomerPage,
    CustomerPatch,
    DocumentOut,
    GroupIn,
    GroupOut,
    InboxOut,
    LicenceIn,
    LicenceOut,
    MemberIn,
    OpinionIn,
    SubmitIn,
    TerminateIn,
    UnmaskIn,
    UnmaskOut,
)

router = Router(tags=["customers"])


def _channel(request) -> str:
    return "api"


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


# ------------------------------------------------------------------ presenters


def customer_out(customer: Customer) -> dict:
    m = selectors.masked
    return {
        "id": customer.pk, "kind": customer.kind, "name": m(customer, "name"), "name_pinyin": customer.name_pinyin,
        "uscc": customer.uscc, "legal_representative": customer.legal_representative,
        "registered_capital_amount": customer.registered_capital_amount, "currency": customer.currency,
        "industry": customer.industry, "region": customer.region, "business_scope": customer.business_scope,
        "address": m(customer, "address"), "id_number": m(customer, "id_number"), "phone": m(customer, "phone"),
        "email": m(customer, "email"), "occupation": customer.occupation, "org_unit": customer.org_unit.code,
        "manager_id": customer.manager_id, "manager": customer.manager.username if customer.manager_id else None,
        "admission_status": customer.admission_status, "grade": customer.grade, "version": customer.version,
        "masked": bool(selectors.personal_fields(customer)), "created_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


def admission_out(application: AdmissionApplication) -> dict:
    return {
        "id": application.pk, "customer_id": application.customer_id,
        "customer_name": selectors.masked(application.customer, "name"), "status": application.status,
        "round": application.round, "questionnaire": application.questionnaire,
        "expected_annual_volume_amount": application.expected_annual_volume_amount,
        "volume_justification": application.volume_justification, "scope_attested": application.scope_attested,
        "submitted_by": application.submitted_by.username if application.submitted_by_id else None,
        "submitted_at": application.submitted_at, "decided_at": application.decided_at,
        "created_at": application.created_at,
    }


def admission_detail(application: AdmissionApplication) -> dict:
    data = admission_out(application)
    data["problems"] = [str(p) for p in services.admission_problems(application.customer, application)]
    data["reviews"] = [
        {"id": r.pk, "round": r.round, "stage": r.stage, "department": r.department, "opinion": r.opinion,
         "comment": r.comment, "reviewer": r.reviewer.username, "created_at": r.created_at}
        for r in application.reviews.select_related("reviewer")
    ]
    data["history"] = [
        {"from_status": h.from_status, "to_status": h.to_status,
         "actor": h.actor.username if h.actor_id else None, "note": h.note, "ts": h.ts}
        for h in application.history.select_related("actor")
    ]
    data["missing_departments"] = (
        rules.missing_departments(list(get_param("admission.required_departments")),
                                  selectors.recorded_departments(application))
        if application.status == "office_reviewed" else []
    )
    return data


def _application(request, application_id: int) -> AdmissionApplication:
    application = AdmissionApplication.objects.select_related("customer", "submitted_by").filter(
        pk=application_id).first()
    if application is None:
        raise NotFound()
    selectors.customer_get(user=request.auth, customer_id=application.customer_id)
    return application


# ------------------------------------------------------------------ customers


class CustomerFilter(Schema):
    model_config = ConfigDict(extra="forbid")
    q: str = Field("", max_length=100)
    kind: str = Field("", max_length=32)
    status: str = Field("", max_length=16)
    org: str = Field("", max_length=32)
    manager_id: int | None = None
    region: str = Field("", max_length=100)
    industry: str = Field("", max_length=100)
    grade: str = Field("", max_length=1)
    before: int | None = Field(None, ge=1)
    limit: int = Field(50, ge=1, le=200)
    # Counting costs up to search.COUNT_CAP index entries, so a client asks for it (first page).
    count: bool = False


@router.get("/customers", response=CustomerPage, summary="Search and list customers in your scope")
def customer_list(request, filters: Query[CustomerFilter]):
    access_user = request.auth

    if not access_for(access_user).has(CustomerPerm.CUSTOMER_VIEW):
        raise PermissionDenied()
    what = {"user": access_user, "q": filters.q, "kind": filters.kind, "status": filters.status,
            "org_code": filters.org, "manager_id": filters.manager_id, "region": filters.region,
            "industry": filters.industry, "grade": filters.grade}
    # Keyset pagination by id and a count that stops at a cap: no request reads a million rows.
    count, count_more = (None, False)
    if filters.count:
        count, count_more = search.capped_count(selectors.customer_search(**what))
    items, more = selectors.customer_search_page(before=filters.before, limit=filters.limit, **what)
    return {"items": [customer_out(c) for c in items], "next_before": items[-1].pk if more else None,
            "count": count, "count_more": count_more}


class PickerFilter(Schema):
    model_config = ConfigDict(extra="forbid")
    q: str = Field("", max_length=100)
    limit: int = Field(10, ge=1, le=search.PICKER_LIMIT_MAX)
    # the permission of the form the picker serves (e.g. credit.rate): the customers in that scope
    perm: str = Field("", max_length=64)


def _picker_auth():
    return [SessionAuth(), BearerAuth()]


class CustomerPickerItem(Schema):
    id: int
    name: str
    code: str
    org_unit: str
    admission_status: str


@router.get("/customers/picker", response=list[CustomerPickerItem], auth=_picker_auth(), url_name="customers_picker",
            summary="Search-as-you-type for forms: a few customers in your scope, masked")
def customer_picker(request, filters: Query[PickerFilter]):
    """The one customer picker of every form (kehu.customers.widgets.CustomerPicker): name, pinyin, initials
    or credit code, within the scope of the form's permission (``perm``, default customer.view). Read-only,
    so the page's session may call it (a GET carries no CSRF risk)."""

    access = access_for(request.auth)
    perm = filters.perm or CustomerPerm.CUSTOMER_VIEW
    if not access.has(perm):
        raise PermissionDenied()
    if not filters.q.strip():
        return []
    if perm == CustomerPerm.CUSTOMER_VIEW:
        rows, _more = selectors.customer_search_page(user=request.auth, q=filters.q, limit=filters.limit)
    else:
        rows, _more = selectors.customer_search_page(
            user=None, q=filters.q, limit=filters.limit,
            scope=access.scope_q(perm, org_path_field="org_path", owner_field="manager_id"))
    return [{"id": c.pk, "name": selectors.masked(c, "name"),
             "code": c.uscc or selectors.masked(c, "id_number"), "org_unit": c.org_unit.code,
             "admission_status": c.admission_status} for c in rows]


@router.post("/customers", response={201: CustomerOut}, summary="Create a customer (a prospect)")
def customer_create(request, payload: CustomerIn):
    customer = services.customer_create(actor=request.auth, channel="api", **payload.model_dump())
    return Status(201, customer_out(customer))


@router.get("/customers/{customer_id}", response=CustomerOut, summary="One customer, personal data masked")
def customer_detail(request, customer_id: int):
    return customer_out(selectors.customer_get(user=request.auth, customer_id=customer_id))


@router.patch("/customers/{customer_id}", response=CustomerOut, summary="Change archive fields")
def customer_update(request, customer_id: int, payload: CustomerPatch):
    changes = payload.model_dump(exclude_unset=True)
    expected = changes.pop("expected_version", None)
    customer = services.customer_update(actor=request.auth, customer_id=customer_id, changes=changes,
                                        expected_version=expected, channel="api")
    return customer_out(customer)


@router.post("/customers/{customer_id}/unmask", response=UnmaskOut,
             summary="Show personal fields in clear text (needs a reason; audited)")
def customer_unmask(request, customer_id: int, payload: UnmaskIn):
    values = services.customer_unmask(actor=request.auth, customer_id=customer_id, fields=list(payload.fields),
                                      reason=payload.reason, ip=_ip(request), channel="api")
    return {"values": values}


@router.post("/customers/{customer_id}/activate", response=CustomerOut,
             summary="Qualified → active (agreement and contract on file)")
def customer_activate(request, customer_id: int):
    return customer_out(services.customer_activate(actor=request.auth, customer_id=customer_id))


@router.post("/customers/{customer_id}/terminate", response=CustomerOut, summary="Terminate the cooperation")
def customer_terminate(request, customer_id: int, payload: TerminateIn):
    return customer_out(services.customer_terminate(actor=request.auth, customer_id=customer_id,
                                                    reason=payload.reason, note=payload.note))


@router.post("/customers/{customer_id}/exit", response=CustomerOut, summary="The customer leaves")
def customer_exit(request, customer_id: int, payload: AdmissionNoteIn):
    return customer_out(services.customer_exit(actor=request.auth, customer_id=customer_id, note=payload.note))


# ------------------------------------------------------------------ archive sub-resources


@router.get("/customers/{customer_id}/contacts", response=list[ContactOut])
def contact_list(request, customer_id: int):
    customer = selectors.customer_get(user=request.auth, customer_id=customer_id)
    return [{"id": c.pk, "name": c.name, "title": c.title, "phone": mask("phone", c.phone),
             "email": mask("email", c.email), "is_primary": c.is_primary} for c in customer.contacts.all()]


@router.post("/customers/{customer_id}/contacts", response={201: ContactOut})
def contact_add(request, customer_id: int, payload: ContactIn):
    c = services.contact_add(actor=request.auth, customer_id=customer_id, **payload.model_dump())
    return Status(201, {"id": c.pk, "name": c.name, "title": c.title, "phone": mask("phone", c.phone),
                        "email": mask("email", c.email), "is_primary": c.is_primary})


@router.delete("/contacts/{contact_id}", response={204: None})
def contact_remove(request, contact_id: int):
    services.contact_remove(actor=request.auth, contact_id=contact_id)
    return Status(204, None)


def licence_out(lic) -> dict:
    return {"id": lic.pk, "kind": lic.kind, "number": lic.number, "issuer": lic.issuer,
            "valid_from": lic.valid_from, "valid_to": lic.valid_to, "annual_report_ok": lic.annual_report_ok,
            "state": selectors.licence_state(lic, timezone.localdate()), "document_id": lic.document_id}


@router.get("/customers/{customer_id}/licences", response=list[LicenceOut], summary="Licences with expiry state")
def licence_list(request, customer_id: int):
    customer = selectors.customer_get(user=request.auth, customer_id=customer_id)
    return [licence_out(lic) for lic in customer.licences.all()]


@router.post("/customers/{customer_id}/licences", response={201: LicenceOut})
def licence_add(request, customer_id: int, payload: LicenceIn):
    lic = services.licence_add(actor=request.auth, customer_id=customer_id, **payload.model_dump())
    return Status(201, licence_out(lic))


@router.get("/customers/{customer_id}/contracts", response=list[ContractOut])
def contract_list(request, customer_id: int):
    customer = selectors.customer_get(user=request.auth, customer_id=customer_id)
    return list(customer.contracts.all())


@router.post("/customers/{customer_id}/contracts", response={201: ContractOut},
             summary="File a purchase/sales contract")
def contract_file(request, customer_id: int, payload: ContractIn):
    data = payload.model_dump()
    data["amount_value"] = data.pop("amount")
    return Status(201, services.contract_file(actor=request.auth, customer_id=customer_id, **data))


@router.get("/customers/{customer_id}/agreements", response=list[AgreementOut])
def agreement_list(request, customer_id: int):
    customer = selectors.customer_get(user=request.auth, customer_id=customer_id)
    return list(customer.agreements.all())


@router.post("/customers/{customer_id}/agreements", response={201: AgreementOut},
             summary="Record the sales-cooperation agreement")
def agreement_sign(request, customer_id: int, payload: AgreementIn):
    return Status(201, services.agreement_sign(actor=request.auth, customer_id=customer_id, **payload.model_dump()))


@router.get("/customers/{customer_id}/documents", response=list[DocumentOut])
def document_list(request, customer_id: int):
    customer = selectors.customer_get(user=request.auth, customer_id=customer_id)
    return list(customer.documents.all())


@router.post("/customers/{customer_id}/documents", response={201: DocumentOut},
             summary="Upload a document (multipart: kind, title, file)")
def document_upload(request, customer_id: int, kind: Form[str], file: File[UploadedFile], title: Form[str] = ""):
    if file.size is not None and file.size > settings.KEHU_MAX_UPLOAD_BYTES:
        raise InvalidInput(code="too_large", field="file")
    document = services.document_upload(
        actor=request.auth, customer_id=customer_id, kind=kind, title=title, filename=file.name or "file",
        content_type=file.content_type or "application/octet-stream", data=file.read(),
    )
    return Status(201, document)


@router.get("/documents/{document_id}/content", summary="Download a document (audited)")
def document_content(request, document_id: int):
    document, data = services.document_read(actor=request.auth, document_id=document_id)
    response = HttpResponse(data, content_type=document.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(document.filename)}"
    return response


def _quote(name: str) -> str:
    return quote(name)


@router.get("/customers/{customer_id}/changes", response=list[CustomerChangeOut], summary="Change history (masked)")
def change_list(request, customer_id: int):
    customer = selectors.customer_get(user=request.auth, customer_id=customer_id)
    return [{"id": c.pk, "field": c.field, "old_display": c.old_display, "new_display": c.new_display,
             "is_personal": c.is_personal, "actor": c.actor.username if c.actor_id else None, "ts": c.ts}
            for c in customer.changes.select_related("actor")[:500]]


@router.get("/customers/{customer_id}/consents", response=list[ConsentOut])
def consent_list(request, customer_id: int):
    customer = selectors.customer_get(user=request.auth, customer_id=customer_id)
    return list(customer.consents.all())


@router.post("/consents/{consent_id}", response=ConsentOut, summary="Record the customer's answer")
def consent_record(request, consent_id: int, payload: ConsentIn):
    return services.consent_record(actor=request.auth, consent_id=consent_id, status=payload.status,
                                   channel=payload.channel)


# ------------------------------------------------------------------ groups


def group_out(group: CustomerGroup) -> dict:
    return {
        "id": group.pk, "code": group.code, "name": group.name, "org_unit": group.org_unit.code,
        "members": [{"customer_id": m.customer_id, "customer_name": selectors.masked(m.customer, "name"),
                     "relation": m.relation, "evidence": m.evidence, "since": m.since}
                    for m in group.memberships.select_related("customer")],
    }


@router.get("/groups", response=list[GroupOut], summary="Customer groups (集团客户) in your scope")
def group_list(request):
    if not access_for(request.auth).has(CustomerPerm.CUSTOMER_VIEW):
        raise PermissionDenied()
    return [group_out(g) for g in selectors.groups_visible_to(request.auth).select_related("org_unit")[:500]]


@router.post("/groups", response={201: GroupOut})
def group_create(request, payload: GroupIn):
    return Status(201, group_out(services.group_create(actor=request.auth, **payload.model_dump())))


@router.get("/groups/{group_id}", response=GroupOut)
def group_detail(request, group_id: int):
    # Outside the caller's grants (or without customer.view at all) a group does not exist: 404.
    group = selectors.groups_visible_to(request.auth).select_related("org_unit").filter(pk=group_id).first()
    if group is None:
        raise NotFound()
    return group_out(group)


@router.post("/groups/{group_id}/members", response={201: GroupOut})
def group_add_member(request, group_id: int, payload: MemberIn):
    membership = services.group_add_member(actor=request.auth, group_id=group_id, **payload.model_dump())
    return Status(201, group_out(membership.group))


@router.delete("/groups/{group_id}/members/{customer_id}", response={204: None})
def group_remove_member(request, group_id: int, customer_id: int):
    services.group_remove_member(actor=request.auth, group_id=group_id, customer_id=customer_id)
    return Status(204, None)


# ------------------------------------------------------------------ admission


class AdmissionFilter(Schema):
    model_config = ConfigDict(extra="forbid")
    status: str = Field("", max_length=20)
    customer_id: int | None = None
    before: int | None = Field(None, ge=1)
    limit: int = Field(50, ge=1, le=200)
    # Counting costs up to search.COUNT_CAP index entries, so a client asks for it (first page).
    count: bool = False


@router.get("/admissions", response=AdmissionPage, summary="Admission applications in your scope")
def admission_list(request, filters: Query[AdmissionFilter]):
    if not access_for(request.auth).has(CustomerPerm.CUSTOMER_VIEW):
        raise PermissionDenied()
    rows = AdmissionApplication.objects.select_related("customer", "submitted_by").filter(
        customer__in=selectors.customers_visible_to(request.auth)
    ).order_by("-id")
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.customer_id:
        rows = rows.filter(customer_id=filters.customer_id)
    if filters.before:
        rows = rows.filter(pk__lt=filters.before)
    items = list(rows[: filters.limit + 1])
    more = len(items) > filters.limit
    items = items[: filters.limit]
    return {"items": [admission_out(a) for a in items], "next_before": items[-1].pk if more else None}


@router.post("/customers/{customer_id}/admissions", response={201: AdmissionDetail},
             summary="Open an admission application (draft)")
def admission_create(request, customer_id: int, payload: AdmissionIn):
    data = payload.model_dump()
    application = services.admission_create(actor=request.auth, customer_id=customer_id, **data)
    return Status(201, admission_detail(application))


@router.get("/admissions/{application_id}", response=AdmissionDetail,
            summary="An application with its checklist, reviews and history")
def admission_get(request, application_id: int):
    return admission_detail(_application(request, application_id))


@router.patch("/admissions/{application_id}", response=AdmissionDetail, summary="Edit a draft or returned one")
def admission_update(request, application_id: int, payload: AdmissionPatch):
    data = payload.model_dump(exclude_unset=True)
    application = services.admission_update(actor=request.auth, application_id=application_id, **data)
    return admission_detail(application)


@router.post("/admissions/{application_id}/submit", response=AdmissionDetail)
def admission_submit(request, application_id: int, payload: SubmitIn):
    return admission_detail(services.admission_submit(actor=request.auth, application_id=application_id,
                                                      note=payload.note))


@router.post("/admissions/{application_id}/sales-check", response=AdmissionDetail, summary="Sales pre-check")
def admission_sales_check(request, application_id: int, payload: AdmissionDecisionIn):
    return admission_detail(services.admission_sales_check(actor=request.auth, application_id=application_id,
                                                           approve=payload.approve, comment=payload.comment))


@router.post("/admissions/{application_id}/office-review", response=AdmissionDetail,
             summary="Customer-management office review")
def admission_office_review(request, application_id: int, payload: AdmissionDecisionIn):
    return admission_detail(services.admission_office_review(actor=request.auth, application_id=application_id,
                                                             approve=payload.approve, comment=payload.comment))


@router.post("/admissions/{application_id}/opinions", response=AdmissionDetail, summary="A department's opinion")
def admission_opinion(request, application_id: int, payload: OpinionIn):
    return admission_detail(services.admission_opinion(actor=request.auth, application_id=application_id,
                                                       **payload.model_dump()))


@router.post("/admissions/{application_id}/votes", response=AdmissionDetail, summary="A committee member's vote")
def admission_vote(request, application_id: int, payload: AdmissionDecisionIn):
    return admission_detail(services.admission_vote(actor=request.auth, application_id=application_id,
                                                    approve=payload.approve, comment=payload.comment))


@router.post("/admissions/{application_id}/return", response=AdmissionDetail, summary="Return for correction")
def admission_return(request, application_id: int, payload: CommentIn):
    return admission_detail(services.admission_return(actor=request.auth, application_id=application_id,
                                                      comment=payload.comment))


@router.get("/inbox", response=InboxOut, summary="What waits for me, with counts")
def inbox(request):
    box = selectors.inbox_for(request.auth)
    counts = {kind: qs.count() for kind, qs in box.items()}
    items = []
    for kind, qs in box.items():
        for row in qs[:20]:
            if kind == "licence_expiring":
                items.append({"kind": kind, "object_type": "licence", "object_id": row.pk,
                              "customer_id": row.customer_id, "customer_name": selectors.masked(row.customer, "name"),
                              "status": str(row.valid_to)})
            elif kind == "consent":
                items.append({"kind": kind, "object_type": "consent", "object_id": row.pk,
                              "customer_id": row.customer_id, "customer_name": selectors.masked(row.customer, "name"),
                              "status": row.status})
            else:
                items.append({"kind": kind, "object_type": "admission", "object_id": row.pk,
                              "customer_id": row.customer_id, "customer_name": selectors.masked(row.customer, "name"),
                              "status": row.status})
    return {"counts": counts, "items": items}


class TimelineEntryOut(Schema):
    ts: str
    key: str
    kind: str
    title: str
    detail: str
    actor: str
    url: str


class TimelinePage(Schema):
    entries: list[TimelineEntryOut]
    next_cursor: str | None


class TimelineQuery(Schema):
    kind: list[str] = Field(default_factory=list, max_length=20)
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class OverviewRowOut(Schema):
    label: str
    value: str
    state: str = ""
    url: str = ""


class OverviewCardOut(Schema):
    key: str
    label: str
    url: str
    rows: list[OverviewRowOut]


def _access(request):
    return access_for(request.auth)


@router.get("/customers/{customer_id}/timeline", response={200: TimelinePage, 400: dict, 404: dict},
            summary="Everything that happened to the customer, newest first (kinds filter, keyset cursor)")
def customer_timeline(request, customer_id: int, q: Query[TimelineQuery]):
    customer = selectors.customer_get(user=request.auth, customer_id=customer_id)
    entries, next_cursor = overview.timeline(customer=customer, access=_access(request), kinds=q.kind,
                                             cursor=q.cursor, limit=q.limit)
    return {"entries": [{"ts": e.ts.isoformat(), "key": e.key, "kind": e.kind, "title": e.title, "detail": e.detail,
                         "actor": e.actor, "url": e.url} for e in entries], "next_cursor": next_cursor}


@router.get("/customers/{customer_id}/overview", response={200: list[OverviewCardOut], 404: dict},
            summary="Where we stand with the customer: the summary cards of the customer page")
def customer_overview(request, customer_id: int):
    customer = selectors.customer_get(user=request.auth, customer_id=customer_id)
    cards = overview.cards_for(customer=customer, user=request.auth, access=_access(request),
                               today=timezone.localdate())
    return [{"key": c["key"], "label": str(c["label"]), "url": c.get("url", ""),
             "rows": [{"label": str(r["label"]), "value": str(r["value"]), "state": r.get("state", ""),
                       "url": r.get("url", "")} for r in c["rows"]]} for c in cards]
