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
from kehu.core.errors import PermissionDenied as DomainPermissionDenied
from kehu.customers.selectors import masked
from kehu.outbox.errors import LinkExpired, LinkInvalid, LinkUsed
from kehu.privacy import changes

from . import selectors, services
from .models import ChangeNotice, SweepRun


@login_required
def inbox(request):
    try:
        rows = list(selectors.requests_open(request.user)[:200])
    except DomainPermissionDenied as exc:
        raise HttpForbidden() from exc
    now = timezone.now()
    items = [{"r": r, "name": masked(r.customer, "name"), "overdue": r.due_at < now} for r in rows]
    holds = [{"h": h, "name": masked(h.customer, "name")} for h in selectors.holds_active(request.user)[:200]]
    flagged = [{"n": n, "name": masked(n.customer, "name")} for n in selectors.changes_to_resolve(request.user)[:200]]
    return render(request, "privacy/inbox.html", {
        "items": items, "holds": holds, "flagged": flagged,
        "sweep": SweepRun.objects.filter(dry_run=True).first()})


@login_required
@require_POST
def request_action(request, request_id: int):
    action = request.POST.get("action", "")
    try:
        if action == "verify":
            services.request_verify(actor=request.user, request_id=request_id,
                                    verification=request.POST.get("text", ""))
        elif action == "complete":
            services.request_complete(actor=request.user, request_id=request_id, outcome=request.POST.get("text", ""))
        elif action == "refuse":
            services.request_refuse(actor=request.user, request_id=request_id, reason=request.POST.get("text", ""))
        elif action == "export":
            data = services.request_export(actor=request.user, request_id=request_id)
            response = HttpResponse(data, content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="personal-data-{request_id}.json"'
            return response
        else:
            return HttpResponse(status=400)
    except DomainPermissionDenied as exc:
        raise HttpForbidden() from exc
    except NotFound as exc:
        raise Http404() from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("privacy:inbox")
    messages.success(request, _("Saved."))
    return redirect("privacy:inbox")


def change_answer(request, token: str):
    """The page a customer opens from a change notice (no login): agree or refuse, once."""

    try:
        notice = changes.notice_for_token(token)
    except (LinkInvalid, ChangeNotice.DoesNotExist):
        return render(request, "privacy/answer.html", {"problem": _("This link is not valid.")}, status=404)
    except (LinkExpired, LinkUsed) as exc:
        return render(request, "privacy/answer.html", {"problem": exc.message}, status=410)
    labels = "、".join(changes.FIELD_LABELS.get(f, f) for f in notice.consent.fields)
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("agree", "refuse"):
            return render(request, "privacy/answer.html", {"labels": labels, "problem": _("Choose an answer.")},
                          status=400)
        try:
            notice = changes.change_answer(token=token, agree=answer == "agree")
        except DomainError as exc:
            return render(request, "privacy/answer.html", {"problem": exc.message}, status=410)
        return render(request, "privacy/answer.html", {"done": notice.outcome, "labels": labels})
    return render(request, "privacy/answer.html", {"labels": labels, "when": notice.created_at})
