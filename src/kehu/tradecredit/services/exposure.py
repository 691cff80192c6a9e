"""The order-time credit check (L-5): what the customer owes and has on order, and whether more fits.

The figures come from one SQL statement over the facts (exact integer cents on both databases). Callers
hold the customer's ``CreditAccount`` lock (``lock_account``) while they read the figures and write, so
a concurrent order, invoice or delivery for the same customer waits and then sees this one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.inputs import positive_amount
from kehu.core.models import User
from kehu.core.params import get_param
from kehu.helpdesk.models import ReceivableReduction
from kehu.trade.models import Delivery, Invoice, OrderStatus, Payment, SalesOrder
from kehu.tradecredit import rules
from kehu.tradecredit.errors import CreditCheckFailed
from kehu.tradecredit.models import CreditAccount
from kehu.tradecredit.services._common import (
    as_date,
    cents,
    col,
    from_cents,
    lock_account,
    table,
)

ZERO = rules.ZERO


@dataclass(frozen=True)
class Exposure:
    open_receivables: Decimal
    shipped_not_invoiced: Decimal
    open_orders: Decimal
    overdue_invoices: int
    overdue_amount: Decimal
    oldest_overdue_due_on: date | None

    @property
    def total(self) -> Decimal:
        return self.open_receivables + self.shipped_not_invoiced + self.open_orders


@dataclass(frozen=True)
class CheckResult:
    fits: bool
    overdue: bool
    reasons: list[str]
    authority: str
    figures: dict[str, Any] = field(default_factory=dict)


def exposure_of(customer_id: int, *, today: date | None = None, grace_days: int | None = None) -> Exposure:
    """Open receivables (each invoice's unpaid part), delivered but unbilled, accepted orders not yet shipped,
    and the invoices overdue by more than the grace period, in one statement. A prepaid order (款到发货) and its
    deliveries take no credit and are left out; its invoice is settled by the payment received before shipping."""
    today = today or timezone.localdate()
    grace = int(get_param("trade.overdue_grace_days", on=today) if grace_days is None else grace_days)
    cutoff = today - timedelta(days=grace)
    inv, pay, dlv, order = table(Invoice), table(Payment), table(Delivery), table(SalesOrder)
    red = table(ReceivableReduction)
    # As of today, like the facts' selectors: invoices issued and payments made by today; goods delivered by
    # today and not billed by an invoice issued by today, valued pro rata to the quantity delivered.
    paid = (f"COALESCE((SELECT SUM({cents('p.' + col(Payment, 'amount'))}) FROM {pay} p "
            f"WHERE p.{col(Payment, 'invoice')} = i.id AND p.{col(Payment, 'paid_on')} <= %s), 0)")
    open_part = f"({cents('i.' + col(Invoice, 'amount'))} - {paid})"
    issued = f"i.{col(Invoice, 'issued_on')} <= %s"
    d_amount, d_due, d_done = (f"d.{col(Delivery, 'amount')}", f"d.{col(Delivery, 'quantity_due')}",
                               f"d.{col(Delivery, 'quantity_delivered')}")
    shipped = cents(f"(CASE WHEN {d_due} > 0 THEN {d_amount} * {d_done} / {d_due} ELSE {d_amount} END)")
    sql = f"""
        SELECT
          (SELECT COALESCE(SUM(CASE WHEN x.open_c > 0 THEN x.open_c ELSE 0 END), 0)
             FROM (SELECT {open_part} AS open_c FROM {inv} i
                   WHERE i.{col(Invoice, 'customer')} = %s AND {issued}) x),
          (SELECT COALESCE(SUM({shipped}), 0) FROM {dlv} d
             LEFT JOIN {inv} b ON b.id = d.{col(Delivery, 'invoice')}
             WHERE d.{col(Delivery, 'customer')} = %s AND d.{col(Delivery, 'delivered_on')} <= %s
               AND (d.{col(Delivery, 'invoiced')} = %s OR b.{col(Invoice, 'issued_on')} > %s)
               AND NOT EXISTS (SELECT 1 FROM {order} po WHERE po.id = d.{col(Delivery, 'order')}
                               AND po.{col(SalesOrder, 'prepaid')} = %s)),
          (SELECT COALESCE(SUM({cents('o.' + col(SalesOrder, 'amount'))}), 0) FROM {order} o
             WHERE o.{col(SalesOrder, 'customer')} = %s AND o.{col(SalesOrder, 'status')} = %s
               AND o.{col(SalesOrder, 'prepaid')} = %s),
          (SELECT COUNT(*) FROM {inv} i WHERE i.{col(Invoice, 'customer')} = %s AND {issued}
             AND i.{col(Invoice, 'due_on')} < %s AND {open_part} > 0),
          (SELECT COALESCE(SUM({open_part}), 0) FROM {inv} i WHERE i.{col(Invoice, 'customer')} = %s AND {issued}
             AND i.{col(Invoice, 'due_on')} < %s AND {open_part} > 0),
          (SELECT MIN(i.{col(Invoice, 'due_on')}) FROM {inv} i WHERE i.{col(Invoice, 'customer')} = %s AND {issued}
             AND i.{col(Invoice, 'due_on')} < %s AND {open_part} > 0),
          (SELECT COALESCE(SUM({cents('r.' + col(ReceivableReduction, 'reduction_amount'))}), 0) FROM {red} r
             WHERE r.{col(ReceivableReduction, 'customer')} = %s AND r.{col(ReceivableReduction, 'effective_date')} <= %s)
    """
    c, t = customer_id, today
    params = [t, c, t,  # receivables (paid by, customer, issued by)
              c, t, False, t, True,  # shipped not invoiced (prepaid orders take no credit)
              c, OrderStatus.ACCEPTED, False,  # open orders (not the prepaid ones)
              c, t, cutoff, t,  # overdue count: customer, issued by, due before, paid by (open part)
              t, c, t, cutoff, t,  # overdue amount: paid by (summed open part), then as the count
              c, t, cutoff, t,  # oldest overdue due date
              c, t]  # approved allowances and credit notes effective by today
    with connection.cursor() as cur:
        cur.execute(sql, params)
        receivables, unbilled, orders, n_overdue, overdue_amount, oldest, reductions = cur.fetchone()
    # S-12: an approved allowance or credit note (helpdesk) reduces what the customer owes, never below zero
    receivables = max(0, int(receivables or 0) - int(reductions or 0))
    return Exposure(open_receivables=from_cents(receivables), shipped_not_invoiced=from_cents(unbilled),
                    open_orders=from_cents(orders), overdue_invoices=int(n_overdue or 0),
                    overdue_amount=from_cents(overdue_amount), oldest_overdue_due_on=as_date(oldest))


def credit_check(account: CreditAccount, amount: Decimal, *, today: date | None = None) -> CheckResult:
    """L-5 for ``amount`` of new exposure against the account's limit (the account must be locked)."""
    today = today or timezone.localdate()
    grace = int(get_param("trade.overdue_grace_days", on=today))
    exposure = exposure_of(account.customer_id, today=today, grace_days=grace)
    limit = account.limit_amount
    fits = rules.order_fits(limit=limit, open_receivables=exposure.open_receivables,
                            shipped_not_invoiced=exposure.shipped_not_invoiced, open_orders=exposure.open_orders,
                            order=amount)
    overdue = exposure.overdue_invoices > 0
    after = exposure.total + amount
    reasons = ([] if fits else ["over_limit"]) + (["overdue"] if overdue else [])
    authority = rules.release_authority(limit=limit, exposure=after, overdue=overdue,
                                        bands=get_param("trade.release_bands", on=today),
                                        overdue_authority=str(get_param("trade.overdue_release_authority", on=today)))
    ratio = rules.excess_ratio(limit=limit, exposure=after)
    figures = {
        "checked_on": today.isoformat(),
        "limit": str(limit),
        "term_days": account.term_days,
        "open_receivables": str(exposure.open_receivables),
        "shipped_not_invoiced": str(exposure.shipped_not_invoiced),
        "open_orders": str(exposure.open_orders),
        "amount": str(amount),
        "exposure_after": str(after),
        "available": str(max(ZERO, limit - exposure.total)),
        "excess": str(max(ZERO, after - limit)),
        "excess_ratio": None if ratio is None else str(ratio.quantize(Decimal("0.0001"))),
        "grace_days": grace,
        "overdue_invoices": exposure.overdue_invoices,
        "overdue_amount": str(exposure.overdue_amount),
        "oldest_overdue_due_on": exposure.oldest_overdue_due_on.isoformat() if exposure.oldest_overdue_due_on else None,
    }
    return CheckResult(fits=fits, overdue=overdue, reasons=reasons, authority=authority, figures=figures)


def receivable_guard(*, customer: Any, amount: Any, actor: User | None = None, what: str = "invoice") -> CheckResult:
    """The L-5 check for every other path that creates a receivable or unbilled delivery (a stand-alone
    invoice or delivery of the facts): call it inside the transaction that writes it, with the new exposure
    it adds. The customer's credit account stays locked until that transaction ends, so orders and other
    receivables for the customer are decided after it. Raises ``CreditCheckFailed`` (409) when it does not fit
    or an invoice is overdue beyond grace; there is no hold for these, only an order can be held and released.
    """
    customer_id = customer if isinstance(customer, int) else customer.pk
    amt = positive_amount(amount)
    account = lock_account(customer_id)
    result = credit_check(account, amt)
    if result.reasons:
        f = result.figures
        if "over_limit" in result.reasons:
            message = _("%(what)s of %(amount)s does not fit the credit limit %(limit)s: open receivables "
                        "%(receivables)s, shipped not invoiced %(unbilled)s, open orders %(orders)s.") % {
                "what": what, "amount": amt, "limit": f["limit"], "receivables": f["open_receivables"],
                "unbilled": f["shipped_not_invoiced"], "orders": f["open_orders"]}
        else:
            message = _("%(n)s invoices are overdue by more than %(days)s days; settle them first.") % {
                "n": f["overdue_invoices"], "days": f["grace_days"]}
        raise CreditCheckFailed(message, code="credit_over_limit" if "over_limit" in result.reasons else "credit_overdue")
    return result
