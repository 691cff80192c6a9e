"""Reads of the trade facts.

Two kinds of reads live here:

* scoped reads for people (pages, API): :func:`customer_in_scope` and :func:`customer_facts` apply the
  caller's org-unit scope; outside it a customer does not exist (404), in scope without the permission
  for an action it is 403, as in the customer archive;
* figures for the credit check and the pages (:func:`open_receivables`, :func:`overdue`,
  :func:`overdue_invoices`, :func:`shipped_not_invoiced`, :func:`average_monthly_sales`,
  :func:`sales_by_month`): pure functions of ``customer_id`` and a date, each one SQL statement, no
  scope (the caller has already decided that it may look at the customer) and no Python loop over rows.

"As of" a date means: invoices issued, payments made and goods delivered on or before that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from kehu.core.access import require
from kehu.core.errors import NotFound
from kehu.core.models import User
from kehu.core.money import round_money
from kehu.customers.models import Customer
from kehu.helpdesk.selectors import receivable_reductions
from kehu.trade.models import Delivery, Invoice, Payment, SalesRecord
from kehu.trade.permissions import TradePerm

ZERO = Decimal("0.00")
# SQLite keeps decimals as doubles, so a fully paid invoice can leave a residue of 1e-12 after the
# subtraction; anything below half a fen is paid.
HALF_FEN = Decimal("0.005")
MONEY_FIELD = DecimalField(max_digits=20, decimal_places=2)

SCOPE_FIELDS = ("id", "org_path", "manager_id", "admission_status", "org_unit_id")
FACT_MODELS = {"sales": SalesRecord, "deliveries": Delivery, "invoices": Invoice, "payments": Payment}


# ----------------------------------------------------------------------------- scope


def customer_in_scope(*, user: User | None, customer_id: int, perm: str = TradePerm.FACTS_VIEW) -> Customer:
    """Return the customer if ``user`` may do ``perm`` on its facts: 404 outside the user's scope (the
    facts view or ``perm``), 403 in scope without ``perm``. ``user`` None is the system (CLI, demo)."""
    # Only what scope and the services need: loading the whole row would decrypt its personal fields.
    customer = Customer.objects.only(*SCOPE_FIELDS).filter(pk=customer_id).first()
    if user is None:
        if customer is None:
            raise NotFound()
        return customer
    require(user, perm, view=TradePerm.FACTS_VIEW, org_path=customer.org_path if customer else None,
            owner_id=customer.manager_id if customer else None)
    return customer


def customer_facts(*, user: User | None, customer_id: int, kind: str) -> QuerySet:
    """One customer's facts of ``kind`` (sales, deliveries, invoices, payments), newest id first."""
    model = FACT_MODELS.get(kind)
    if model is None:
        raise NotFound()
    customer_in_scope(user=user, customer_id=customer_id)
    rows = model.objects.filter(customer_id=customer_id).order_by("-id")
    if model is Payment:
        rows = rows.select_related("invoice")
    if model is Delivery:
        rows = rows.select_related("invoice")
    return rows


# ----------------------------------------------------------------------------- figures


class DaysBetween(Func):
    """Whole days from the date expression ``earlier`` to the date ``later`` (a Python date)."""

    output_field = IntegerField()

    def __init__(self, earlier, later: date) -> None:
        super().__init__(earlier, Value(later, output_field=DateField()))

    def as_sql(self, compiler, connection, **extra):
        earlier, later = (compiler.compile(e) for e in self.get_source_expressions())
        params = [*later[1], *earlier[1]]
        if connection.vendor == "postgresql":
            return f"(CAST({later[0]} AS DATE) - CAST({earlier[0]} AS DATE))", params
        return f"CAST(julianday({later[0]}) - julianday({earlier[0]}) AS INTEGER)", params


def _today(as_of: date | None) -> date:
    return as_of or timezone.localdate()


