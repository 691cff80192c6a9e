from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from kehu.core.errors import NotFound
from kehu.core.errors import PermissionDenied as DomainPermissionDenied

from . import calendar_rules as cr
from . import selectors
from .services import calendar_for, clock_unit


@login_required
def ticket_list(request):
    try:
        tickets = selectors.ticket_list(user=request.user, state=request.GET.get("state") or None)[:200]
    except DomainPermissionDenied as exc:
        raise HttpForbidden() from exc
    return render(request, "helpdesk/ticket_list.html", {"tickets": tickets})


@login_required
def ticket_detail(request, ticket_id: int):
    try:
        ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    except DomainPermissionDenied as exc:
        raise HttpForbidden() from exc
    except NotFound as exc:
        raise Http404() from exc
    remaining_seconds = None
    if ticket.resolution_due and not ticket.paused_at and not ticket.closed_at:
        left = cr.remaining(timezone.now(), ticket.resolution_due, calendar_for(ticket.org_path), unit=clock_unit(ticket))
        remaining_seconds = int(left.total_seconds())
    from . import rules
    from .models import SlaUnit

    sla = None
    if (ticket.data.get("sla") or {}).get("resolution"):
        label = dict(SlaUnit.choices)
        f, r = ticket.data["sla"]["first_response"], ticket.data["sla"]["resolution"]
        sla = {"first": (f[0], label.get(f[1], f[1])), "resolution": (r[0], label.get(r[1], r[1]))}
    table = rules.COMPLAINT_TRANSITIONS if ticket.kind in ("complaint", "enquiry", "online") else {}
    actions = [s for s in table.get(ticket.state, ()) if s != "approved"]
    return render(request, "helpdesk/ticket_detail.html", {
        "ticket": ticket, "sla": sla, "remaining_seconds": remaining_seconds, "actions": sorted(actions),
        "can_approve": ticket.state in ("resolution_proposed", "received") and ticket.kind != "complaint"
        or ticket.state == "resolution_proposed"})


@login_required
def analysis(request):
    from datetime import date

    from django.utils.safestring import mark_safe

    from . import analysis as an

    try:
        qs = selectors.ticket_list(user=request.user)
    except DomainPermissionDenied as exc:
        raise HttpForbidden() from exc
    try:
        month = date.fromisoformat((request.GET.get("month") or "") + "-01") if request.GET.get("month") else \
            timezone.localdate().replace(day=1)
    except ValueError as exc:
        raise Http404() from exc
    sections = []
    for dim in an.DIMENSIONS:
        rows = an.monthly_breakdown(qs, month=month, dimension=dim)
        sections.append({"dimension": dim, "rows": rows,
                         "svg": mark_safe(an.bar_chart_svg(rows, dim)) if rows else ""})  # noqa: S308 - our own SVG
    repeats = an.repeat_complaints(qs, window_days=90, threshold=2, on=timezone.now())
    return render(request, "helpdesk/analysis.html", {"month": month, "sections": sections, "repeats": repeats})


@login_required
def knowledge(request):
    from . import analysis as an

    try:
        selectors.ticket_list(user=request.user)
    except DomainPermissionDenied as exc:
        raise HttpForbidden() from exc
    query = request.GET.get("q", "")[:200]
    return render(request, "helpdesk/knowledge.html", {"q": query, "articles": an.knowledge_search(query)})


@login_required
def ticket_action(request, ticket_id: int):
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from kehu.core.errors import DomainError

    from . import services

    if request.method != "POST":
        raise Http404()
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")[:500]
    try:
        if action == "approve":
            services.ticket_approve(actor=request.user, ticket_id=ticket_id, reason=reason)
        elif action == "pause":
            services.ticket_pause(actor=request.user, ticket_id=ticket_id, reason=reason)
        elif action == "resume":
            services.ticket_resume(actor=request.user, ticket_id=ticket_id)
        else:
            services.ticket_transition(actor=request.user, ticket_id=ticket_id, to=action, reason=reason)
        messages.success(request, _("Saved."))
    except NotFound as exc:
        raise Http404() from exc
    except DomainError as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
    return redirect("helpdesk:ticket_detail", ticket_id=ticket_id)
