"""Pages of the reception: the desk for the day, booking, a visit with its actions, the printable badge and
the safety checks. Thin: parse, call one service, render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.errors import DomainError, NotFound
from kehu.core.errors import PermissionDenied as DomainPermissionDenied
from kehu.core.params import get_param
from kehu.core.rules import mask_name
from kehu.core.selectors import access_for

from . import permissions as P
from . import rules, selectors, services
from .models import VisitorKind, VisitState


def _checklist_label(item: str) -> str:
    labels = {"escort": gettext_lazy("Escort"), "refreshments": gettext_lazy("Refreshments"),
              "senior_greeting": gettext_lazy("Senior manager's greeting")}
    return str(labels.get(item, item))


def _guard(call):
    try:
        return call()
    except DomainPermissionDenied as exc:
        raise HttpForbidden() from exc
    except NotFound as exc:
        raise Http404() from exc


def _decorate(visit):
    visit.masked_name = mask_name(visit.visitor_name) if visit.visitor_name else ""
    return visit


@login_required
def desk(request):
    now = timezone.now()
    try:
        day = date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else timezone.localdate(now)
    except ValueError:
        day = timezone.localdate(now)
    data = _guard(lambda: selectors.desk_day(user=request.user, day=day, now=now))
    for rows in data.values():
        for v in rows:
            _decorate(v)
    overdue = [i for i in _guard(lambda: selectors.safety_items(user=request.user)) if i.next_due_on < timezone.localdate(now)]
    return render(request, "reception/desk.html", {
        **data, "day": day, "overdue_checks": overdue, "can_handle": access_for(request.user).has(P.HANDLE)})


@login_required
def visit_new(request):
    if not access_for(request.user).has(P.HANDLE):
        raise HttpForbidden()
    values, error = {}, None
    if request.method == "POST":
        values = {k: request.POST.get(k, "")[:300] for k in (
            "visitor_kind", "visitor_name", "visitor_phone", "visitor_email", "visitor_organisation", "customer_id",
            "purpose", "scheduled_start", "expected_minutes")}
        try:
            visit = services.visit_book(
                actor=request.user, visitor_kind=values["visitor_kind"], visitor_name=values["visitor_name"],
                visitor_phone=values["visitor_phone"], visitor_email=values["visitor_email"],
                visitor_organisation=values["visitor_organisation"],
                customer_id=int(values["customer_id"]) if values["customer_id"].isdigit() else None,
                purpose=values["purpose"], scheduled_start=values["scheduled_start"],
                expected_minutes=values["expected_minutes"], vip=bool(request.POST.get("vip")),
                confidential=bool(request.POST.get("confidential")),
                requested_by_visitor=bool(request.POST.get("requested_by_visitor")))
        except NotFound:
            error = _("The customer was not found.")
        except DomainError as exc:
            error = str(exc.message) + (f" ({exc.field})" if getattr(exc, "field", None) else "")
        else:
            if visit.outside_hours:
                messages.warning(request, _("The slot is outside reception hours; a manager must approve it."))
            else:
                messages.success(request, _("Saved."))
            return redirect("reception:visit_detail", visit_id=visit.pk)
    return render(request, "reception/visit_new.html", {"values": values, "error": error,
                                                        "kinds": VisitorKind.choices}, status=400 if error else 200)


@login_required
def visit_detail(request, visit_id: int):
    visit = _decorate(_guard(lambda: selectors.visit_get(user=request.user, visit_id=visit_id)))
    access = access_for(request.user)
    actions = sorted(rules.TRANSITIONS.get(visit.state, set()) - {"surveyed"})
    return render(request, "reception/visit_detail.html", {
        "visit": visit, "history": list(visit.history.select_related("actor")),
        "notes_visible": selectors.notes_visible(request.user, visit),
        "can_handle": access.reaches(P.HANDLE, org_path=visit.org_path),
        "checklist": [(item, _checklist_label(item), done) for item, done in visit.vip_checklist.items()],
        "actions": [(a, VisitState(a).label) for a in actions],
    })


@login_required
def visit_action(request, visit_id: int):
    if request.method != "POST":
        raise Http404()
    action = request.POST.get("action", "")
    try:
        if action == "scheduled":
            services.visit_schedule(actor=request.user, visit_id=visit_id)
        elif action == "checked_in":
            services.visit_check_in(actor=request.user, visit_id=visit_id,
                                    expected_minutes=request.POST.get("expected_minutes") or None)
        elif action == "tick":
            services.visit_tick(actor=request.user, visit_id=visit_id, item=request.POST.get("item", "")[:32],
                                done=request.POST.get("done", "1") == "1")
        elif action == "notes":
            services.visit_notes_set(actor=request.user, visit_id=visit_id, notes=request.POST.get("notes", ""))
        else:
            services.visit_transition(actor=request.user, visit_id=visit_id, to=action[:16],
                                      note=request.POST.get("note", "")[:300])
        messages.success(request, _("Saved."))
    except NotFound as exc:
        raise Http404() from exc
    except DomainPermissionDenied as exc:
        messages.error(request, str(exc.message))
    except DomainError as exc:
        problems = getattr(exc, "params", {}).get("problems")
        detail = "、".join(_checklist_label(p) for p in problems) if problems else ""
        messages.error(request, str(exc.message) + (f" {detail}" if detail else ""))
    if request.POST.get("next") == "desk":
        return redirect("reception:desk")
    return redirect("reception:visit_detail", visit_id=visit_id)


@login_required
def badge(request, visit_id: int):
    visit = _decorate(_guard(lambda: selectors.visit_get(user=request.user, visit_id=visit_id)))
    if visit.state not in rules.IN_BUILDING and visit.state not in ("scheduled",):
        raise Http404()
    return render(request, "reception/badge.html", {"visit": visit})


@login_required
def safety(request):
    items = _guard(lambda: list(selectors.safety_items(user=request.user)))
    if request.method == "POST":
        try:
            if request.POST.get("action") == "create":
                services.safety_item_create(actor=request.user, name=request.POST.get("name", ""),
                                            first_due_on=request.POST.get("first_due_on", ""),
                                            interval_months=request.POST.get("interval_months") or None)
            else:
                item_id = request.POST.get("item_id", "")
                services.safety_check_record(actor=request.user, item_id=int(item_id) if item_id.isdigit() else 0,
                                             done_on=request.POST.get("done_on", ""),
                                             passed=request.POST.get("passed") == "1",
                                             notes=request.POST.get("notes", "")[:500])
            messages.success(request, _("Saved."))
        except NotFound:
            messages.error(request, _("Not found."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("reception:safety")
    today = timezone.localdate()
    return render(request, "reception/safety.html", {
        "items": items, "today": today, "can_handle": access_for(request.user).has(P.HANDLE),
        "default_interval": get_param("reception.safety_check_interval_months", on=today)})