def _paid(as_of: date):
    """Payments made on an invoice (``OuterRef('pk')``) up to ``as_of``, as a scalar subquery."""
    paid = (Payment.objects.filter(invoice=OuterRef("pk"), paid_on__lte=as_of).order_by()
            .values("invoice").annotate(total=Sum("amount")).values("total")[:1])
    return Coalesce(Subquery(paid, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD)


def open_invoices(*, customer_id: int, as_of: date | None = None) -> QuerySet[Invoice]:
    """Invoices issued by ``as_of`` and not fully paid by then, with ``paid_amount`` and ``open_amount``."""
    day = _today(as_of)
    return (Invoice.objects.filter(customer_id=customer_id, issued_on__lte=day)
            .annotate(paid_amount=_paid(day))
            .annotate(open_amount=F("amount") - F("paid_amount"))
            .filter(open_amount__gte=HALF_FEN))


def open_receivables(*, customer_id: int, as_of: date | None = None) -> Decimal:
    """Open receivables (应收账款余额): invoices issued − payments received − approved allowances and credit
    notes (S-12: they reduce receivables, which feeds the credit check), as of a date, never below zero."""

    day = _today(as_of)
    total = open_invoices(customer_id=customer_id, as_of=day).aggregate(total=Sum("open_amount"))["total"]
    return max(Decimal("0.00"), round_money(Decimal(total or 0)) - receivable_reductions(customer_id, day))


@dataclass(frozen=True)
class Overdue:
    amount: Decimal  # open amount of the invoices past their due date
    invoices: int
    max_days: int  # days the oldest overdue invoice is past due (0: nothing overdue)
    oldest_due_on: date | None


def overdue(*, customer_id: int, as_of: date | None = None) -> Overdue:
    """What is past due and still open on ``as_of``: amount, count, and the longest overdue in days."""
    day = _today(as_of)
    agg = (open_invoices(customer_id=customer_id, as_of=day).filter(due_on__lt=day)
           .aggregate(amount=Sum("open_amount"), n=Count("id"), oldest=Min("due_on")))
    oldest = agg["oldest"]
    return Overdue(amount=round_money(Decimal(agg["amount"] or 0)), invoices=agg["n"] or 0,
                   max_days=(day - oldest).days if oldest else 0, oldest_due_on=oldest)


def overdue_invoices(*, customer_id: int, as_of: date | None = None) -> QuerySet[Invoice]:
    """The overdue invoices themselves, oldest due first, with ``open_amount`` and ``days_overdue``."""
    day = _today(as_of)
    return (open_invoices(customer_id=customer_id, as_of=day).filter(due_on__lt=day)
            .annotate(days_overdue=DaysBetween(F("due_on"), day)).order_by("due_on", "id"))


def shipped_value():
    """The value of what a delivery has shipped: its amount pro rata to the quantity delivered."""
    return Case(
        When(quantity_due__gt=0, then=F("amount") * F("quantity_delivered") / F("quantity_due")),
        default=F("amount"), output_field=MONEY_FIELD)


def shipped_not_invoiced(*, customer_id: int, as_of: date | None = None) -> Decimal:
    """Goods delivered by ``as_of`` that no invoice issued by then has billed (已发货未开票, L-5)."""
    day = _today(as_of)
    total = (Delivery.objects.filter(customer_id=customer_id, delivered_on__lte=day)
             .filter(Q(invoiced=False) | Q(invoice__issued_on__gt=day))
             .aggregate(total=Sum(shipped_value()))["total"])
    return round_money(Decimal(total or 0))


def _months_back(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def average_monthly_sales(*, customer_id: int, until: date | None = None, months: int = 12) -> Decimal:
    """Average monthly sales over the ``months`` months before ``until``'s month, counting only months
    with sales (L-2: "average monthly sales counts only months with shipments")."""
    end = _today(until).replace(day=1)
    agg = (SalesRecord.objects.filter(customer_id=customer_id, period__gte=_months_back(end, months),
                                      period__lt=end)
           .aggregate(total=Sum("amount", filter=Q(amount__gt=0)),
                      n=Count("period", distinct=True, filter=Q(amount__gt=0))))
    if not agg["n"]:
        return ZERO
    return round_money(Decimal(agg["total"]) / agg["n"])


def sales_by_month(*, customer_id: int, until: date | None = None, months: int = 12) -> list[tuple[date, Decimal]]:
    """(month, amount) for each of the ``months`` months up to and including ``until``'s month; months
    without a record are 0."""
    end = _today(until).replace(day=1)
    start = _months_back(end, months - 1)
    rows = dict(SalesRecord.objects.filter(customer_id=customer_id, period__gte=start, period__lte=end)
                .order_by().values("period").annotate(total=Sum("amount")).values_list("period", "total"))
    return [(m, round_money(Decimal(rows.get(m) or 0))) for m in (_months_back(end, k) for k in
                                                                 range(months - 1, -1, -1))]
