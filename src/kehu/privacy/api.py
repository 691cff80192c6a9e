"""REST API of personal-information protection (PIPL; domain spec 10.3, PI-1..PI-8).

Thin: parse, check scope (``kehu.core.access.require`` through the selectors), call one service, present.
Customer names are masked; only the access/copy export of a verified request holds the person's data in clear
(that is its purpose, PIPL Art.45), and it is audited. Errors are mapped to ``{"code", "message"}`` in
``kehu/api.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from kehu.core.errors import PermissionDenied
from kehu.customers.selectors import masked

from . import selectors, services
from .models import Consent, DataSubjectRequest, RequestKind

router = Router(tags=["privacy"])

CODE = r"^[A-Za-z0-9_.-]+$"


# ------------------------------------------------------------------------------- notices and the register


class PrivacyNoticeOut(Schema):
    id: int
    version: str
    effective_from: date
    in_force: bool
    content: str


class PersonalFieldOut(Schema):
    model: str
    field: str
    sensitive: bool
    jr0171_class: str


class ProcessingPurposeOut(Schema):
    code: str
    name: str
    legal_basis: str
    legal_basis_label: str
    essential: bool
    description: str
    fields: list[PersonalFieldOut]


def _require_register_reader(user) -> None:
    if not selectors.may_read_register(user):
        raise PermissionDenied()


@router.get("/privacy/notices", response=list[PrivacyNoticeOut],
            summary="Privacy notice versions (PI-4), newest first; the one in force is marked")
def privacy_notice_list(request):
    _require_register_reader(request.auth)
    current = services.notice_current()
    return [{"id": n.pk, "version": n.version, "effective_from": n.effective_from,
             "in_force": current is not None and n.pk == current.pk, "content": n.content}
            for n in selectors.notices()[:200]]


@router.get("/privacy/purposes", response=list[ProcessingPurposeOut],
            summary="The register of processing purposes (PI-1) with the personal fields tied to each")
def privacy_purpose_list(request):
    _require_register_reader(request.auth)
    return [{"code": p.code, "name": p.name, "legal_basis": p.legal_basis,
             "legal_basis_label": str(p.get_legal_basis_display()), "essential": p.essential,
             "description": p.description,
             "fields": [{"model": f.model, "field": f.field, "sensitive": f.sensitive, "jr0171_class": f.jr0171_class}
                        for f in sorted(p.fields.all(), key=lambda f: (f.model, f.field))]}
            for p in selectors.purpose_register()]


# ------------------------------------------------------------------------------------------- consents


class PrivacyConsentOut(Schema):
    id: int
    customer_id: int
    purpose: str
    purpose_name: str
    notice_version: str
    kind: str
    channel: str
    given_at: datetime
    withdrawn_at: datetime | None
    live: bool
    recorded_by: str | None


class PrivacyConsentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    customer_id: int
    purpose: str = Field(min_length=1, max_length=64, pattern=CODE)
    channel: Literal["paper", "counter", "phone", "online"]
    separate: bool = Field(False, description="Separate consent, needed for a purpose that covers sensitive "
                                              "personal information (PI-6, PIPL Art.29)")


def consent_out(consent: Consent) -> dict:
    return {"id": consent.pk, "customer_id": consent.customer_id, "purpose": consent.purpose.code,
            "purpose_name": consent.purpose.name, "notice_version": consent.notice.version, "kind": consent.kind,
            "channel": consent.channel, "given_at": consent.given_at, "withdrawn_at": consent.withdrawn_at,
            "live": consent.withdrawn_at is None,
            "recorded_by": consent.recorded_by.username if consent.recorded_by else None}


@router.get("/customers/{customer_id}/privacy-consents", response=list[PrivacyConsentOut],
            summary="A customer's consents per processing purpose, live and withdrawn (PI-2, PI-3)")
def privacy_consent_list(request, customer_id: int):
    return [consent_out(c) for c in selectors.consents_of_customer(user=request.auth, customer_id=customer_id)[:500]]


@router.post("/privacy/consents", response={201: PrivacyConsentOut},
             summary="Record a consent to one purpose under the notice in force (a live one for that notice is kept)")
def privacy_consent_give(request, payload: PrivacyConsentIn):
    consent = services.consent_give(actor=request.auth, customer_id=payload.customer_id, purpose_code=payload.purpose,
                                    channel=payload.channel, separate=payload.separate)
    return Status(201, consent_out(consent))


@router.post("/privacy/consents/{consent_id}/withdraw", response=PrivacyConsentOut,
             summary="Withdraw a consent (at any time, PIPL Art.15); withdrawing twice changes nothing")
def privacy_consent_withdraw(request, consent_id: int):
    return consent_out(services.consent_withdraw(actor=request.auth, consent_id=consent_id))


# ------------------------------------------------------------------------------- data-subject requests


class DataSubjectRequestOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    channel: str
    detail: str
    received_at: datetime
    due_at: datetime
    cap_at: datetime
    overdue: bool
    verified_at: datetime | None
    verification: str
    closed_at: datetime | None
    outcome: str
    reason: str
    exportable: bool


class DataSubjectRequestIn(Schema):
    model_config = ConfigDict(extra="forbid")
    customer_id: int
    kind: Literal["access", "correction", "deletion", "explanation"]
    channel: Literal["paper", "counter", "phone", "online"]
    detail: str = Field("", max_length=4000)


class PrivacyRequestVerifyIn(Schema):
    model_config = ConfigDict(extra="forbid")
    verification: str = Field(min_length=1, max_length=200, description="How the person's identity was verified")


class PrivacyRequestCompleteIn(Schema):
    model_config = ConfigDict(extra="forbid")
    outcome: str = Field(min_length=1, max_length=4000)


class PrivacyRequestRefuseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=4000, description="The reasons, told to the person (PIPL Art.50)")


class PrivacyRequestListQuery(Schema):
    state: Literal["open", "closed", "all"] = "open"
    limit: int = Field(100, ge=1, le=500)


def request_out(r: DataSubjectRequest, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    is_open = r.state in ("received", "verified")
    return {"id": r.pk, "customer_id": r.customer_id, "customer_name": masked(r.customer, "name"), "kind": r.kind,
            "kind_label": str(r.get_kind_display()), "state": r.state, "state_label": str(r.get_state_display()),
            "channel": r.channel, "detail": r.detail, "received_at": r.received_at, "due_at": r.due_at,
            "cap_at": r.cap_at, "overdue": is_open and r.due_at < now, "verified_at": r.verified_at,
            "verification": r.verification, "closed_at": r.closed_at, "outcome": r.outcome, "reason": r.reason,
            "exportable": r.kind == RequestKind.ACCESS and r.state in ("verified", "done")}


@router.post("/privacy/requests", response={201: DataSubjectRequestOut},
             summary="Take a data-subject request from the person (PI-8); due in 15 working days, at most 30 days")
def privacy_request_create(request, payload: DataSubjectRequestIn):
    received = services.request_receive(actor=request.auth, customer_id=payload.customer_id, kind=payload.kind,
                                        channel=payload.channel, detail=payload.detail)
    return Status(201, request_out(received))


@router.get("/privacy/requests", response=list[DataSubjectRequestOut],
            summary="Data-subject requests of customers in scope: open (soonest due first), closed or all")
def privacy_request_list(request, query: Query[PrivacyRequestListQuery]):
    now = timezone.now()
    rows = selectors.requests_visible(request.auth, state=query.state)[:query.limit]
    return [request_out(r, now) for r in rows]


@router.get("/privacy/requests/{request_id}", response=DataSubjectRequestOut, summary="One data-subject request")
def privacy_request_get(request, request_id: int):
    return request_out(selectors.request_get(user=request.auth, request_id=request_id))


@router.post("/privacy/requests/{request_id}/verify", response=DataSubjectRequestOut,
             summary="Record that the requester's identity was verified")
def privacy_request_verify(request, request_id: int, payload: PrivacyRequestVerifyIn):
    return request_out(services.request_verify(actor=request.auth, request_id=request_id,
                                               verification=payload.verification))


@router.post("/privacy/requests/{request_id}/complete", response=DataSubjectRequestOut,
             summary="Answer a verified request with its outcome (a deletion erases, or restricts under a legal hold)")
def privacy_request_complete(request, request_id: int, payload: PrivacyRequestCompleteIn):
    return request_out(services.request_complete(actor=request.auth, request_id=request_id,
                                                 outcome=payload.outcome))


@router.post("/privacy/requests/{request_id}/refuse", response=DataSubjectRequestOut,
             summary="Refuse a request, stating the reasons")
def privacy_request_refuse(request, request_id: int, payload: PrivacyRequestRefuseIn):
    return request_out(services.request_refuse(actor=request.auth, request_id=request_id, reason=payload.reason))


@router.get("/privacy/requests/{request_id}/export",
            summary="Access and copy (PIPL Art.45): everything held about the person, as readable JSON (audited)")
def privacy_request_export(request, request_id: int):
    data = services.request_export(actor=request.auth, request_id=request_id)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{request_id}.json"'
    response["Cache-Control"] = "no-store"
    return response
