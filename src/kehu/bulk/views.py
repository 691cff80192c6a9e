"""Web pages of imports and exports: the upload page, a job's progress page (polled by bulk/import.js), the
error file and the template downloads, and the customer-list export (streamed)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kehu.bulk import approvals, exports, jobs, services
from kehu.bulk.models import ImportJob, ImportMode, ImportStatus
from kehu.core.errors import DomainError, NotFound
from kehu.core.exports import watermark
from kehu.core.files import XLSX, RemovedOnClose, private_dir
from kehu.core.models import OrgUnit
from kehu.core.params import get_param
from kehu.core.selectors import access_for
from kehu.core.twofactor import require_for_pii
from kehu.customers.permissions import CustomerPerm


def _require(request, perm: str):
    access = access_for(request.user)
    if not access.has(perm):
        raise HttpForbidden(_("You do not have permission to do this."))
    return access


def _units(access):
    query = Q(pk__in=[])
    for grant in access.grants_for(CustomerPerm.CUSTOMER_CREATE):
        query |= Q(path__startswith=grant.org_path)
    return OrgUnit.objects.filter(query, is_active=True).order_by("path")


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (CSV or XLSX)"))
    mode = forms.ChoiceField(label=gettext_lazy("Mode"), choices=ImportMode.choices, initial=ImportMode.UPSERT)
    org_code = forms.ChoiceField(label=gettext_lazy("Org unit of new customers"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_code"].choices = [(u.code, u.name) for u in units]


def _job(request, job_id: int) -> ImportJob:
    # Only the user who started an import sees it; anything else is 404 (scope rule).
    job = ImportJob.objects.filter(pk=job_id, actor=request.user).first()
    if job is None:
        raise Http404()
    return job


def _state(job: ImportJob) -> dict:
    stalled = job.status == ImportStatus.RUNNING and services._stale(job)
    return {
        "id": job.pk, "status": job.status, "status_label": str(job.get_status_display()),
        "rows_expected": job.rows_expected, "rows_done": job.rows_done, "percent": job.percent,
        "rows_created": job.rows_created, "rows_updated": job.rows_updated, "rows_unchanged": job.rows_unchanged,
        "rows_rejected": job.rows_rejected, "has_error_file": bool(job.error_file), "message": job.message,
        "finished": job.status in (ImportStatus.DONE, ImportStatus.FAILED), "stalled": stalled,
    }


@login_required
def import_page(request):
    access = _require(request, CustomerPerm.CUSTOMER_CREATE)
    units = list(_units(access))
    initial = {"org_code": request.user.org_unit.code if request.user.org_unit_id else ""}
    form = ImportForm(initial=initial, units=units)
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, units=units)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = services.import_start(actor=request.user, target="customers", upload=upload,
                                            file_name=upload.name, mode=form.cleaned_data["mode"],
                                            org_code=form.cleaned_data["org_code"])
            except DomainError as exc:
                form.add_error("file", str(exc.message))
            else:
                return redirect("bulk:job", job_id=job.pk)
        status = 400
    jobs = ImportJob.objects.filter(actor=request.user).order_by("-pk")[:20]
    return render(request, "bulk/import.html", {"form": form, "jobs": jobs,
                                                "max_mb": int(get_param("bulk.import_max_bytes")) // (1024 * 1024)},
                  status=status)


@login_required
def job_page(request, job_id: int):
    job = _job(request, job_id)
    state = _state(job)
    return render(request, "bulk/job.html", {"job": job, "state": state,
                                             "can_resume": state["status"] == ImportStatus.FAILED or state["stalled"],
                                             "poll_ms": int(get_param("bulk.job_poll_seconds")) * 1000})


@login_required
def job_status(request, job_id: int):
    return JsonResponse(_state(_job(request, job_id)))


@login_required
@require_POST
def job_resume(request, job_id: int):
    job = _job(request, job_id)
    try:
        services.import_resume(actor=request.user, job=job)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("bulk:job", job_id=job.pk)


@login_required
def job_errors(request, job_id: int):
    job = _job(request, job_id)
    if not job.error_file or not Path(job.error_file).is_file():
        raise Http404()
    data = services.error_download(job=job, actor=request.user, channel="web")
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


@login_required
def template_download(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404()
    path = _temp_path(fmt)
    exports.export_template(path, fmt)
    return FileResponse(RemovedOnClose(path), as_attachment=True, filename=f"客户导入模板.{fmt}",
                        content_type=XLSX if fmt == "xlsx" else "text/csv; charset=utf-8")


def _temp_path(suffix: str) -> Path:
    folder = private_dir(Path(settings.KEHU_HOME) / "tmp")
    handle = tempfile.NamedTemporaryFile(dir=folder, suffix="." + suffix, delete=False)  # noqa: SIM115
    handle.close()
    return Path(handle.name)


@login_required
def export_customers(request):
    """The customer list's current filters as CSV (streamed while the rows are read) or XLSX (written
    row by row with openpyxl's write-only mode to a temporary file, then sent from it)."""
    _require(request, CustomerPerm.CUSTOMER_VIEW)
    filters = {k: request.GET.get(k, "").strip()[:100] for k in ("q", "kind", "status", "region", "industry",
                                                                    "grade")}
    filters["org_code"] = request.GET.get("org", "").strip()[:50]
    fmt = request.GET.get("format", "xlsx")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt not in ("csv", "xlsx"):
        raise Http404()
    # More rows than bulk.export_approval_rows: only through an approved request, downloaded once (10.5).
    request_id = request.GET.get("request", "")
    try:
        if request_id:
            if not request_id.isdigit() or len(request_id) > 18:
                raise Http404()
            approved = approvals.export_take(actor=request.user, request_id=int(request_id))
            filters, fmt = dict(approved.filters), approved.fmt
            rows = approved.rows
        else:
            rows = approvals.check_export(actor=request.user, filters=filters)
        if exports._may_unmask(request.user):
            # Personal data in clear above sec.mfa_export_threshold rows needs a session that logged in with
            # the second factor (issue 11; domain spec I-10, 10.5).
            require_for_pii(user=request.user, verified=bool(request.session.get("kehu_2fa_at")), rows=rows,
                            threshold_param="sec.mfa_export_threshold")
    except approvals.ApprovalRequired as exc:
        return render(request, "bulk/export_request.html", {
            "rows": exc.params.get("rows"), "limit": approvals.threshold(), "fmt": fmt,
            "filters": exports._filters(filters)}, status=409)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("bulk:exports")
    if fmt == "csv":
        response = StreamingHttpResponse(exports.stream_csv(actor=request.user, filters=filters),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.csv"'
        return response
    path = _temp_path("xlsx")
    count = exports.write_table(path, exports.export_header(), exports.customer_rows(actor=request.user,
                                                                                     filters=filters), "xlsx",
                                mark=watermark(request.user))
    exports.export_audit(actor=request.user, filters=filters, fmt="xlsx", rows=count, channel="web")
    return FileResponse(RemovedOnClose(path), as_attachment=True, filename=f"customers-{stamp}.xlsx", content_type=XLSX)


@login_required
@require_POST
def export_request(request):
    """Ask for a large export: the filters and format of the page that was refused, and a reason."""
    filters = {k: request.POST.get(k, "").strip()[:100] for k in exports.FILTERS}
    try:
        approvals.export_request(actor=request.user, filters=filters, fmt=request.POST.get("format", ""),
                                 reason=request.POST.get("reason", ""))
        messages.success(request, _("Export requested; a second person must approve it."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("bulk:exports")


@login_required
def export_requests(request):
    """Your export requests (download once when approved), your exports made in the background, and the
    requests you may decide."""
    _require(request, CustomerPerm.CUSTOMER_VIEW)
    background = jobs.my_exports(user=request.user)
    return render(request, "bulk/exports.html", {
        "mine": approvals.my_requests(user=request.user),
        "background": background,
        # The page reloads itself while an export is being made (no script needed).
        "refreshing": any(row["job"].status in ("queued", "running") for row in background),
        "poll_seconds": int(get_param("bulk.job_poll_seconds")),
        "to_decide": approvals.requests_to_decide(user=request.user)[:100]})


def _export_filters(data) -> dict[str, str]:
    filters = {k: data.get(k, "").strip()[:100] for k in ("q", "kind", "status", "region", "industry", "grade")}
    filters["org_code"] = data.get("org", "").strip()[:50]
    return {k: v for k, v in filters.items() if v}


@login_required
@require_POST
def export_start(request):
    """Make the export in the background (the customer list's filters, or an approved request): the file is
    kept sealed for you on the exports page (issue 17)."""
    _require(request, CustomerPerm.CUSTOMER_VIEW)
    params: dict = {"filters": _export_filters(request.POST), "format": request.POST.get("format", "xlsx")}
    request_id = request.POST.get("request", "")
    if request_id:
        if not request_id.isdigit() or len(request_id) > 18:
            raise Http404()
        params["request"] = int(request_id)
    try:
        jobs.export_submit(actor=request.user, params=params,
                           verified=bool(request.session.get("kehu_2fa_at")))
    except approvals.ApprovalRequired as exc:
        return render(request, "bulk/export_request.html", {
            "rows": exc.params.get("rows"), "limit": approvals.threshold(), "fmt": params["format"],
            "filters": exports._filters(params["filters"])}, status=409)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("bulk:exports")
    messages.success(request, _("The export is being made; download it here when it is ready."))
    return redirect("bulk:exports")


@login_required
def export_download(request, job_id: int):
    """Your export made in the background, once."""
    _require(request, CustomerPerm.CUSTOMER_VIEW)
    try:
        path, name = jobs.export_file(actor=request.user, job_id=job_id)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("bulk:exports")
    content_type = XLSX if name.endswith(".xlsx") else "text/csv; charset=utf-8"
    return FileResponse(RemovedOnClose(path), as_attachment=True, filename=name, content_type=content_type)


@login_required
@require_POST
def export_decide(request, request_id: int):
    try:
        approvals.export_decide(actor=request.user, request_id=request_id,
                                approve=request.POST.get("decision") == "approve", note=request.POST.get("note", ""))
        messages.success(request, _("Decision recorded."))
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("bulk:exports")
