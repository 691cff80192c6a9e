"""Manual grade overrides (G-8): a reason, at most one step, a second approver, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.access import require
from kehu.core.audit import audit_record
from kehu.core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    SelfApprovalNotAllowed,
)
from kehu.core.models import User
from kehu.core.params import get_param
from kehu.core.periods import parse_period
from kehu.customers.models import Customer
from kehu.grading import rules
from kehu.grading.events import GradingEvent
from kehu.grading.models import GradeOverride, GradeResult, OverrideStatus
from kehu.grading.permissions import GradingPerm
from kehu.grading.services._common import require_text


def _check(actor: User | None, org_path: str, perm: str) -> None:
    """404 outside every grant of the user, 403 when only the permission is missing."""
    require(actor, perm, view=GradingPerm.VIEW, org_path=org_path)


def _result(customer_id: Any, period: Any) -> GradeResult:
    try:
        cid = int(customer_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    row = GradeResult.objects.filter(customer_id=cid, period=parse_period(period)).first()
    if row is None:
        raise NotFound()
    return row


@transaction.atomic
def override_request(*, actor: User, customer_id: Any, period: Any, to_grade: Any, reason: Any) -> GradeOverride:
    result = _result(customer_id, period)
    _check(actor, result.org_path, GradingPerm.OVERRIDE_REQUEST)
    if to_grade not in rules.GRADES:
        raise InvalidInput(_("The grade must be one of A, B, C, D, E."), field="to_grade")
    reason = require_text(reason, "reason")
    max_steps = int(get_param("grading.override_max_steps"))
    if not rules.override_allowed(result.grade, to_grade, max_steps=max_steps):
        raise InvalidInput(_("An override changes the grade by one step at most (%(g)s now).") % {"g": result.grade},
                           field="to_grade")
    if GradeOverride.objects.select_for_update().filter(
            customer_id=result.customer_id, period=result.period,
            status__in=[OverrideStatus.PENDING, OverrideStatus.APPROVED]).exists():
        raise InvalidTransition(_("This grade already has an override pending or approved."))
    row = GradeOverride.objects.create(customer_id=result.customer_id, period=result.period, org_path=result.org_path,
                                       from_grade=result.grade, to_grade=to_grade, reason=reason, requested_by=actor)
    audit_record(actor=actor, event_code=GradingEvent.OVERRIDE_REQUESTED, object_type="grade_override",
                 object_id=row.pk, customer_id=result.customer_id, reason=reason,
                 new={"period": result.period.isoformat(), "from": result.grade, "to": to_grade})
    return row


@transaction.atomic
def override_decide(*, actor: User, override_id: Any, approve: bool, note: Any = "") -> GradeOverride:
    try:
        row = GradeOverride.objects.select_for_update().get(pk=int(override_id))
    except (TypeError, ValueError, GradeOverride.DoesNotExist):
        raise NotFound() from None
    _check(actor, row.org_path, GradingPerm.OVERRIDE_APPROVE)
    if row.status != OverrideStatus.PENDING:
        raise InvalidTransition(_("This override was already decided."))
    if row.requested_by_id == actor.pk:
        raise SelfApprovalNotAllowed()
    note = note.strip()[:2000] if isinstance(note, str) else ""
    if not approve and len(note) < 4:
        raise InvalidInput(_("Give a reason of at least %(n)d characters.") % {"n": 4}, field="note")
    result = GradeResult.objects.select_for_update().get(customer_id=row.customer_id, period=row.period)
    if approve and result.grade != row.from_grade:
        raise InvalidTransition(_("The grade changed since the request; ask again."))
    row.status = OverrideStatus.APPROVED if approve else OverrideStatus.REJECTED
    row.decided_by, row.decided_at, row.decision_note = actor, timezone.now(), note
    row.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        result.grade = row.to_grade
        result.overridden = True
        result.change = rules.grade_change(result.previous_grade, row.to_grade)
        result.save(update_fields=["grade", "overridden", "change"])
        latest = GradeResult.objects.filter(customer_id=row.customer_id).order_by("-period").values_list(
            "period", flat=True).first()
        if latest == row.period:

            Customer.objects.filter(pk=row.customer_id).update(grade=row.to_grade)
    audit_record(actor=actor, event_code=GradingEvent.OVERRIDE_APPROVED if approve else GradingEvent.OVERRIDE_REJECTED,
                 object_type="grade_override", object_id=row.pk, customer_id=row.customer_id, reason=note,
                 old={"grade": row.from_grade}, new={"grade": row.to_grade if approve else row.from_grade})
    return row
