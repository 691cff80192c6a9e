"""Export approval (domain spec 10.5): a customer export of more than ``bulk.export_approval_rows`` rows
needs a second person's approval. The requester asks (the filters, the format and the row count are kept),
another user holding ``export.approve`` over the requester's org unit approves or rejects, and the requester
downloads the approved export once. Every step is audited; the download itself is audited as every export
is (event 7002) and carries the watermark."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.bulk.errors import ApprovalRequired
from kehu.bulk.events import BulkEvent
from kehu.bulk.exports import _filters, _may_unmask
from kehu.bulk.models import ExportRequest, ExportStatus
from kehu.bulk.permissions import ExportPerm
from kehu.core.audit import audit_record
from kehu.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, SelfApprovalNotAllowed
from kehu.core.inputs import text
from kehu.core.params import get_param
from kehu.core.selectors import access_for
from kehu.customers.permissions import CustomerPerm
from kehu.customers.selectors import customer_search


def threshold() -> int:
    return int(get_param("bulk.export_approval_rows"))


def export_count(*, actor, filters: dict[str, str] | None) -> int:
    return customer_search(user=actor, **_filters(filters)).count()


def check_export(*, actor, filters: dict[str, str] | None) -> int:
    """The number of rows the export would have; ``ApprovalRequired`` above the threshold for a person
    (the system itself, ``actor`` None, exports without approval)."""
    count = export_count(actor=actor, filters=filters)
    if actor is not None and count > threshold():
        raise ApprovalRequired(_("This export has %(n)d rows; more than %(max)d need a second person's approval.")
                               % {"n": count, "max": threshold()}, rows=count)
    return count


@transaction.atomic
def export_request(*, actor, filters: dict[str, str] | None, fmt: str, reason: Any,
                   channel: str = "web") -> ExportRequest:
    if fmt not in ("csv", "xlsx"):
        raise InvalidInput(_("format must be csv or xlsx."), field="format")
    if not access_for(actor).has(CustomerPerm.CUSTOMER_VIEW):
        raise PermissionDenied()
    reason = text(reason, "reason", max_length=500, required=True)
    count = export_count(actor=actor, filters=filters)
    org_path = actor.org_unit.path if actor.org_unit_id else ""
    request = ExportRequest.objects.create(requester=actor, filters=_filters(filters), fmt=fmt, rows=count,
                                           masked=not _may_unmask(actor), reason=reason, org_path=org_path)
    audit_record(actor=actor, event_code=BulkEvent.EXPORT_REQUESTED, object_type="export_request",
                 object_id=request.pk, channel=channel, reason=reason,
                 new={"filters": request.filters, "format": fmt, "rows": count, "masked": request.masked})
    return request


def requests_to_decide(*, user):
    """Pending requests of others that ``user`` may decide (within their ``export.approve`` scope)."""
    access = access_for(user)
    return (ExportRequest.objects.filter(status=ExportStatus.PENDING)
            .filter(access.scope_q(ExportPerm.APPROVE, org_path_field="org_path"))
            .exclude(requester=user).select_related("requester"))


def my_requests(*, user):
    return ExportRequest.objects.filter(requester=user).select_related("approver")[:50]


@transaction.atomic
def export_decide(*, actor, request_id: int, approve: bool, note: Any = "", channel: str = "web") -> ExportRequest:
    request = ExportRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None or not access_for(actor).reaches(ExportPerm.APPROVE, org_path=request.org_path):
        raise NotFound()
    if request.requester_id == actor.pk:
        raise SelfApprovalNotAllowed()
    if request.status != ExportStatus.PENDING:
        raise Conflict(_("This export request was already decided."), code="already_decided")
    note = text(note, "note", max_length=500, required=not approve)
    request.status = ExportStatus.APPROVED if approve else ExportStatus.REJECTED
    request.approver, request.note, request.decided_at = actor, note, timezone.now()
    request.save(update_fields=["status", "approver", "note", "decided_at"])
    audit_record(actor=actor, event_code=BulkEvent.EXPORT_APPROVED if approve else BulkEvent.EXPORT_REJECTED,
                 object_type="export_request", object_id=request.pk, channel=channel, reason=note,
                 old={"status": "pending"}, new={"status": request.status, "rows": request.rows})
    return request


@transaction.atomic
def export_take(*, actor, request_id: int) -> ExportRequest:
    """Mark the approved request as downloaded and return it: once only, and only by its requester."""
    request = ExportRequest.objects.select_for_update().filter(pk=request_id, requester=actor).first()
    if request is None:
        raise NotFound()
    if request.status == ExportStatus.DOWNLOADED:
        raise Conflict(_("This export was already downloaded; request it again."), code="already_downloaded")
    if request.status != ExportStatus.APPROVED:
        raise Conflict(_("This export is not approved."), code="not_approved")
    request.status, request.downloaded_at = ExportStatus.DOWNLOADED, timezone.now()
    request.save(update_fields=["status", "downloaded_at"])
    return request
