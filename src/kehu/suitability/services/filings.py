"""Filings with the Securities Association (M-1..M-3): due dates on the one business calendar, the plan
filing's six-document checklist, alerts before the due date, and the 20-year retention rule (M-13)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from kehu.core.audit import audit_record
from kehu.core.calendar import is_working_day
from kehu.core.crypto import keyring
from kehu.core.errors import InvalidInput, InvalidTransition, NotFound
from kehu.core.inputs import choice, day, text
from kehu.core.params import get_param
from kehu.core.permissions import Perm
from kehu.core.selectors import calendar_for

from .. import permissions as P
from .. import rules
from ..errors import ChecklistIncomplete, RetentionPeriod
from ..events import SuitabilityEvent as E
from ..models import (
    Filing,
    FilingDocKind,
    FilingDocument,
    FilingKind,
    FilingStatus,
    InvestorProfile,
    ProfessionalDecision,
    ProfileEvidence,
    RiskAssessment,
    Subscription,
    SubscriptionStatusChange,
    SuitabilityCheck,
)
from ..selectors import filing_get, product_get
from ._common import local_day, now_or, require, retain
from .products import _org

_PERIOD = {  # kind -> (parameter, unit parameter or a fixed unit)
    FilingKind.POLICY: ("am.policy_filing_days", None),
    FilingKind.POLICY_CHANGE: ("am.policy_filing_days", None),
    FilingKind.PLAN: ("am.plan_filing_days", None),
    FilingKind.POLICY_LEGACY: ("am.legacy_policy_filing", "months"),
}


def required_documents(kind: str, on) -> list[str]:
    if kind == FilingKind.PLAN:
        return [str(k) for k in get_param("am.plan_filing_documents", on=on)]
    return [FilingDocKind.POLICIES]


def filing_due_date(*, kind: str, trigger, org_path: str):
    """Due date of a filing: the period of its kind counted on the business calendar of the org unit
    (helpdesk's calendar: chinese-calendar holidays, make-up working days and the unit's overrides)."""
    param, unit = _PERIOD[kind]
    amount = int(get_param(param, on=trigger))
    unit = unit or str(get_param("am.filing_day_unit", on=trigger))
    cal = calendar_for(org_path)
    return rules.filing_due(trigger, amount=amount, unit=unit, is_working_day=lambda d: is_working_day(d, cal))


@transaction.atomic
def filing_create(*, actor, kind: str, org_code: str, trigger_date, subject: str, product_id: int | None = None,
                  now: datetime | None = None) -> Filing:
    now = now_or(now)
    require(actor, P.FILING)
    kind = choice(kind, "kind", list(FilingKind.values))
    org = _org(actor, org_code, P.FILING)
    trigger = day(trigger_date, "trigger_date", required=True)
    product = None
    if kind == FilingKind.PLAN:
        if not product_id:
            raise InvalidInput(_("A plan filing names its plan."), field="product_id")
        product = product_get(user=actor, product_id=product_id)
    filing = Filing.objects.create(
        kind=kind, org_unit=org, org_path=org.path, product=product,
        subject=text(subject, "subject", max_length=200, required=True), trigger_date=trigger,
        due_date=filing_due_date(kind=kind, trigger=trigger, org_path=org.path), created_by=actor,
        retain_until=retain(local_day(now)))
    audit_record(actor=actor, event_code=E.FILING_CREATED, object_type="filing", object_id=filing.pk,
                 new={"kind": kind, "trigger": trigger, "due": filing.due_date})
    return filing


def _files_dir():
    path = settings.KEHU_FILES_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


@transaction.atomic
def filing_attach(*, actor, filing_id: int, doc_kind: str, filename: str, data: bytes) -> FilingDocument:
    """Attach one checklist document, encrypted at rest like the customer archive's files."""
    filing = filing_get(user=actor, filing_id=filing_id, perm=P.FILING, lock=True)
    if filing.status != FilingStatus.OPEN:
        raise InvalidTransition(_("The filing is already submitted."))
    doc_kind = choice(doc_kind, "doc_kind", list(FilingDocKind.values))
    if not data:
        raise InvalidInput(_("The file is empty."), field="file")
    if len(data) > settings.KEHU_MAX_UPLOAD_BYTES:
        raise InvalidInput(_("The file is too large."), field="file", code="too_large")
    filename = text(filename.replace("/", "_").replace("\\", "_"), "filename", max_length=255, required=True)
    storage_name = uuid.uuid4().hex
    (_files_dir() / storage_name).write_bytes(keyring().encrypt_bytes(data))
    document = FilingDocument.objects.create(filing=filing, doc_kind=doc_kind, filename=filename, size=len(data),
                                             sha256=hashlib.sha256(data).hexdigest(), storage_name=storage_name,
                                             added_by=actor)
    audit_record(actor=actor, event_code=E.FILING_DOCUMENT_ADDED, object_type="filing", object_id=filing.pk,
                 new={"doc_kind": doc_kind, "filename": filename, "sha256": document.sha256})
    return document


