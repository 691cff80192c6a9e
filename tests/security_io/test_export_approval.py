"""Domain spec 10.5: a customer export of more than ``bulk.export_approval_rows`` rows needs a second
person's approval; the requester downloads it once; every step is audited and the file watermarked."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from kehu.bulk import approvals
from kehu.bulk.events import BulkEvent
from kehu.bulk.exports import export_customers
from kehu.bulk.models import ExportRequest
from kehu.core.errors import Conflict, NotFound, SelfApprovalNotAllowed
from kehu.core.models import AuditEvent, RuleParameter


@pytest.fixture
def three_rows(world):
    """The threshold lowered to 2 rows through an approved parameter, and 3 BJ customers."""
    RuleParameter.objects.create(code="bulk.export_approval_rows", value=2, effective_from=timezone.localdate(),
                                 status=RuleParameter.Status.APPROVED)
    for _ in range(3):
        world.enterprise()
    return world


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_large_export_needs_a_second_persons_approval_and_downloads_once(three_rows):
    w = three_rows
    cm = _client(w.bj_cm)
    refused = cm.get("/customers/bulk/export/", {"format": "csv", "kind": "enterprise"})
    assert refused.status_code == 409 and b"export-needs-approval" in refused.content
    assert not AuditEvent.objects.filter(event_code=BulkEvent.EXPORT_DONE).exists()
    r = cm.post("/customers/bulk/exports/request/", {"format": "csv", "kind": "enterprise", "reason": "年度客户核对"})
    assert r.status_code == 302
    request = ExportRequest.objects.get()
    assert (request.rows, request.filters, request.status) == (3, {"kind": "enterprise"}, "pending")
    # Not approved yet: no download.
    r = cm.get("/customers/bulk/export/", {"request": request.pk})
    assert r.status_code == 302 and ExportRequest.objects.get(pk=request.pk).status == "pending"
    # The requester cannot approve, nor can a colleague without export.approve, nor another branch's office.
    own = approvals.export_request(actor=w.bj_office, filters={}, fmt="csv", reason="自查")
    with pytest.raises(SelfApprovalNotAllowed):
        approvals.export_decide(actor=w.bj_office, request_id=own.pk, approve=True)
    with pytest.raises(NotFound):
        approvals.export_decide(actor=w.bj_sales, request_id=request.pk, approve=True)
    with pytest.raises(NotFound):
        approvals.export_decide(actor=w.sh_office, request_id=request.pk, approve=True)
    page = _client(w.bj_office).get("/customers/bulk/exports/").content.decode()
    assert f'id="approve-{request.pk}"' in page
    r = _client(w.bj_office).post(f"/customers/bulk/exports/{request.pk}/decide/", {"decision": "approve"})
    assert r.status_code == 302 and ExportRequest.objects.get(pk=request.pk).status == "approved"
    # Only the requester downloads, once.
    assert _client(w.bj_sales).get("/customers/bulk/export/", {"request": request.pk}).status_code == 404
    r = cm.get("/customers/bulk/export/", {"request": request.pk})
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + 3 + 1 and rows[-1][0].startswith("# 导出人 bj_cm")
    assert ExportRequest.objects.get(pk=request.pk).status == "downloaded"
    again = cm.get("/customers/bulk/export/", {"request": request.pk})
    assert again.status_code == 302
    codes = list(AuditEvent.objects.filter(event_code__in=[7002, 7003, 7004], actor__in=[w.bj_cm, w.bj_office])
                 .exclude(object_id=str(own.pk)).order_by("pk").values_list("event_code", flat=True))
    assert codes == [BulkEvent.EXPORT_REQUESTED, BulkEvent.EXPORT_APPROVED, BulkEvent.EXPORT_DONE]


def test_small_exports_need_no_approval_and_rejection_is_final(three_rows):
    w = three_rows
    cm = _client(w.bj_cm)
    small = cm.get("/customers/bulk/export/", {"format": "csv", "q": "no-such-customer-zz"})
    assert small.status_code == 200
    request = approvals.export_request(actor=w.bj_cm, filters={}, fmt="xlsx", reason="核对")
    approvals.export_decide(actor=w.bj_office, request_id=request.pk, approve=False, note="没有必要")
    with pytest.raises(Conflict):
        approvals.export_take(actor=w.bj_cm, request_id=request.pk)
    with pytest.raises(Conflict):
        approvals.export_decide(actor=w.bj_office, request_id=request.pk, approve=True)


def test_the_cli_refuses_a_large_export_without_an_approved_request(three_rows, tmp_path):
    w = three_rows
    out = tmp_path / "c.csv"
    with pytest.raises(CommandError, match="审批"):
        call_command("bulk_export_customers", "-o", str(out), "--as", "bj_cm")
    request = approvals.export_request(actor=w.bj_cm, filters={"kind": "enterprise"}, fmt="csv", reason="核对")
    approvals.export_decide(actor=w.bj_office, request_id=request.pk, approve=True)
    call_command("bulk_export_customers", "-o", str(out), "--as", "bj_cm", "--request", str(request.pk))
    assert len(list(csv.reader(out.open(encoding="utf-8-sig")))) == 1 + 3 + 1
    with pytest.raises(CommandError):
        call_command("bulk_export_customers", "-o", str(out), "--as", "bj_cm", "--request", str(request.pk))
    # The system itself (no --as) exports without approval: the operator's own backup path.
    assert export_customers(actor=None, path=tmp_path / "all.csv", fmt="csv") == 3
