"""Pages of the staff assessment: one's own scorecard with what is measured and the self-assessment; the
manager's team page with the league table, marks, commendations and interviews."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.errors import DomainError, InvalidInput, NotFound
from kehu.core.periods import month_before, parse_period
from kehu.core.selectors import access_for

from . import permissions as P
from . import selectors, services
from .models import MeasurementNotice, SelfAssessment

DIMENSION_LABELS = {"attitude": gettext_lazy("Service attitude"), "process": gettext_lazy("Process compliance"),
                    "quality": gettext_lazy("Service quality"), "infosec": gettext_lazy("Information security")}
PART_LABELS = {"sla": gettext_lazy("Time limits met"), "fcr": gettext_lazy("First-contact resolution"),
               "csat": gettext_lazy("CSAT of own tickets and visits")}


def _period(request):
    try:
        return parse_period(request.GET.get("period") or request.POST.get("period") or "")
    except InvalidInput:
        return month_before(timezone.localdate().replace(day=1))


def _explained(card):
    rows = []
    for dim in ("attitude", "process", "quality", "infosec"):
        d = card.detail.get(dim, {})
        rows.append({"label": DIMENSION_LABELS[dim], "weight": card.detail.get("weights", {}).get(dim),
                     "score": d.get("score"), "self": d.get("self"), "detail": d,
                     "parts": [(PART_LABELS[k], v) for k, v in (d.get("parts") or {}).items()]})
    return rows


@login_required
def mine(request):
    access = access_for(request.user)
    if not access.has(P.SELF):
        raise HttpForbidden()
    period = _period(request)
    if request.method == "POST":
        try:
            services.self_assess(actor=request.user, period=period, attitude=request.POST.get("attitude"),
                                 process=request.POST.get("process"), note=request.POST.get("note", "")[:2000])
            messages.success(request, _("Saved."))
        except DomainError as exc:
            messages.error(request, str(exc.message) + (f" ({exc.code})" if exc.code else ""))
        return redirect(f"{request.path}?period={period:%Y-%m}")
    try:
        card = selectors.own_scorecard(user=request.user, period=period)
    except NotFound:
        card = None
    today = timezone.localdate()
    upcoming = MeasurementNotice.objects.filter(period__gt=today).order_by("period").first()
    return render(request, "staff/mine.html", {
        "period": period, "card": card, "rows": _explained(card) if card else [],
        "measures": services.measures(today), "upcoming": upcoming,
        "own": SelfAssessment.objects.filter(user=request.user, period=period).first(),
        "dimension_labels": DIMENSION_LABELS, "part_labels": PART_LABELS,
        "is_manager": access.has(P.MANAGE)})


@login_required
def team(request):
    if not access_for(request.user).has(P.MANAGE):
        raise HttpForbidden()
    period = _period(request)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "interview":
                services.interview_record(actor=request.user, interview_id=int(request.POST.get("interview_id") or 0),
                                          notes=request.POST.get("notes", ""),
                                          follow_up_on=request.POST.get("follow_up_on", ""))
            else:
                services.manager_mark(
                    actor=request.user, user_id=int(request.POST.get("user_id") or 0), period=period,
                    attitude=request.POST.get("attitude"), process=request.POST.get("process"),
                    security_violations=request.POST.get("security_violations") or 0,
                    training_done=request.POST.get("training_done") == "1", note=request.POST.get("note", "")[:2000])
            messages.success(request, _("Saved."))
        except (DomainError, ValueError) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))
        return redirect(f"{request.path}?period={period:%Y-%m}")
    cards = list(selectors.league(user=request.user, period=period))
    return render(request, "staff/team.html", {
        "period": period, "cards": cards, "commended": [c for c in cards if c.detail.get("band") == "commend"],
        "interviews": list(selectors.interviews(user=request.user)),
    })
