"""Staff pages of trade credit: a customer's credit (limit, basis, term, exposure, open orders), the orders
list with the holds, an order with its check and the release for the right authority, the order form and the
limit increases waiting for approval. Thin: each page calls selectors, each action one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kehu.core.errors import DomainError, NotFound
from kehu.core.errors import PermissionDenied as DomainPermissionDenied
from kehu.core.selectors import access_for
from kehu.trade.models import OrderStatus, ReleaseAuthority
from kehu.tradecredit import selectors as selectors
from kehu.tradecredit import services
from kehu.tradecredit.forms import LimitForm, OrderForm
from kehu.tradecredit.permissions import TradeCreditPerm

HOLD_REASONS = {"over_limit": gettext_lazy("Over the credit limit"),
                "overdue": gettext_lazy("An invoice is overdue beyond the grace period")}


def _require(request, perm):
    access = access_for(request.user)
    if not access.has(perm):
        raise HttpForbidden(_("You do not have permission to do this."))
    return access


def _put_error(form, exc: DomainError):
    field = getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, str(exc.message))


def _reasons(codes):
    return [HOLD_REASONS.get(c, c) for c in codes]


@login_required
def customer_credit(request, customer_id: int, limit_form: LimitForm | None = None, status: int = 200):
    access = _require(request, TradeCreditPerm.VIEW)
    view = selectors.customer_credit(user=request.user, customer_id=customer_id)
    path = view.customer.org_path
    owner = view.customer.manager_id
    pending = view.pending
    can_decide = (pending is not None and pending.requested_by_id != request.user.pk
                  and access.reaches(TradeCreditPerm.LIMIT_APPROVE, org_path=path, owner_id=owner))
    return render(request, "tradecredit/credit.html", {
        "v": view, "customer": view.customer, "can_set": access.reaches(TradeCreditPerm.LIMIT_SET, org_path=path,
                                                                          owner_id=owner),
        "can_order": access.reaches(TradeCreditPerm.ORDER_PLACE, org_path=path, owner_id=owner),
        "can_decide": can_decide, "limit_form": limit_form or LimitForm(initial={
            "amount": view.account.limit_amount, "term_days": view.account.term_days}),
    }, status=status)


@login_required
@require_POST
def limit_set(request, customer_id: int):
    form = LimitForm(request.POST)
    if form.is_valid():
        try:
            result = services.credit_limit_set(actor=request.user, customer_id=customer_id, **form.cleaned_data)
        except NotFound:
            raise Http404() from None
        except DomainError as exc:
            _put_error(form, exc)
        else:
            if result.change is not None:
                messages.success(request, _("Increase requested; it waits for a second person's approval."))
            else:
                messages.success(request, _("Limit changed."))
            return redirect("tradecredit:credit", customer_id=customer_id)
    return customer_credit(request, customer_id, limit_form=form, status=400)


@login_required
def order_list(request):
    access = _require(request, TradeCreditPerm.VIEW)
    status = request.GET.get("status", "")
    if status not in OrderStatus.values:
        status = ""
    try:
        before = int(request.GET.get("before") or 0) or None
        customer_id = int(request.GET.get("customer") or 0) or None
    except ValueError:
        before = customer_id = None
    orders, next_before = selectors.order_list(user=request.user, status=status, customer_id=customer_id,
                                               before=before)
    return render(request, "tradecredit/orders.html", {
        "orders": orders, "next_before": next_before, "status": status, "statuses": OrderStatus.choices,
        "customer_id": customer_id or "", "can_order": access.has(TradeCreditPerm.ORDER_PLACE),
        "can_approve": access.has(TradeCreditPerm.LIMIT_APPROVE)})


@login_required
def order_create(request):
    _require(request, TradeCreditPerm.ORDER_PLACE)
    form = OrderForm(request.POST or None, initial={"customer_id": request.GET.get("customer") or None})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                order = services.order_place(actor=request.user, channel="web", **form.cleaned_data)
            except NotFound:
                form.add_error("customer_id", _("No such customer in your scope."))
                status = 404
            except DomainError as exc:
                _put_error(form, exc)
                status = 403 if isinstance(exc, DomainPermissionDenied) else exc.http_status
            else:
                if order.status == OrderStatus.CREDIT_HOLD:
                    messages.warning(request, _("Order %(number)s is on credit hold: %(reasons)s.") % {
                        "number": order.number, "reasons": "; ".join(str(r) for r in _reasons(order.hold_reasons))})
                else:
                    messages.success(request, _("Order %(number)s accepted.") % {"number": order.number})
                return redirect("tradecredit:order", order_id=order.pk)
    return render(request, "tradecredit/order_form.html", {"form": form}, status=status)


@login_required
def order_detail(request, order_id: int):
    access = _require(request, TradeCreditPerm.VIEW)
    order = selectors.order_get(user=request.user, order_id=order_id)
    path, owner = order.customer.org_path, order.customer.manager_id
    hold = selectors.hold_view(user=request.user, order=order)
    return render(request, "tradecredit/order.html", {
        "order": order, "reasons": _reasons(order.hold_reasons), "hold": hold,
        "hold_reasons_now": _reasons(hold.reasons) if hold else [],
        "hold_authority_label": ReleaseAuthority(hold.authority).label if hold else "",
        "history": selectors.order_history(order), "release": order.check_figures.get("release"),
        "can_place": access.reaches(TradeCreditPerm.ORDER_PLACE, org_path=path, owner_id=owner),
        "can_invoice": access.reaches(TradeCreditPerm.ORDER_INVOICE, org_path=path, owner_id=owner),
    })


@login_required
@require_POST
def order_action(request, order_id: int, action: str):
    order = selectors.order_get(user=request.user, order_id=order_id)
    note = (request.POST.get("note") or "").strip()
    calls = {
        "release": (lambda: services.order_release(actor=request.user, order_id=order.pk, note=note, channel="web"),
                    _("Order released.")),
        "reject": (lambda: services.order_reject(actor=request.user, order_id=order.pk, note=note, channel="web"),
                   _("Order rejected.")),
        "cancel": (lambda: services.order_cancel(actor=request.user, order_id=order.pk, note=note, channel="web"),
                   _("Order cancelled.")),
        "ship": (lambda: services.order_ship(actor=request.user, order_id=order.pk,
                                             shipped_on=request.POST.get("shipped_on") or None, channel="web"),
                 _("Order shipped.")),
        "prepayment": (lambda: services.order_prepayment_record(actor=request.user, order_id=order.pk,
                                                                reference=request.POST.get("reference", ""),
                                                                paid_on=request.POST.get("paid_on") or None,
                                                                channel="web"),
                       _("Payment recorded; the order may ship.")),
        "invoice": (lambda: services.order_invoice(actor=request.user, order_id=order.pk,
                                                   reference=request.POST.get("reference", ""),
                                                   due_on=request.POST.get("due_on") or None, channel="web"),
                    _("Order invoiced.")),
    }
    if action not in calls:
        raise Http404()
    call, done = calls[action]
    try:
        call()
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("tradecredit:order", order_id=order.pk)


@login_required
def limit_changes(request):
    _require(request, TradeCreditPerm.VIEW)
    status = request.GET.get("status", "pending")
    if status not in ("pending", "approved", "rejected", "superseded", ""):
        status = "pending"
    access = access_for(request.user)
    changes = list(selectors.limit_changes(user=request.user, status=status))
    for change in changes:
        customer = change.account.customer
        change.can_decide = (change.status == "pending" and change.requested_by_id != request.user.pk
                             and access.reaches(TradeCreditPerm.LIMIT_APPROVE, org_path=customer.org_path,
                                                owner_id=customer.manager_id))
    return render(request, "tradecredit/limit_changes.html", {"changes": changes, "status": status})


@login_required
@require_POST
def change_action(request, change_id: int, action: str):
    note = (request.POST.get("note") or "").strip()
    if action == "approve":
        call, done = (lambda: services.limit_change_approve(actor=request.user, change_id=change_id, note=note)), \
            _("Increase approved; the new limit is in force.")
    elif action == "reject":
        call, done = (lambda: services.limit_change_reject(actor=request.user, change_id=change_id, note=note)), \
            _("Increase rejected.")
    else:
        raise Http404()
    try:
        call()
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/trade/") else "tradecredit:limit_changes")
