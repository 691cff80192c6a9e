"""Writes of customer service. Keyword-only, one transaction each, an audit row in the same transaction."""

from __future__ import annotations

from datetime import date, time

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kehu.core.audit import audit_record
from kehu.core.errors import InvalidInput, NotFound, PermissionDenied
from kehu.core.models import OrgUnit, User
from kehu.core.rules import round_money
from kehu.core.selectors import access_for
from kehu.customers.services._common import amount as parse_amount

from .calendar_rules import CalendarError, WorkCalendar
from .errors import AlreadyRecorded
from .events import ServiceEvent
from .models import CalendarOverride, ReceivableReduction, WorkingHours
from .permissions import ServicePerm


def _unit(actor: User, org_code: str | None) -> OrgUnit | None:
    access = access_for(actor)
    if org_code is None:
        roots = list(OrgUnit.objects.filter(parent__isnull=True).values_list("path", flat=True))
        if not roots or not all(access.reaches(ServicePerm.CALENDAR, org_path=p) for p in roots):
            raise PermissionDenied()  # an organisation-wide override needs the calendar right at every root
        return None
    unit = OrgUnit.objects.filter(code=org_code).first()
    if unit is None:
        raise NotFound()
    if not access.reaches(ServicePerm.CALENDAR, org_path=unit.path):
        raise PermissionDenied()
    return unit


def calendar_override_set(
    *, actor: User, day: date, is_working: bool, org_code: str | None = None, reason: str = ""
) -> CalendarOverride:
    if not access_for(actor).has(ServicePerm.CALENDAR):
        raise PermissionDenied()
    if not isinstance(day, date):
        raise InvalidInput(_("A day is required."), field="day")
    with transaction.atomic():
        unit = _unit(actor, org_code)
        row = CalendarOverride.objects.select_for_update().filter(org_unit=unit, day=day).first()
        old = None if row is None else {"is_working": row.is_working}
        if row is None:
            row = CalendarOverride.objects.create(
                org_unit=unit, day=day, is_working=is_working, reason=reason[:200]
            )
        else:
            row.is_working, row.reason = is_working, reason[:200]
            row.save(update_fields=["is_working", "reason"])
        audit_record(
            actor=actor,
            event_code=ServiceEvent.CALENDAR_OVERRIDE_SET,
            object_type="service.calendaroverride",
            object_id=row.pk,
            old=old,
            new={"day": day.isoformat(), "is_working": is_working, "org": org_code or ""},
            reason=reason,
        )
    return row


def working_hours_set(*, actor: User, org_code: str, sessions: list[list[str]]) -> WorkingHours:
    if not access_for(actor).has(ServicePerm.CALENDAR):
        raise PermissionDenied()
    try:
        parsed = tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in sessions)
        WorkCalendar(sessions=parsed)
    except (CalendarError, ValueError, TypeError) as exc:
        raise InvalidInput(
            _("Working hours must be ordered HH:MM pairs that do not overlap."), field="sessions"
        ) from exc
    clean = [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in parsed]
    with transaction.atomic():
        unit = _unit(actor, org_code)
        row, _created = WorkingHours.objects.select_for_update().get_or_create(
            org_unit=unit, defaults={"sessions": clean}
        )
        old = None if _created else {"sessions": row.sessions}
        row.sessions = clean
        row.save(update_fields=["sessions"])
        audit_record(
            actor=actor,
            event_code=ServiceEvent.WORKING_HOURS_SET,
            object_type="service.workinghours",
            object_id=row.pk,
            old=old,
            new={"sessions": clean, "org": org_code},
        )
    return row


def receivable_reduce(
    *,
    actor: User | None,
    customer_id: int,
    amount,
    currency: str,
    effective_on: date,
    source: str,
    source_ref: str,
) -> ReceivableReduction:
    """Record an approved allowance or credit note against the customer's receivables. Called by the
    approval services of this app inside their own transaction (the approval is the permission)."""
    value = round_money(parse_amount(amount, "reduction_amount", required=True))
    if value <= 0:
        raise InvalidInput(_("The amount must be positive."), field="reduction_amount")
    if source not in ReceivableReduction.Source.values:
        raise InvalidInput(_("Unknown source."), field="source")
    with transaction.atomic():
        if ReceivableReduction.objects.filter(source=source, source_ref=source_ref).exists():
            raise AlreadyRecorded()
        try:
            with transaction.atomic():
                row = ReceivableReduction.objects.create(
                    customer_id=customer_id,
                    reduction_amount=value,
                    currency=currency,
                    effective_on=effective_on,
                    source=source,
                    source_ref=source_ref,
                )
        except IntegrityError as exc:
            raise AlreadyRecorded() from exc
        audit_record(
            actor=actor,
            event_code=ServiceEvent.RECEIVABLE_REDUCED,
            object_type="service.receivablereduction",
            object_id=row.pk,
            customer_id=customer_id,
            new={"amount": str(value), "currency": currency, "source": source, "ref": source_ref},
        )
    return row
