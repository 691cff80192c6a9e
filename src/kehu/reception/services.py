"""Writes of the reception: one transaction each, the visit row locked, an audit row and a history row
beside it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.audit import audit_record
from kehu.core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    SelfApprovalNotAllowed,
)
from kehu.core.inputs import choice, day, text
from kehu.core.models import User
from kehu.core.params import get_param
from kehu.core.selectors import access_for, calendar_for
from kehu.customers.selectors import customer_get
from kehu.outbox.services import message_enqueue

from . import permissions as P
from . import rules
from .errors import ChecklistIncomplete, OutsideReceptionHours
from .events import ReceptionEvent as E
from .models import SafetyCheckItem, SafetyCheckRecord, Visit, VisitEvent, VisitorKind, VisitState
from .selectors import notes_visible, visit_get


def _moment(value, field: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value or ""))
        except ValueError:
            raise InvalidInput(_("%(field)s must be a date and time (YYYY-MM-DDTHH:MM).") % {"field": field},
                               field=field) from None
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment)
    return moment


def _minutes(value, field: str, *, on) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(field=field, code="not_a_number") from None
    if not 1 <= minutes <= int(get_param("reception.max_stay_minutes", on=on)):
        raise InvalidInput(field=field, code="out_of_range")
    return minutes


def _history(visit: Visit, *, actor, old: str, note: str = "", now: datetime) -> None:
    VisitEvent.objects.create(visit=visit, at=now, actor=actor, from_state=old, to_state=visit.state, note=note[:300])
    audit_record(actor=actor, event_code=E.VISIT_TRANSITION, object_type="reception.visit", object_id=visit.pk,
                 customer_id=visit.customer_id, old={"state": old}, new={"state": visit.state, "note": note[:300]})


def _checklist_items(on) -> list[str]:
    return [str(i) for i in get_param("reception.vip_checklist", on=on)]


@transaction.atomic
def visit_book(*, actor, visitor_kind: str, visitor_name: str, purpose: str, scheduled_start,
               expected_minutes, host_id: int | None = None, visitor_phone: str = "", visitor_email: str = "",
               visitor_organisation: str = "", customer_id: int | None = None, vip: bool = False,
               confidential: bool = False, requested_by_visitor: bool = False, now: datetime | None = None) -> Visit:
    """Book a visit (V-4 step 1). Inside reception hours on the business calendar a staff booking is
    scheduled at once; a visitor's request waits for confirmation, and a slot outside hours for a manager's
    approval (V-2)."""
    now = now or timezone.now()
    access = access_for(actor)
    if not access.has(P.HANDLE):
        raise PermissionDenied()
    kind = choice(visitor_kind, "visitor_kind", list(VisitorKind.values))
    start = _moment(scheduled_start, "scheduled_start")
    minutes = _minutes(expected_minutes, "expected_minutes", on=timezone.localdate(now))
    if start < now - timedelta(hours=1):
        raise InvalidInput(field="scheduled_start", code="in_the_past")
    host = actor
    if host_id not in (None, "", actor.pk):
        host = User.objects.filter(pk=host_id, is_active=True).select_related("org_unit").first()
        if host is None or host.org_unit is None or not access.reaches(P.HANDLE, org_path=host.org_unit.path):
            raise InvalidInput(field="host_id", code="unknown_host")
    if host.org_unit is None:
        raise InvalidInput(field="host_id", code="host_without_org_unit")
    org_path = host.org_unit.path
    if not access.reaches(P.HANDLE, org_path=org_path):
        raise NotFound()
    customer = None
    if customer_id not in (None, ""):
        customer = customer_get(user=actor, customer_id=int(customer_id), perm=P.HANDLE)
    elif kind == VisitorKind.CUSTOMER:
        raise InvalidInput(field="customer_id", code="required")
    inside = rules.within_reception_hours(start, minutes, calendar_for(org_path))
    visit = Visit(
        org_path=org_path, visitor_kind=kind, visitor_name=text(visitor_name, "visitor_name", max_length=60,
                                                                 required=True),
        visitor_phone=text(visitor_phone, "visitor_phone", max_length=20),
        visitor_email=text(visitor_email, "visitor_email", max_length=254),
        visitor_organisation=text(visitor_organisation, "visitor_organisation", max_length=200),
        customer=customer, purpose=text(purpose, "purpose", max_length=300, required=True), scheduled_start=start,
        expected_minutes=minutes, host=host, vip=bool(vip), confidential=bool(confidential),
        requested_by_visitor=bool(requested_by_visitor), outside_hours=not inside, created_by=actor, created_at=now,
        state=VisitState.SCHEDULED if inside and not requested_by_visitor else VisitState.REQUESTED,
        vip_checklist={item: False for item in _checklist_items(timezone.localdate(now))} if vip else {})
    visit.save()
    VisitEvent.objects.create(visit=visit, at=now, actor=actor, to_state=visit.state,
                              note="outside_hours" if not inside else "")
    audit_record(actor=actor, event_code=E.VISIT_BOOKED, object_type="reception.visit", object_id=visit.pk,
                 customer_id=visit.customer_id, new={"state": visit.state, "start": start.isoformat(),
                                                     "minutes": minutes, "outside_hours": not inside,
                                                     "vip": visit.vip, "confidential": visit.confidential})
    return visit


@transaction.atomic
def visit_schedule(*, actor, visit_id: int, now: datetime | None = None) -> Visit:
    """Confirm a requested visit. A slot outside reception hours needs a manager (``reception.approve``)
    other than the one who booked it."""
    now = now or timezone.now()
    visit = visit_get(user=actor, visit_id=visit_id, perm=P.HANDLE, lock=True)
    if not rules.can_transition(visit.state, VisitState.SCHEDULED):
        raise InvalidTransition()
    if visit.outside_hours:
        if not access_for(actor).reaches(P.APPROVE, org_path=visit.org_path):
            raise OutsideReceptionHours()
        if visit.created_by_id == actor.pk:
            raise SelfApprovalNotAllowed()
        visit.approved_by = actor
        audit_record(actor=actor, event_code=E.VISIT_APPROVED, object_type="reception.visit", object_id=visit.pk,
                     customer_id=visit.customer_id, new={"start": visit.scheduled_start.isoformat()})
    old, visit.state = visit.state, VisitState.SCHEDULED
    visit.save(update_fields=["state", "approved_by"])
    _history(visit, actor=actor, old=old, now=now)
    return visit


@transaction.atomic
def visit_check_in(*, actor, visit_id: int, expected_minutes=None, now: datetime | None = None) -> Visit:
    """V-4 step 3: register on arrival (name, purpose, expected length of stay, host, reception staff)."""
    now = now or timezone.now()
    visit = visit_get(user=actor, visit_id=visit_id, perm=P.HANDLE, lock=True)
    if not rules.can_transition(visit.state, VisitState.CHECKED_IN):
        raise InvalidTransition()
    if expected_minutes not in (None, ""):
        visit.expected_minutes = _minutes(expected_minutes, "expected_minutes", on=timezone.localdate(now))
    old = visit.state
    visit.state, visit.checked_in_at, visit.reception_user = VisitState.CHECKED_IN, now, actor
    visit.save(update_fields=["state", "checked_in_at", "reception_user", "expected_minutes"])
    _history(visit, actor=actor, old=old, now=now)
    return visit


@transaction.atomic
def visit_transition(*, actor, visit_id: int, to: str, note: str = "", now: datetime | None = None) -> Visit:
    """Meeting start, check-out, cancellation, no-show and closing (check-in has its own service)."""
    now = now or timezone.now()
    to = choice(to, "to", [VisitState.IN_MEETING, VisitState.CHECKED_OUT, VisitState.CANCELLED,
                           VisitState.NO_SHOW, VisitState.CLOSED])
    visit = visit_get(user=actor, visit_id=visit_id, perm=P.HANDLE, lock=True)
    if not rules.can_transition(visit.state, to):
        raise InvalidTransition()
    if to == VisitState.CHECKED_OUT and visit.vip:
        missing = rules.checklist_missing(visit.vip_checklist, _checklist_items(timezone.localdate(now)))
        if missing:
            raise ChecklistIncomplete(problems=missing)
    if to == VisitState.IN_MEETING:
        visit.meeting_started_at = now
    if to == VisitState.CHECKED_OUT:
        visit.checked_out_at = now
    old, visit.state = visit.state, to
    visit.save(update_fields=["state", "meeting_started_at", "checked_out_at"])
    _history(visit, actor=actor, old=old, note=text(note, "note", max_length=300), now=now)
    return visit


@transaction.atomic
def visit_mark_surveyed(*, visit_id: int, now: datetime) -> None:
    """The survey was sent (called by the surveys app as the system)."""
    visit = Visit.objects.select_for_update().get(pk=visit_id)
    if rules.can_transition(visit.state, VisitState.SURVEYED):
        old, visit.state = visit.state, VisitState.SURVEYED
        visit.save(update_fields=["state"])
        _history(visit, actor=None, old=old, note="survey_sent", now=now)


@transaction.atomic
def visit_close_answered(*, visit_id: int, now: datetime) -> None:
    """The visitor answered the survey: the visit is closed (called by the surveys app as the system)."""
    visit = Visit.objects.select_for_update().get(pk=visit_id)
    if rules.can_transition(visit.state, VisitState.CLOSED):
        old, visit.state = visit.state, VisitState.CLOSED
        visit.save(update_fields=["state"])
        _history(visit, actor=None, old=old, note="survey_answered", now=now)


@transaction.atomic
def visit_tick(*, actor, visit_id: int, item: str, done: bool = True, now: datetime | None = None) -> Visit:
    """Tick (or untick) an item of the VIP checklist (V-5)."""
    now = now or timezone.now()
    visit = visit_get(user=actor, visit_id=visit_id, perm=P.HANDLE, lock=True)
    if not visit.vip:
        raise InvalidInput(field="item", code="not_vip")
    item = choice(item, "item", list(visit.vip_checklist) or _checklist_items(timezone.localdate(now)))
    if visit.state in rules.FINISHED:
        raise InvalidTransition()
    visit.vip_checklist = {**visit.vip_checklist, item: bool(done)}
    visit.save(update_fields=["vip_checklist"])
    audit_record(actor=actor, event_code=E.VISIT_CHECKLIST, object_type="reception.visit", object_id=visit.pk,
                 customer_id=visit.customer_id, new={"item": item, "done": bool(done)})
    return visit


@transaction.atomic
def visit_notes_set(*, actor, visit_id: int, notes: str, now: datetime | None = None) -> Visit:
    """Meeting notes; those of a confidential negotiation only by whoever may read them (S2 §4(4))."""
    visit = visit_get(user=actor, visit_id=visit_id, perm=P.HANDLE, lock=True)
    if not notes_visible(actor, visit):
        raise PermissionDenied()
    visit.meeting_notes = text(notes, "notes", max_length=10000)
    visit.save(update_fields=["meeting_notes"])
    # the audit row says that the notes changed, never what they say (trade secrets)
    audit_record(actor=actor, event_code=E.VISIT_NOTES, object_type="reception.visit", object_id=visit.pk,
                 customer_id=visit.customer_id, new={"length": len(visit.meeting_notes)})
    return visit


def visits_purge(*, now: datetime | None = None, batch_size: int = 500) -> dict:
    """V-9: erase the registration data of finished visits not linked to a customer once the retention
    period has passed. Batches of one transaction each; a killed run is simply run again."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = int(get_param("reception.registration_retention_days", on=today))
    # visits of days strictly before (today - retention): the same cut as rules.purge_due
    cutoff = datetime.combine(today - timedelta(days=days), time(0), timezone.get_current_timezone())
    purged = 0
    while True:
        with transaction.atomic():
            rows = list(Visit.objects.select_for_update().filter(
                customer__isnull=True, purged_at__isnull=True, state__in=rules.FINISHED,
                scheduled_start__lt=cutoff).order_by("pk")[:batch_size])
            due = [v for v in rows if rules.purge_due(
                linked_to_customer=False, state=v.state, visit_day=timezone.localdate(v.scheduled_start),
                today=today, retention_days=days)]
            if not due:
                break
            Visit.objects.filter(pk__in=[v.pk for v in due]).update(
                visitor_name="", visitor_phone="", visitor_email="", visitor_organisation="", meeting_notes="",
                purged_at=now)
            VisitEvent.objects.filter(visit_id__in=[v.pk for v in due]).update(note="")
            audit_record(actor=None, event_code=E.VISITS_PURGED, object_type="reception.visit",
                         new={"count": len(due), "first": due[0].pk, "last": due[-1].pk, "retention_days": days})
            purged += len(due)
    return {"purged": purged}


