"""REST API of the reception. Thin: parse, call one service, present (personal data masked)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from kehu.core.rules import mask_name

from . import selectors, services
from .models import SafetyCheckItem, Visit

router = Router(tags=["reception"])


class VisitIn(Schema):
    model_config = ConfigDict(extra="forbid")
    visitor_kind: str
    visitor_name: str = Field(max_length=60)
    purpose: str = Field(max_length=300)
    scheduled_start: datetime
    expected_minutes: int
    host_id: int | None = None
    visitor_phone: str = Field("", max_length=20)
    visitor_email: str = Field("", max_length=254)
    visitor_organisation: str = Field("", max_length=200)
    customer_id: int | None = None
    vip: bool = False
    confidential: bool = False
    requested_by_visitor: bool = False


class VisitOut(Schema):
    id: int
    state: str
    visitor_kind: str
    visitor_name: str
    visitor_organisation: str
    customer_id: int | None
    purpose: str
    scheduled_start: datetime
    expected_minutes: int
    host_id: int
    reception_user_id: int | None
    outside_hours: bool
    approved_by_id: int | None
    vip: bool
    vip_checklist: dict
    confidential: bool
    meeting_notes: str | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    overstayed: bool = False


class CheckInIn(Schema):
    model_config = ConfigDict(extra="forbid")
    expected_minutes: int | None = None


class VisitTransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    to: str = Field(max_length=16)
    note: str = Field("", max_length=300)


class TickIn(Schema):
    model_config = ConfigDict(extra="forbid")
    item: str = Field(max_length=32)
    done: bool = True


class NotesIn(Schema):
    model_config = ConfigDict(extra="forbid")
    notes: str = Field(max_length=10000)


class SafetyItemIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=120)
    first_due_on: date
    interval_months: int | None = None


class SafetyItemOut(Schema):
    id: int
    name: str
    interval_months: int
    next_due_on: date
    overdue: bool


class SafetyRecordIn(Schema):
    model_config = ConfigDict(extra="forbid")
    done_on: date
    passed: bool
    notes: str = Field("", max_length=500)


def visit_out(visit: Visit, user) -> dict:
    return {
        "id": visit.pk, "state": visit.state, "visitor_kind": visit.visitor_kind,
        "visitor_name": mask_name(visit.visitor_name), "visitor_organisation": visit.visitor_organisation,
        "customer_id": visit.customer_id, "purpose": visit.purpose, "scheduled_start": visit.scheduled_start,
        "expected_minutes": visit.expected_minutes, "host_id": visit.host_id,
        "reception_user_id": visit.reception_user_id, "outside_hours": visit.outside_hours,
        "approved_by_id": visit.approved_by_id, "vip": visit.vip, "vip_checklist": visit.vip_checklist,
        "confidential": visit.confidential,
        "meeting_notes": visit.meeting_notes if selectors.notes_visible(user, visit) else None,
        "checked_in_at": visit.checked_in_at, "checked_out_at": visit.checked_out_at,
        "overstayed": bool(getattr(visit, "overstayed", False)),
    }


@router.post("/reception/visits", response={201: VisitOut})
def book(request, payload: VisitIn):
    visit = services.visit_book(actor=request.auth, **payload.dict())
    return Status(201, visit_out(visit, request.auth))


@router.get("/reception/visits", response=list[VisitOut])
def visits(request, day: date | None = None, state: str | None = Query(None, max_length=16)):
    return [visit_out(v, request.auth) for v in selectors.visit_list(user=request.auth, day=day, state=state)[:500]]


@router.get("/reception/visits/{visit_id}", response=VisitOut)
def visit(request, visit_id: int):
    return visit_out(selectors.visit_get(user=request.auth, visit_id=visit_id), request.auth)


@router.post("/reception/visits/{visit_id}/schedule", response=VisitOut)
def schedule(request, visit_id: int):
    return visit_out(services.visit_schedule(actor=request.auth, visit_id=visit_id), request.auth)


@router.post("/reception/visits/{visit_id}/check-in", response=VisitOut)
def check_in(request, visit_id: int, payload: CheckInIn):
    return visit_out(services.visit_check_in(actor=request.auth, visit_id=visit_id,
                                             expected_minutes=payload.expected_minutes), request.auth)


@router.post("/reception/visits/{visit_id}/transition", response=VisitOut)
def transition(request, visit_id: int, payload: VisitTransitionIn):
    return visit_out(services.visit_transition(actor=request.auth, visit_id=visit_id, to=payload.to,
                                               note=payload.note), request.auth)


@router.post("/reception/visits/{visit_id}/checklist", response=VisitOut)
def tick(request, visit_id: int, payload: TickIn):
    return visit_out(services.visit_tick(actor=request.auth, visit_id=visit_id, item=payload.item,
                                         done=payload.done), request.auth)


@router.put("/reception/visits/{visit_id}/notes", response=VisitOut)
def notes(request, visit_id: int, payload: NotesIn):
    return visit_out(services.visit_notes_set(actor=request.auth, visit_id=visit_id, notes=payload.notes),
                     request.auth)


@router.get("/reception/desk", response=dict)
def desk(request, day: date | None = None):
    now = timezone.now()
    data = selectors.desk_day(user=request.auth, day=day or timezone.localdate(now), now=now)
    return {key: [visit_out(v, request.auth) for v in rows] for key, rows in data.items()}


def _item_out(item: SafetyCheckItem) -> dict:
    return {"id": item.pk, "name": item.name, "interval_months": item.interval_months,
            "next_due_on": item.next_due_on, "overdue": item.next_due_on < timezone.localdate()}


@router.get("/reception/safety-checks", response=list[SafetyItemOut])
def safety_list(request):
    return [_item_out(i) for i in selectors.safety_items(user=request.auth)]


@router.post("/reception/safety-checks", response={201: SafetyItemOut})
def safety_create(request, payload: SafetyItemIn):
    return Status(201, _item_out(services.safety_item_create(actor=request.auth, **payload.dict())))


@router.post("/reception/safety-checks/{item_id}/records", response={201: SafetyItemOut})
def safety_record(request, item_id: int, payload: SafetyRecordIn):
    record = services.safety_check_record(actor=request.auth, item_id=item_id, **payload.dict())
    return Status(201, _item_out(record.item))
