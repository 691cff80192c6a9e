"""Staff pages of bank credit lines: list and approval inbox, request with the formula proposal, the line
with what is available, its uses and its history (refusals with their reasons), and the actions."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core.errors import DomainError, NotFound
from kehu.core.errors import PermissionDenied as DomainPermissionDenied
from kehu.core.selectors import access_for
from kehu.credit import forms as f
from kehu.credit import selectors, services
from kehu.credit.models import CreditUse, LineChange, LineMovement
from kehu.credit.permissions import CreditPerm


def _require(request, perm):
    access = access_for(request.user)
    if not access.has(perm):
        raise HttpForbidden(_("You do not have permission to do this."))
    return access


def _put_error(form, exc: DomainError):
    field = getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, str(exc.message))


@login_required
def line_list(request):
    access = _require(request, CreditPerm.VIEW)
    status = request.GET.get("status", "")
    try:
        before = int(request.GET.get("before") or 0) or None
    except ValueError:
        before = None
    lines, next_before = selectors.line_list(user=request.user, status=status if status.isidentifier() else "",
                                             before=before)
    inbox = selectors.approval_inbox(user=request.user) if access.has(CreditPerm.APPROVE) else []
    changes = [c for c in selectors.line_changes(user=request.user) if c.requested_by_id != request.user.pk] \
        if access.has(CreditPerm.APPROVE) else []
    return render(request, "credit/list.html", {
        "lines": lines, "next_before": next_before, "inbox": inbox, "changes": changes, "status": status,
        "renewals": selectors.renewal_due(user=request.user),
        "can_request": access.has(CreditPerm.REQUEST), "can_rate": access.has(CreditPerm.RATE),
        "rating_form": f.RatingForm() if access.has(CreditPerm.RATE) else None})


@login_required
def line_create(request):
    _require(request, CreditPerm.REQUEST)
    initial = {k: request.GET[k] for k in ("customer_id", "group_id", "renews_line_id") if request.GET.get(k)}
    form = f.LineRequestForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                line = services.line_request(actor=request.user, channel="web", **form.service_kwargs())
            except NotFound:
                raise Http404() from None
            except DomainError as exc:
                _put_error(form, exc)
                status = 403 if isinstance(exc, DomainPermissionDenied) else exc.http_status
            else:
                messages.success(request, _("Line requested; it waits for approval."))
                return redirect("credit:detail", line_id=line.pk)
    return render(request, "credit/create.html", {"form": form}, status=status)


@login_required
@require_POST
def rating_create(request):
    _require(request, CreditPerm.RATE)
    form = f.RatingForm(request.POST)
    if form.is_valid():
        try:
            services.rating_record(actor=request.user, channel="web", **form.cleaned_data)
            messages.success(request, _("Rating recorded."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
    else:
        messages.error(request, _("Give a customer ID and a rating."))
    return redirect("credit:list")


def _detail_context(request, line, **bound):
    access = access_for(request.user)
    reach = {perm.replace(".", "_"): access.reaches(perm, org_path=line.org_path) for perm in (
        CreditPerm.APPROVE, CreditPerm.FREEZE, CreditPerm.USE, CreditPerm.CLASSIFY, CreditPerm.REQUEST)}
    uses = list(CreditUse.objects.filter(line=line).order_by("-pk")[:100]) if line.kind == "customer" else list(
        CreditUse.objects.filter(group_line=line).order_by("-pk")[:100])
    return {
        "line": line, "avail": selectors.availability(line), "uses": uses,
        "history": LineMovement.objects.filter(line=line).select_related("actor").order_by("-pk")[:100],
        "can": reach, "use_form": bound.get("use_form") or f.UseForm(),
        "adjust_form": bound.get("adjust_form") or f.AdjustForm(), "new_key": uuid.uuid4().hex,
        "pending_change": selectors.pending_change(line),
        "classifications": f.ClassifyForm.base_fields["classification"].choices,
    }


@login_required
def line_detail(request, line_id):
    line = selectors.line_get(user=request.user, line_id=line_id)
    return render(request, "credit/detail.html", _detail_context(request, line))


def _act(request, line, call, done):
    try:
        call()
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect(reverse("credit:detail", args=[line.pk]))


@login_required
@require_POST
def line_action(request, line_id, action):
    line = selectors.line_get(user=request.user, line_id=line_id)
    note = (request.POST.get("reason") or request.POST.get("note") or "").strip()
    calls = {
        "approve": (lambda: services.line_approve(actor=request.user, line_id=line.pk, note=note, channel="web"),
                    _("Line approved.")),
        "reject": (lambda: services.line_reject(actor=request.user, line_id=line.pk, note=note, channel="web"),
                   _("Line rejected.")),
        "freeze": (lambda: services.line_freeze(actor=request.user, line_id=line.pk, reason=note, channel="web"),
                   _("Line frozen.")),
        "unfreeze": (lambda: services.line_unfreeze(actor=request.user, line_id=line.pk, reason=note,
                                                    channel="web"), _("Line unfrozen.")),
        "exit": (lambda: services.line_exit(actor=request.user, line_id=line.pk, reason=note, channel="web"),
                 _("Line ended (real exit).")),
    }
    if action not in calls:
        raise Http404()
    call, done = calls[action]
    return _act(request, line, call, done)


@login_required
@require_POST
def line_adjust(request, line_id):
    line = selectors.line_get(user=request.user, line_id=line_id)
    form = f.AdjustForm(request.POST)
    if form.is_valid():
        try:
            services.line_adjust(actor=request.user, line_id=line.pk, channel="web", **form.cleaned_data)
        except NotFound:
            raise Http404() from None
        except DomainError as exc:
            _put_error(form, exc)
        else:
            # one open request per line, so a pending one after success was created by this request
            if selectors.pending_change(line) is not None:
                messages.success(request, _("Increase requested; it waits for a second approver."))
            else:
                messages.success(request, _("Line changed."))
            return redirect("credit:detail", line_id=line.pk)
    return render(request, "credit/detail.html", _detail_context(request, line, adjust_form=form), status=400)


@login_required
@require_POST
def change_action(request, change_id, action):
    change = LineChange.objects.filter(pk=change_id).first()
    if change is None:
        raise Http404()
    line = selectors.line_get(user=request.user, line_id=change.line_id)
    note = (request.POST.get("note") or "").strip()
    calls = {
        "approve": (lambda: services.line_change_approve(actor=request.user, change_id=change.pk, note=note,
                                                         channel="web"), _("Increase approved.")),
        "reject": (lambda: services.line_change_reject(actor=request.user, change_id=change.pk, note=note,
                                                       channel="web"), _("Increase rejected.")),
    }
    if action not in calls:
        raise Http404()
    call, done = calls[action]
    return _act(request, line, call, done)


@login_required
@require_POST
def use_create(request, line_id):
    line = selectors.line_get(user=request.user, line_id=line_id)
    form = f.UseForm(request.POST)
    status = 400
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            use = services.use_reserve(actor=request.user, line_id=line.pk, channel="web", **data)
        except NotFound:
            raise Http404() from None
        except DomainError as exc:
            _put_error(form, exc)
            status = 403 if isinstance(exc, DomainPermissionDenied) else exc.http_status
        else:
            messages.success(request, _("Reserved %(amount)s %(currency)s.") % {"amount": use.amount,
                                                                                "currency": line.currency})
            return redirect("credit:detail", line_id=line.pk)
    return render(request, "credit/detail.html", _detail_context(request, line, use_form=form), status=status)


@login_required
@require_POST
def use_action(request, use_id, action):
    use = CreditUse.objects.filter(pk=use_id).first()
    if use is None:
        raise Http404()
    line = selectors.line_get(user=request.user, line_id=use.line_id)
    if action == "classify":
        form = f.ClassifyForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a classification."))
            return redirect("credit:detail", line_id=line.pk)
        return _act(request, line, lambda: services.use_classify(
            actor=request.user, use_id=use.pk, channel="web", **form.cleaned_data), _("Classification recorded."))
    operations = {"post": (services.use_post, _("Posted.")), "release": (services.use_release, _("Released.")),
                  "repay": (services.use_repay, _("Repayment recorded."))}
    if action not in operations:
        raise Http404()
    form = f.AmountForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The amount is not valid."))
        return redirect("credit:detail", line_id=line.pk)
    fn, done = operations[action]
    return _act(request, line, lambda: fn(actor=request.user, use_id=use.pk, amount=form.cleaned_data["amount"],
                                          idempotency_key=form.cleaned_data["idempotency_key"], channel="web"), done)
