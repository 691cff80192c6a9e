"""Staff pages of the regulatory statistics: freezes, the large-credit table (draft, validation problems,
maker-checker sign-off, exports), capital bases and concentration alerts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core.errors import DomainError, NotFound
from kehu.core.selectors import access_for
from kehu.exposure import jobs, selectors, services
from kehu.exposure.models import StatFreeze
from kehu.exposure.permissions import ExposurePerm


def _require(request, perm):
    access = access_for(request.user)
    if not access.has(perm):
        raise HttpForbidden(_("You do not have permission to do this."))
    return access


def _last_month() -> str:
    today = timezone.localdate()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


@login_required
def index(request):
    access = _require(request, ExposurePerm.VIEW)
    latest = StatFreeze.objects.order_by("-period").first()
    freeze_jobs = jobs.running_freezes() if access.has(ExposurePerm.RUN) else []
    return render(request, "exposure/index.html", {
        "freeze_jobs": freeze_jobs, "poll_seconds": 5,
        "refreshing": any(job.status in ("queued", "running") for job in freeze_jobs),
        "freezes": selectors.freezes(user=request.user)[:24], "reports": selectors.reports(user=request.user)[:24],
        "alerts": selectors.alerts(user=request.user, period=latest.period)[:100] if latest else [],
        "latest": latest, "default_period": _last_month(), "due": selectors.period_deadlines(_last_month()),
        "can_run": access.has(ExposurePerm.RUN), "can_capital": access.has(ExposurePerm.CAPITAL)})


def _post_call(request, call, done, target="exposure:index", **kw):
    try:
        result = call()
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
        for problem in getattr(exc, "problems", []) or []:
            messages.error(request, str(problem))
        return redirect(target, **kw)
    messages.success(request, done)
    return result


@login_required
@require_POST
def freeze(request):
    _require(request, ExposurePerm.RUN)
    period = request.POST.get("period", "")[:20]
    # A month of a million customers takes minutes: the freeze runs as a background job (issue 17); the page
    # shows it and reloads itself until it is done.
    out = _post_call(request, lambda: jobs.freeze_submit(actor=request.user, period=period),
                     _("The freeze of %(period)s is running in the background; this page shows when it is done.")
                     % {"period": period})
    return out if isinstance(out, HttpResponse) else redirect("exposure:index")


@login_required
@require_POST
def concentration(request):
    _require(request, ExposurePerm.RUN)
    period = request.POST.get("period", "")
    out = _post_call(request, lambda: services.concentration_check(actor=request.user, period=period,
                                                                   channel="web"),
                     _("Concentration checked for %(period)s.") % {"period": period})
    return out if isinstance(out, HttpResponse) else redirect("exposure:index")


@login_required
@require_POST
def capital(request):
    _require(request, ExposurePerm.CAPITAL)
    p = request.POST
    out = _post_call(request, lambda: services.capital_base_record(
        actor=request.user, as_of=p.get("as_of"), capital_amount=p.get("capital_amount"),
        net_capital_amount=p.get("net_capital_amount"), tier1_net_amount=p.get("tier1_net_amount"), channel="web"),
        _("Capital bases recorded."))
    return out if isinstance(out, HttpResponse) else redirect("exposure:index")


@login_required
@require_POST
def report_create(request):
    _require(request, ExposurePerm.RUN)
    p = request.POST
    out = _post_call(request, lambda: services.report_draft(
        actor=request.user, period=p.get("period"), org_code=p.get("org_code", ""), preparer=p.get("preparer", ""),
        phone=p.get("phone", ""), reviewer=p.get("reviewer", ""), channel="web"), _("Report drafted."))
    return out if isinstance(out, HttpResponse) else redirect("exposure:report", report_id=out.pk)


@login_required
def report_detail(request, report_id):
    access = _require(request, ExposurePerm.VIEW)
    try:
        report = selectors.report_get(user=request.user, report_id=report_id)
    except NotFound:
        raise Http404() from None
    rows = selectors.shown_rows(selectors.report_rows(user=request.user, report=report))
    return render(request, "exposure/report.html", {
        "report": report, "rows": rows, "can_run": access.has(ExposurePerm.RUN),
        "due": selectors.period_deadlines(report.period),
        "review": selectors.carried_forward_review(user=request.user, report=report),
        "can_sign": access.has(ExposurePerm.SIGNOFF) and report.maker_id != request.user.pk})


@login_required
@require_POST
def report_action(request, report_id, action):
    if action == "submit":
        call = lambda: services.report_submit(actor=request.user, report_id=report_id, channel="web")  # noqa: E731
        done = _("Submitted for sign-off.")
    elif action in ("sign", "return"):
        call = lambda: services.report_signoff(actor=request.user, report_id=report_id,  # noqa: E731
                                               approve=action == "sign", note=request.POST.get("note", ""),
                                               channel="web")
        done = _("Signed off.") if action == "sign" else _("Returned to the maker.")
    else:
        raise Http404()
    _post_call(request, call, done, target="exposure:report", report_id=report_id)
    return redirect("exposure:report", report_id=report_id)


@login_required
def report_export(request, report_id, fmt):
    _require(request, ExposurePerm.VIEW)
    try:
        data, ctype, name = services.report_export(actor=request.user, report_id=report_id, fmt=fmt, channel="web")
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("exposure:report", report_id=report_id)
    response = HttpResponse(data, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
