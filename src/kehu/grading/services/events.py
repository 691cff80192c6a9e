"""Litigation and disqualifying events that feed the knock-outs (G-8) and the exit rule (G-9)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.core.audit import audit_record
from kehu.core.errors import InvalidInput
from kehu.core.inputs import day
from kehu.core.models import User
from kehu.customers.selectors import customer_get
from kehu.grading.events import GradingEvent
from kehu.grading.models import CustomerEvent, EventKind
from kehu.grading.permissions import GradingPerm


@transaction.atomic
def event_record(*, actor: User | None, customer_id: Any, kind: Any, occurred_on: Any, note: Any = "") -> CustomerEvent:
    try:
        cid = int(customer_id)
    except (TypeError, ValueError):
        raise InvalidInput(_("Unknown customer."), field="customer_id") from None
    customer = customer_get(user=actor, customer_id=cid, perm=GradingPerm.RECORD_EVENT, lock=True)
    if kind not in EventKind.values:
        raise InvalidInput(_("Unknown event kind."), field="kind")
    when = day(occurred_on, "occurred_on")
    if when is None:
        raise InvalidInput(_("Give the date of the event."), field="occurred_on")
    note = note.strip()[:500] if isinstance(note, str) else ""
    row = CustomerEvent.objects.create(customer=customer, kind=kind, occurred_on=when, note=note,
                                       recorded_by=actor if actor is not None and actor.pk else None)
    audit_record(actor=actor, event_code=GradingEvent.EVENT_RECORDED, object_type="customer_event", object_id=row.pk,
                 customer_id=customer.pk, new={"kind": kind, "occurred_on": when.isoformat()})
    return row