# ------------------------------------------------------------------------------ safety checks (V-7)

@transaction.atomic
def safety_item_create(*, actor, name: str, first_due_on, interval_months=None, responsible_id: int | None = None,
                       now: datetime | None = None) -> SafetyCheckItem:
    now = now or timezone.now()
    access = access_for(actor)
    if not access.has(P.HANDLE) or actor.org_unit is None:
        raise PermissionDenied()
    months = interval_months if interval_months not in (None, "") else \
        get_param("reception.safety_check_interval_months", on=timezone.localdate(now))
    try:
        months = int(months)
    except (TypeError, ValueError):
        raise InvalidInput(field="interval_months", code="not_a_number") from None
    if not 1 <= months <= 24:
        raise InvalidInput(field="interval_months", code="out_of_range")
    item = SafetyCheckItem.objects.create(
        org_path=actor.org_unit.path, name=text(name, "name", max_length=120, required=True),
        interval_months=months, next_due_on=day(first_due_on, "first_due_on", required=True),
        responsible_id=responsible_id or actor.pk)
    audit_record(actor=actor, event_code=E.SAFETY_ITEM_CREATED, object_type="reception.safety_item",
                 object_id=item.pk, new={"name": item.name, "interval_months": months,
                                         "next_due_on": item.next_due_on})
    return item


