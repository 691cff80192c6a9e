"""Pages of the surveys: the public answer page (no login), the report with its charts, XLSX and
drill-down, and the templates. Thin: parse, call one service or report, render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from kehu.core.errors import DomainError, InvalidInput, NotFound
from kehu.core.errors import PermissionDenied as DomainPermissionDenied
from kehu.core.periods import parse_period
from kehu.core.selectors import access_for
from kehu.outbox.errors import LinkExpired, LinkInvalid, LinkUsed

from . import permissions as P
from . import reports, services
from .models import SurveyTemplate, Trigger

HEADINGS = {
    "key": gettext_lazy("Group"), "sent": gettext_lazy("Sent"), "answered": gettext_lazy("Answered"),
    "response_rate": gettext_lazy("Response rate %"), "csat": gettext_lazy("CSAT %"),
    "month": gettext_lazy("Month"), "channel": gettext_lazy("Channel"), "team": gettext_lazy("Team"),
    "grade": gettext_lazy("Customer grade"), "trend": gettext_lazy("Satisfaction and complaints"),
    "complaints": gettext_lazy("Complaints"), "answers": gettext_lazy("Answers"),
    "answered_at": gettext_lazy("Answered at"), "overall": gettext_lazy("Overall score"),
    "lowest": gettext_lazy("Lowest score"), "comment": gettext_lazy("Comment"),
    "follow_up": gettext_lazy("Follow-up case"),
}


# ---------------------------------------------------------------------------------- public page

@never_cache
def answer(request, token: str):
    """The customer's answer page: no login, nothing about the customer beyond the greeting."""
    token = token[:500]
    try:
        invitation = services.invitation_for_token(token=token)
    except (LinkInvalid, NotFound):
        return render(request, "surveys/public_closed.html", {"reason": _("This link is not valid.")}, status=404)
    except LinkUsed:
        return render(request, "surveys/public_closed.html", {"reason": _("Thank you, your answer was already recorded.")},
                      status=410)
    except LinkExpired:
        return render(request, "surveys/public_closed.html", {"reason": _("This survey has closed.")}, status=410)
    template = invitation.template
    error, values = None, {}
    if request.method == "POST":
        values = {q["key"]: request.POST.get(q["key"], "")[:2000] for q in template.questions}
        try:
            services.survey_answer(token=token, raw=values)
        except (LinkUsed, LinkExpired, LinkInvalid) as exc:
            return render(request, "surveys/public_closed.html", {"reason": str(exc.message)}, status=410)
        except InvalidInput as exc:
            error = str(exc.message)
        else:
            return render(request, "surveys/public_thanks.html", {})
    scale = list(range(1, int(services.get_param("survey.scale_max")) + 1))
    return render(request, "surveys/public_answer.html", {
        "template": template, "questions": template.questions, "scale": scale, "values": values, "error": error,
    }, status=400 if error else 200)


# --------------------------------------------------------------------------------------- reports

def _period_args(request) -> tuple[date, date, dict]:
    today = timezone.localdate()
    default_start = date(today.year - (1 if today.month <= 5 else 0), (today.month - 6) % 12 + 1, 1)
    try:
        start = parse_period(request.GET.get("start") or default_start)
        end = parse_period(request.GET.get("end") or date(today.year, today.month, 1))
    except InvalidInput:
        start, end = default_start, date(today.year, today.month, 1)
    filters = {k: request.GET.get(k)[:120] for k in ("channel", "team", "grade") if request.GET.get(k) is not None
               and request.GET.get(k) != ""}
    return start, end, filters


def _labels() -> dict:
    return {**dict(Trigger.choices), "": "-"}


@login_required
def report(request):
    start, end, filters = _period_args(request)
    try:
        data = reports.csat_report(user=request.user, start=start, end=end, filters=filters)
    except DomainPermissionDenied as exc:
        raise HttpForbidden() from exc
    except InvalidInput:
        data = reports.csat_report(user=request.user, start=end, end=end, filters=filters)
    query = request.GET.urlencode()
    return render(request, "surveys/report.html", {
        "csat_note": _("share of overall scores of %(n)d or more") % {"n": data["satisfied_from"]},
        "data": data, "start": start, "end": end, "filters": filters, "labels": _labels(), "query": query,
        "sections": [(dim, HEADINGS[dim], [{**r, "label": _labels().get(r["key"], r["key"]) or "-"} for r in data[dim]])
                     for dim in ("month", "channel", "team", "grade")],
        "can_manage": access_for(request.user).has(P.MANAGE)})


@login_required
def drill(request):
    start, end, filters = _period_args(request)
    dim = request.GET.get("dim") or None
    try:
        answers = list(reports.answers_for(user=request.user, start=start, end=end, dim=dim,
                                           value=request.GET.get("value", "")[:120], filters=filters))
    except DomainPermissionDenied as exc:
        raise HttpForbidden() from exc
    except InvalidInput:
        answers = []
    return render(request, "surveys/answers.html", {"answers": answers, "labels": _labels(), "dim": dim,
                                                     "value": request.GET.get("value", "")[:120]})


@login_required
def report_xlsx(request):
    start, end, filters = _period_args(request)
    try:
        data = reports.csat_report(user=request.user, start=start, end=end, filters=filters)
        answers = reports.answers_for(user=request.user, start=start, end=end, filters=filters, limit=100000)
    except DomainPermissionDenied as exc:
        raise HttpForbidden() from exc
    except InvalidInput as exc:
        raise Http404() from exc
    content = reports.report_xlsx(data, answers, headings=HEADINGS, labels=_labels())
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="csat-{start:%Y-%m}-{end:%Y-%m}.xlsx"'
    return response


@login_required
def chart(request, name: str):
    start, end, filters = _period_args(request)
    try:
        data = reports.csat_report(user=request.user, start=start, end=end, filters=filters)
    except DomainPermissionDenied as exc:
        raise HttpForbidden() from exc
    except InvalidInput as exc:
        raise Http404() from exc
    if name == "trend":
        svg = reports.trend_svg(data["trend"], title=_("CSAT and complaints by month"), csat_label=_("CSAT %"),
                                complaints_label=_("Complaints"))
    elif name in ("channel", "team", "grade", "month"):
        svg = reports.bar_svg(data[name], title=_("CSAT % by %(dim)s") % {"dim": HEADINGS[name]}, labels=_labels())
    else:
        raise Http404()
    return HttpResponse(svg, content_type="image/svg+xml")


# ------------------------------------------------------------------------------------- templates

@login_required
def templates(request):
    access = access_for(request.user)
    if not access.has(P.VIEW):
        raise HttpForbidden()
    if request.method == "POST":
        lines = [line.split("|", 2) for line in request.POST.get("questions", "").splitlines() if line.strip()]
        questions = [{"key": p[0].strip(), "type": p[1].strip(), "text": p[2].strip()} if len(p) == 3 else {}
                     for p in lines]
        try:
            services.template_publish(actor=request.user, code=request.POST.get("code", ""),
                                      title=request.POST.get("title", ""), intro=request.POST.get("intro", ""),
                                      questions=questions)
            messages.success(request, _("Saved."))
        except DomainError as exc:
            problems = getattr(exc, "params", {}).get("problems") or []
            messages.error(request, str(exc.message) + (" " + ", ".join(problems) if problems else ""))
        return redirect("surveys:templates")
    rows = list(SurveyTemplate.objects.order_by("code", "-version"))
    return render(request, "surveys/templates.html", {"rows": rows, "can_manage": access.has(P.MANAGE)})
