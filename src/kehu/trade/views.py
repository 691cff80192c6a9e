"""Staff pages of the trade facts: one customer's sales by month (with a chart), deliveries, invoices with what
is open and overdue, and payments, with forms to record each fact. Thin: the services validate and audit;
outside the user's scope the customer does not exist (404)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core.charts import chart_style, new_figure, svg_of
from kehu.core.errors import DomainError, NotFound, PermissionDenied
from kehu.core.selectors import access_for
from kehu.trade import selectors
from kehu.trade.permissions import TradePerm
from kehu.trade.services import facts

ROWS = 50  # rows per list on the page; the API pages through all of them


def _customer(request, customer_id: int, perm: str = TradePerm.FACTS_VIEW):
    try:
        return selectors.customer_in_scope(user=request.user, customer_id=customer_id, perm=perm)
    except NotFound:
        raise Http404() from None
    except PermissionDenied:
        raise HttpForbidden(_("You do not have permission to do this.")) from None


def sales_chart(months: list[tuple[date, object]]) -> str:
    """Bars of the monthly sales as inline SVG (matplotlib, text kept as text)."""
    with chart_style():
        fig = new_figure((7, 2.6))
        ax = fig.add_subplot()
        ax.bar([f"{m:%y-%m}" for m, _v in months], [float(v) / 10000 for _m, v in months], color="#3a6ea5")
        ax.set_ylim(bottom=0)  # sales: no negative ticks
        ax.set_ylabel(_("10,000 CNY"))
        ax.tick_params(axis="x", labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        return svg_of(fig)


@login_required
def customer_facts(request, customer_id: int):
    customer = _customer(request, customer_id)
    today = timezone.localdate()
    access = access_for(request.user)
    where = {"org_path": customer.org_path, "owner_id": customer.manager_id}
    months = selectors.sales_by_month(customer_id=customer.pk, until=today, months=12)
    late = selectors.overdue(customer_id=customer.pk, as_of=today)
    invoices = (selectors.customer_facts(user=request.user, customer_id=customer.pk, kind="invoices")
                .annotate(paid_total=Coalesce(Sum("payments__amount"), 0, output_field=selectors.MONEY_FIELD))
                .prefetch_related("deliveries")[:ROWS])
    invoice_rows = [{"invoice": i, "open": selectors.round_money(i.amount - i.paid_total),
                     "days_overdue": (today - i.due_on).days if i.due_on < today and i.amount - i.paid_total >=
                     selectors.HALF_FEN else 0} for i in invoices]
    context = {
        "customer": customer,
        "today": today,
        "months": months,
        "chart": sales_chart(months),
        "sales": selectors.customer_facts(user=request.user, customer_id=customer.pk, kind="sales")[:ROWS],
        "deliveries": selectors.customer_facts(user=request.user, customer_id=customer.pk, kind="deliveries")[:ROWS],
        "invoices": invoice_rows,
        "payments": selectors.customer_facts(user=request.user, customer_id=customer.pk, kind="payments")[:ROWS],
        "open_receivables": selectors.open_receivables(customer_id=customer.pk, as_of=today),
        "overdue": late,
        "unbilled": selectors.shipped_not_invoiced(customer_id=customer.pk, as_of=today),
        "average_sales": selectors.average_monthly_sales(customer_id=customer.pk, until=today),
        "can_sales": access.reaches(TradePerm.SALES_RECORD, **where),
        "can_finance": access.reaches(TradePerm.FINANCE_RECORD, **where),
    }
    return render(request, "trade/facts.html", context)


def _record(request, customer_id: int, perm: str, anchor: str, call) -> object:
    """Run one service with the form's fields; a refusal is shown on the page, the user's input is kept."""
    customer = _customer(request, customer_id, perm)
    try:
        recorded = call(customer)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        texts = {"created": _("Recorded."), "updated": _("Corrected; the change is in the audit log."),
                 "unchanged": _("Already recorded with the same figures; nothing changed.")}
        messages.success(request, texts[recorded.outcome])
    return redirect(reverse("trade:facts_customer", args=[customer.pk]) + "#" + anchor)


def _post(request, *names: str) -> dict:
    return {n: request.POST.get(n, "").strip() for n in names}


@login_required
@require_POST
def sales_create(request, customer_id: int):
    data = _post(request, "reference", "period", "amount")
    return _record(request, customer_id, TradePerm.SALES_RECORD, "sales", lambda c: facts.sales_record(
        actor=request.user, customer_id=c.pk, channel="web", **data))


@login_required
@require_POST
def delivery_create(request, customer_id: int):
    data = _post(request, "reference", "due_on", "quantity_due", "amount", "delivered_on", "quantity_delivered")
    return _record(request, customer_id, TradePerm.SALES_RECORD, "deliveries", lambda c: facts.delivery_record(
        actor=request.user, customer_id=c.pk, channel="web", **{k: v or None for k, v in data.items()}))


@login_required
@require_POST
def delivery_confirm(request, customer_id: int, delivery_id: int):
    data = _post(request, "delivered_on", "quantity_delivered")

    def confirm(customer):
        if not customer.deliveries.filter(pk=delivery_id).exists():
            raise NotFound()
        return facts.delivery_confirm(actor=request.user, delivery_id=delivery_id, channel="web", **data)

    return _record(request, customer_id, TradePerm.SALES_RECORD, "deliveries", confirm)


@login_required
@require_POST
def invoice_create(request, customer_id: int):
    data = _post(request, "reference", "issued_on", "due_on", "amount", "delivery_references")
    data["delivery_references"] = data["delivery_references"] or None
    return _record(request, customer_id, TradePerm.FINANCE_RECORD, "invoices", lambda c: facts.invoice_record(
        actor=request.user, customer_id=c.pk, channel="web", **data))


@login_required
@require_POST
def payment_create(request, customer_id: int):
    data = _post(request, "reference", "paid_on", "amount", "invoice_reference")
    return _record(request, customer_id, TradePerm.FINANCE_RECORD, "payments", lambda c: facts.payment_record(
        actor=request.user, customer_id=c.pk, channel="web", **data))