@transaction.atomic
def safety_check_record(*, actor, item_id: int, done_on, passed: bool, notes: str = "",
                        now: datetime | None = None) -> SafetyCheckRecord:
    now = now or timezone.now()
    access = access_for(actor)
    if not access.has(P.HANDLE):
        raise PermissionDenied()
    item = SafetyCheckItem.objects.select_for_update().filter(pk=item_id, active=True).first()
    if item is None or not access.reaches(P.HANDLE, org_path=item.org_path):
        raise NotFound()
    done = day(done_on, "done_on", required=True)
    if done > timezone.localdate(now):
        raise InvalidInput(field="done_on", code="in_the_future")
    record = SafetyCheckRecord.objects.create(item=item, done_on=done, by=actor, passed=bool(passed),
                                              notes=text(notes, "notes", max_length=500), recorded_at=now)
    item.next_due_on, item.alerted_for = rules.add_months(done, item.interval_months), None
    item.save(update_fields=["next_due_on", "alerted_for"])
    audit_record(actor=actor, event_code=E.SAFETY_CHECK_RECORDED, object_type="reception.safety_item",
                 object_id=item.pk, new={"done_on": done, "passed": record.passed, "next_due_on": item.next_due_on})
    return record


def safety_overdue_scan(*, now: datetime | None = None) -> dict:
    """V-7: alert once per due date for each check not done by its due date: an audit row, and an e-mail
    to the responsible person through the outbox when they have an address."""

    now = now or timezone.now()
    today = timezone.localdate(now)
    alerted = 0
    for pk in list(SafetyCheckItem.objects.filter(active=True, next_due_on__lt=today).values_list("pk", flat=True)):
        with transaction.atomic():
            item = SafetyCheckItem.objects.select_for_update().get(pk=pk)
            if item.alerted_for == item.next_due_on or item.next_due_on >= today:
                continue
            item.alerted_for = item.next_due_on
            item.save(update_fields=["alerted_for"])
            audit_record(actor=None, event_code=E.SAFETY_CHECK_OVERDUE, object_type="reception.safety_item",
                         object_id=item.pk, new={"name": item.name, "due_on": item.next_due_on})
            responsible = User.objects.filter(pk=item.responsible_id).first() if item.responsible_id else None
            if responsible is not None and responsible.email:
                message_enqueue(channel="email", to=responsible.email,
                                subject=str(_("Safety check overdue: %(name)s") % {"name": item.name}),
                                body=str(_("The safety check \"%(name)s\" was due on %(due)s and is not recorded "
                                           "yet.") % {"name": item.name, "due": item.next_due_on}),
                                purpose="reception.safety_overdue", related_type="reception.safety_item",
                                related_id=item.pk, now=now)
            alerted += 1
    return {"alerted": alerted}
