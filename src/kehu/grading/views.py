"""Staff pages of customer grading: the runs and, per period, the grades of the customers in scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core.errors import DomainError, InvalidInput, NotFound
from kehu.core.exports import watermark
from kehu.core.jobs import job_submit
from kehu.core.periods import parse_period
from kehu.core.selectors import access_for
from kehu.customers.permissions import CustomerPerm
from kehu.grading import reports, selectors
from kehu.grading.jobs import authorize_run
from kehu.grading.models import FinancialStatement, GradeOverride
from kehu.grading.permissions import GradingPerm
from kehu.grading.services import overrides
from kehu.grading.services.financials import statement_record as record
from kehu.grading.services.run import run_reopen

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(request, perm):
    access = access_for(request.user)
    if not access.has(perm):
        raise HttpForbidden(_("You do not have permission to do this."))
    return access


@login_required
def run_list(request):
    access = _require(request, GradingPerm.VIEW)
    pending = selectors.pending_overrides(user=request.user) if access.has(GradingPerm.OVERRIDE_APPROVE) else []
    return render(request, "grading/runs.html", {"runs": selectors.runs()[:60], "pending": pending,
                                                 "can_run": access.has(GradingPerm.RUN)})


@login_required
@require_POST
def override_request(request, period: str, customer_id: int):
    _require(request, GradingPerm.OVERRIDE_REQUEST)
    try:
        overrides.override_request(actor=request.user, customer_id=customer_id, period=period,
                                   to_grade=request.POST.get("to_grade", ""), reason=request.POST.get("reason", ""))
        messages.success(request, _("Override requested; a second person must approve it."))
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("grading:result", period=period, customer_id=customer_id)


@login_required
@require_POST
def statement_record(request, period: str, customer_id: int):
    """The customer's yearly statement entered on its grading page (S9 Ch.5 §1: financial status)."""

    _require(request, GradingPerm.RECORD_STATEMENT)
    try:
        record(actor=request.user, customer_id=customer_id, year=request.POST.get("year", ""),
               current_ratio=request.POST.get("current_ratio", ""), debt_ratio=request.POST.get("debt_ratio", ""),
               overdue_to_others=request.POST.get("overdue_to_others", ""))
        messages.success(request, _("Financial statement recorded; it counts from the next run."))
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("grading:result", period=period, customer_id=customer_id)


@login_required
@require_POST
def override_decide(request, override_id: int):
    _require(request, GradingPerm.OVERRIDE_APPROVE)
    try:
        overrides.override_decide(actor=request.user, override_id=override_id,
                                  approve=request.POST.get("decision") == "approve", note=request.POST.get("note", ""))
        messages.success(request, _("Decision recorded."))
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("grading:runs")


@login_required
@require_POST
def run_start(request):
    _require(request, GradingPerm.RUN)
    # A month of a large book takes minutes: the run is a background job (kehu.core.jobs) and this page
    # answers at once; the runs list shows the period once it is closed.
    try:
        params = authorize_run(request.user, {"period": request.POST.get("period", "")})
        job = job_submit(kind="grading.run", params=params, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("grading:runs")
    if job.status == job.Status.DONE:
        messages.success(request, _("%(p)s graded: %(n)d customers.") % {"p": job.result["period"],
                                                                           "n": job.result["graded"]})
    elif job.status == job.Status.FAILED:
        messages.error(request, job.error)
    else:
        messages.success(request, _("Grading of %(p)s has started in the background (job %(id)d).")
                         % {"p": params["period"], "id": job.pk})
    return redirect("grading:runs")


@login_required
@require_POST
def run_reopen_view(request, period: str):
    """Reopen a closed month with a reason (the same service, permission and audit as the API and CLI)."""
    _require(request, GradingPerm.RUN)
    try:
        run = run_reopen(actor=request.user, period=period, reason=request.POST.get("reason", ""))
        messages.success(request, _("%(p)s reopened; run it again to grade it anew.") % {"p": f"{run.period:%Y-%m}"})
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("grading:runs")


@login_required
def period_results(request, period: str):
    _require(request, GradingPerm.VIEW)
    try:
        month = parse_period(period)
    except InvalidInput:
        return redirect("grading:runs")
    results = selectors.results(user=request.user, period=month)
    fmt = request.GET.get("format", "")
    # exports show individuals' names in clear only to those who may unmask (as the customer export does)
    unmask = access_for(request.user).has(CustomerPerm.CUSTOMER_UNMASK)
    if fmt == "xlsx":
        response = HttpResponse(reports.summary_xlsx(month, results, unmask=unmask, mark=watermark(request.user)),
                                content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="grades-{month:%Y-%m}.xlsx"'
        return response
    if fmt == "pdf":
        response = HttpResponse(reports.summary_pdf(month, results, unmask=unmask, mark=watermark(request.user)),
                                content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="grades-{month:%Y-%m}.pdf"'
        return response
    return render(request, "grading/results.html", {"period": month, "rows": results[:500],
                                                    "charts": reports.charts(results)})


@login_required
def result_detail(request, period: str, customer_id: int):
    _require(request, GradingPerm.VIEW)
    try:
        month = parse_period(period)
    except InvalidInput:
        raise Http404() from None
    row = selectors.results(user=request.user, period=month).filter(customer_id=customer_id).first()
    if row is None:
        raise Http404()
    access = access_for(request.user)
    return render(request, "grading/result.html", {
        "r": row, "period": month, "can_override": access.reaches(GradingPerm.OVERRIDE_REQUEST, org_path=row.org_path),
        "statements": FinancialStatement.objects.filter(customer_id=row.customer_id).order_by("-year")[:5],
        "can_record_statement": access.reaches(GradingPerm.RECORD_STATEMENT, org_path=row.org_path),
        "statement_year": month.year - 1,
        "overrides": GradeOverride.objects.filter(customer_id=row.customer_id, period=month)})