@transaction.atomic
def filing_submit(*, actor, filing_id: int, now: datetime | None = None) -> Filing:
    """Mark a filing submitted; refused while a required document is missing (M-2)."""
    now = now_or(now)
    filing = filing_get(user=actor, filing_id=filing_id, perm=P.FILING, lock=True)
    if filing.status != FilingStatus.OPEN:
        raise InvalidTransition()
    missing = rules.missing_documents(required_documents(filing.kind, local_day(now)),
                                      list(filing.documents.values_list("doc_kind", flat=True)))
    if missing:
        error = ChecklistIncomplete()
        error.problems = missing
        raise error
    filing.status, filing.submitted_at, filing.submitted_by = FilingStatus.SUBMITTED, now, actor
    filing.save(update_fields=["status", "submitted_at", "submitted_by"])
    audit_record(actor=actor, event_code=E.FILING_SUBMITTED, object_type="filing", object_id=filing.pk,
                 new={"submitted_at": now, "late": local_day(now) > filing.due_date})
    return filing


def filing_alerts(*, now: datetime | None = None) -> dict:
    """The daily filing watch (Appendix B am.filing_due): one audited warning when a filing enters the
    warning window, one when it becomes overdue."""
    now = now_or(now)
    today = local_day(now)
    warn = int(get_param("am.filing_warn_days", on=today))
    counts = {"warned": 0, "overdue": 0}
    for pk in Filing.objects.filter(status=FilingStatus.OPEN).values_list("pk", flat=True):
        with transaction.atomic():
            f = Filing.objects.select_for_update().get(pk=pk)
            alert = rules.filing_alert(due=f.due_date, today=today, warn_days_before=warn)
            if alert == "overdue" and f.overdue_at is None:
                f.overdue_at = now
                f.save(update_fields=["overdue_at"])
                audit_record(actor=None, event_code=E.FILING_OVERDUE, object_type="filing", object_id=f.pk,
                             new={"due": f.due_date})
                counts["overdue"] += 1
            elif alert == "due_soon" and f.warned_at is None:
                f.warned_at = now
                f.save(update_fields=["warned_at"])
                audit_record(actor=None, event_code=E.FILING_WARNED, object_type="filing", object_id=f.pk,
                             new={"due": f.due_date})
                counts["warned"] += 1
    return counts


# ------------------------------------------------------------------------------------------- retention

RETAINED = {
    "investor_profile": InvestorProfile, "evidence": ProfileEvidence, "assessment": RiskAssessment,
    "professional_decision": ProfessionalDecision, "subscription": Subscription, "check": SuitabilityCheck,
    "filing": Filing,
}


@transaction.atomic
def record_purge(*, actor, record_type: str, record_id: int, now: datetime | None = None) -> None:
    """Delete a suitability record, only once its retention period (M-13, 20 years) has passed. Related
    rows that are themselves retained keep it alive (the database refuses with PROTECT)."""

    now = now_or(now)
    require(actor, Perm.PARAM_MANAGE)  # only an administrator purges, and only what the rule lets go
    model = RETAINED.get(record_type)
    if model is None:
        raise InvalidInput(_("Unknown record type."), field="record_type")
    row = model.objects.select_for_update().filter(pk=record_id).first()
    if row is None:
        raise NotFound()
    if not rules.may_delete(row.retain_until, local_day(now)):
        raise RetentionPeriod(_("This record is kept until %(d)s (M-13).") % {"d": row.retain_until})
    audit_record(actor=actor, event_code=E.RECORD_PURGED, object_type=record_type, object_id=record_id,
                 old={"retain_until": row.retain_until})
    try:
        with transaction.atomic():
            if isinstance(row, Subscription):
                SubscriptionStatusChange.objects.filter(subscription=row).delete()
            row.delete()
    except ProtectedError:
        raise RetentionPeriod(_("Records that depend on this one are still kept.")) from None
