"""Sales orders and the order-time credit check (L-5): place, release or reject a hold, cancel, ship, invoice.

Every transition locks the customer's credit account first (then the order), writes an ``OrderStatusChange``
row and its audit event in the same transaction. Placing an order that does not fit puts it on CREDIT_HOLD
with the reasons, the figures the check saw and the authority its release needs. A release is an explicit
override: it re-checks under the lock and needs the authority for the excess at release time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.audit import audit_record
from kehu.core.errors import Conflict, InvalidInput, InvalidTransition, NotFound, PermissionDenied
from kehu.core.inputs import positive_amount, text
from kehu.core.models import User
from kehu.customers.services import customer_require_tradable
from kehu.trade.models import Delivery, Invoice, OrderStatus, OrderStatusChange, Payment, SalesOrder
from kehu.tradecredit import rules
from kehu.tradecredit.errors import IdempotencyMismatch, NoReleaseAuthority, OrderNumberTaken
from kehu.tradecredit.events import TradeCreditEvent
from kehu.tradecredit.models import CreditAccount
from kehu.tradecredit.permissions import TradeCreditPerm
from kehu.tradecredit.services._common import (
    actor_or_none,
    check_customer_scope,
    customer_for,
    lock_account,
    note_text,
    optional_day,
    release_authority_of,
)
from kehu.tradecredit.services.exposure import credit_check

AUTHORITY_LABELS = {
    "sales_manager": gettext_lazy("sales manager"),
    "finance_manager": gettext_lazy("finance manager"),
    "general_manager": gettext_lazy("general manager"),
}


def _idem_key(value: Any) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value.strip()) > 64 or not value.strip():
        raise InvalidInput(_("The idempotency key must be text of at most 64 characters."), field="idempotency_key")
    return value.strip()


def _replay(actor: User | None, key: str, *, customer_id: int, number: str, amount: Decimal,
            ordered_on: date) -> SalesOrder | None:
    """The order an earlier request with this key created, or None; a key reused for another body is refused."""
    if not key or actor is None:
        return None
    order = SalesOrder.objects.filter(created_by=actor, idempotency_key=key).first()
    if order is None:
        return None
    if (order.customer_id, order.number, order.amount, order.ordered_on) != (customer_id, number, amount, ordered_on):
        raise IdempotencyMismatch()
    order._replayed = True  # type: ignore[attr-defined]
    return order


def _record(order: SalesOrder, *, from_status: str, actor: User | None, note: str = "") -> None:
    OrderStatusChange.objects.create(order=order, from_status=from_status, to_status=order.status,
                                     actor=actor_or_none(actor), note=note[:500])


def order_place(*, actor: User | None, customer_id: Any, number: Any, amount: Any, ordered_on: Any = None,
                idempotency_key: Any = "", channel: str = "", prepaid: Any = False) -> SalesOrder:
    """Place an order and check it against the customer's credit (L-5): accepted, or on CREDIT_HOLD.

    A ``prepaid`` order (cash before delivery, 款到发货) takes no credit: it is accepted without the check and
    ships only once its payment is recorded (``order_prepayment_record``). The same idempotency key with the
    same body returns the first order and changes nothing."""
    if prepaid not in (True, False, None, "", 0, 1, "true", "false", "on"):
        raise InvalidInput(_("prepaid must be true or false."), field="prepaid")
    prepaid = prepaid in (True, 1, "true", "on")
    number = text(number, "number", max_length=64, required=True)
    amt = positive_amount(amount)
    ordered_on = optional_day(ordered_on, "ordered_on") or timezone.localdate()
    key = _idem_key(idempotency_key)
    try:
        with transaction.atomic():
            customer = customer_for(actor, customer_id, TradeCreditPerm.ORDER_PLACE)
            replayed = _replay(actor, key, customer_id=customer.pk, number=number, amount=amt, ordered_on=ordered_on)
            if replayed is not None:
                return replayed
            customer_require_tradable(customer_id=customer.pk)  # locks the customer row (admission guard)
            account = lock_account(customer.pk, customer_locked=True)
            # Locks held: a concurrent request with the same key may have committed meanwhile.
            replayed = _replay(actor, key, customer_id=customer.pk, number=number, amount=amt, ordered_on=ordered_on)
            if replayed is not None:
                return replayed
            if SalesOrder.objects.filter(number=number).exists():
                raise OrderNumberTaken()
            check = credit_check(account, amt)
            if prepaid:  # no credit is taken: what the check saw is kept for the page, nothing is held
                check = replace(check, figures={**check.figures, "prepaid": True}, reasons=[], fits=True)
            status = OrderStatus.CREDIT_HOLD if check.reasons else OrderStatus.ACCEPTED
            order = SalesOrder.objects.create(
                customer=customer, number=number, ordered_on=ordered_on, amount=amt, status=status,
                check_figures=check.figures, hold_reasons=check.reasons,
                release_authority=check.authority if check.reasons else "", idempotency_key=key,
                created_by=actor_or_none(actor), prepaid=prepaid)
            _record(order, from_status="", actor=actor)
            audit_record(actor=actor, event_code=TradeCreditEvent.ORDER_HELD if check.reasons
                         else TradeCreditEvent.ORDER_ACCEPTED, object_type="sales_order", object_id=order.pk,
                         customer_id=customer.pk, channel=channel,
                         new={"number": number, "amount": str(amt), "status": status, "reasons": check.reasons,
                              "release_authority": order.release_authority, "figures": check.figures,
                              "idempotency_key": key, "prepaid": prepaid})
            return order
    except IntegrityError:
        # Two requests raced past the look-ups (same key, or the same number): the loser answers with the
        # winner's order when it was the same request, and with a conflict otherwise.
        replayed = _replay(actor, key, customer_id=int(customer_id), number=number, amount=amt,
                           ordered_on=ordered_on) if key else None
        if replayed is not None:
            return replayed
        raise OrderNumberTaken() from None


def _order_for(actor: User | None, order_id: Any, perm: str) -> SalesOrder:
    try:
        pk = int(order_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    order = SalesOrder.objects.select_related("customer").filter(pk=pk).first()
    if order is None:
        raise NotFound()
    check_customer_scope(actor, order.customer, perm)
    return order


def _locked(actor: User | None, order_id: Any, perm: str, target: str):
    """Scope check, then the account lock, then the order row; the transition must be allowed."""
    order = _order_for(actor, order_id, perm)
    account = lock_account(order.customer_id)
    customer = order.customer
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    order.customer = customer
    if not rules.transition_allowed(order.status, target):
        raise InvalidTransition(_("Order %(number)s is %(status)s; it cannot become %(target)s.") % {
            "number": order.number, "status": order.get_status_display(),
            "target": OrderStatus(target).label})
    return order, account


def _move(order: SalesOrder, target: str, *, actor: User | None, note: str, event: int, channel: str,
          extra: dict | None = None, fields: tuple[str, ...] = ()) -> SalesOrder:
    before = order.status
    order.status = target
    order.save(update_fields=["status", *fields])
    _record(order, from_status=before, actor=actor, note=note)
    audit_record(actor=actor, event_code=event, object_type="sales_order", object_id=order.pk,
                 customer_id=order.customer_id, channel=channel, old={"status": before},
                 new={"status": target, "number": order.number, **(extra or {})}, reason=note)
    return order


@transaction.atomic
def order_release(*, actor: User, order_id: Any, note: Any, channel: str = "") -> SalesOrder:
    """Release a held order (L-5). The check runs again under the lock: the actor needs the authority for the
    excess as it is now (it may have grown or vanished since the order was placed)."""
    if actor is None or not actor.pk:
        raise PermissionDenied()
    note = note_text(note, required=True)
    order, account = _locked(actor, order_id, TradeCreditPerm.ORDER_RELEASE, OrderStatus.ACCEPTED)
    check = credit_check(account, order.amount)
    held = release_authority_of(actor, order.customer)
    if not rules.may_release([held], check.authority):
        raise NoReleaseAuthority(_("Releasing order %(number)s needs the %(authority)s: the exposure would be "
                                   "%(after)s against a limit of %(limit)s.") % {
            "number": order.number, "authority": AUTHORITY_LABELS[check.authority],
            "after": check.figures["exposure_after"], "limit": check.figures["limit"]})
    order.check_figures = {**order.check_figures, "release": {**check.figures, "reasons": check.reasons,
                                                              "authority": check.authority}}
    order.release_authority = check.authority
    order.decided_by, order.decided_at, order.decision_note = actor, timezone.now(), note
    return _move(order, OrderStatus.ACCEPTED, actor=actor, note=note, event=TradeCreditEvent.ORDER_RELEASED,
                 channel=channel, extra={"authority": check.authority, "released_as": held,
                                         "figures": check.figures, "reasons": check.reasons},
                 fields=("check_figures", "release_authority", "decided_by", "decided_at", "decision_note"))


@transaction.atomic
def order_reject(*, actor: User, order_id: Any, note: Any, channel: str = "") -> SalesOrder:
    """Refuse a held order for good (any release authority over the customer)."""
    if actor is None or not actor.pk:
        raise PermissionDenied()
    note = note_text(note, required=True)
    order, _account = _locked(actor, order_id, TradeCreditPerm.ORDER_RELEASE, OrderStatus.REJECTED)
    if not release_authority_of(actor, order.customer):
        raise NoReleaseAuthority()
    order.decided_by, order.decided_at, order.decision_note = actor, timezone.now(), note
    return _move(order, OrderStatus.REJECTED, actor=actor, note=note, event=TradeCreditEvent.ORDER_REJECTED,
                 channel=channel, fields=("decided_by", "decided_at", "decision_note"))


@transaction.atomic
def order_cancel(*, actor: User | None, order_id: Any, note: Any, channel: str = "") -> SalesOrder:
    """Cancel an accepted or held order before it ships; it stops counting against the limit. A cancelled
    order is final: it cannot be reopened, so cancelling never frees room that a reopening could take back."""
    note = note_text(note, required=True)
    order, _account = _locked(actor, order_id, TradeCreditPerm.ORDER_PLACE, OrderStatus.CANCELLED)
    return _move(order, OrderStatus.CANCELLED, actor=actor, note=note, event=TradeCreditEvent.ORDER_CANCELLED,
                 channel=channel)


@transaction.atomic
def order_ship(*, actor: User | None, order_id: Any, shipped_on: Any = None, quantity: Any = None,
               channel: str = "") -> SalesOrder:
    """Ship an accepted order whole: a delivery for its amount, delivered today (or ``shipped_on``). The amount
    moves from open orders to shipped-not-invoiced, so the exposure does not change."""
    shipped_on = optional_day(shipped_on, "shipped_on") or timezone.localdate()
    qty = Decimal(1) if quantity in (None, "") else positive_amount(quantity, "quantity")
    order, _account = _locked(actor, order_id, TradeCreditPerm.ORDER_PLACE, OrderStatus.SHIPPED)
    if order.prepaid and not order.prepayment:
        raise InvalidTransition(_("Order %(number)s is prepaid: record its payment before shipping.") % {
            "number": order.number}, code="payment_first")
    reference = f"{order.number}/D"
    if Delivery.objects.filter(customer_id=order.customer_id, reference=reference).exists():
        raise Conflict(_("A delivery %(ref)s already exists.") % {"ref": reference}, code="delivery_exists")
    delivery = Delivery.objects.create(customer_id=order.customer_id, order=order, reference=reference,
                                       due_on=shipped_on, delivered_on=shipped_on, quantity_due=qty,
                                       quantity_delivered=qty, amount=order.amount, created_by=actor_or_none(actor))
    return _move(order, OrderStatus.SHIPPED, actor=actor, note="", event=TradeCreditEvent.ORDER_SHIPPED,
                 channel=channel, extra={"delivery": delivery.pk, "shipped_on": shipped_on.isoformat(),
                                         "amount": str(order.amount)})


def _has_invoice_link() -> bool:
    try:
        Delivery._meta.get_field("invoice")
    except Exception:  # the facts may not link deliveries to invoices
        return False
    return True


@transaction.atomic
def order_invoice(*, actor: User | None, order_id: Any, reference: Any, issued_on: Any = None, due_on: Any = None,
                  channel: str = "") -> SalesOrder:
    """Invoice a shipped order: one invoice for its unbilled deliveries, due after the account's credit term
    unless ``due_on`` is given. The amount moves from shipped-not-invoiced to receivables (no net change)."""
    reference = text(reference, "reference", max_length=64, required=True)
    issued_on = optional_day(issued_on, "issued_on") or timezone.localdate()
    order, account = _locked(actor, order_id, TradeCreditPerm.ORDER_INVOICE, OrderStatus.INVOICED)
    due = optional_day(due_on, "due_on") or issued_on + timedelta(days=account.term_days)
    if due < issued_on:
        raise InvalidInput(_("The due date cannot be before the issue date."), field="due_on")
    unbilled = Delivery.objects.select_for_update().filter(order=order, invoiced=False)
    total = unbilled.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    if total <= 0:
        raise InvalidTransition(_("Order %(number)s has nothing left to invoice.") % {"number": order.number})
    if Invoice.objects.filter(customer_id=order.customer_id, reference=reference).exists():
        raise Conflict(_("Invoice %(ref)s already exists for this customer.") % {"ref": reference},
                       code="invoice_exists")
    invoice = Invoice.objects.create(customer_id=order.customer_id, order=order, reference=reference,
                                     issued_on=issued_on, due_on=due, amount=total, currency=order.currency,
                                     created_by=actor_or_none(actor))
    values: dict[str, Any] = {"invoiced": True}
    if _has_invoice_link():
        values["invoice"] = invoice
    unbilled.update(**values)
    if order.prepaid and order.prepayment:  # the payment received before shipping settles the invoice
        Payment.objects.create(invoice=invoice, customer_id=order.customer_id, reference=order.prepayment["reference"],
                               paid_on=date.fromisoformat(order.prepayment["paid_on"]), amount=total,
                               created_by=actor_or_none(actor))
    return _move(order, OrderStatus.INVOICED, actor=actor, note="", event=TradeCreditEvent.ORDER_INVOICED,
                 channel=channel, extra={"invoice": invoice.pk, "reference": reference, "amount": str(total),
                                         "due_on": due.isoformat()})


@transaction.atomic
def order_prepayment_record(*, actor: User | None, order_id: Any, reference: Any, paid_on: Any = None,
                            channel: str = "") -> SalesOrder:
    """Record the payment of a prepaid order (款到发货) for its full amount, before it ships (finance)."""
    reference = text(reference, "reference", max_length=64, required=True)
    paid_on = optional_day(paid_on, "paid_on") or timezone.localdate()
    order = _order_for(actor, order_id, TradeCreditPerm.ORDER_INVOICE)
    lock_account(order.customer_id)
    order = SalesOrder.objects.select_for_update().select_related("customer").get(pk=order.pk)
    if not order.prepaid or order.status != OrderStatus.ACCEPTED or order.prepayment:
        raise InvalidTransition(_("Only an accepted prepaid order without a recorded payment takes one."),
                                code="not_awaiting_payment")
    if paid_on > timezone.localdate():
        raise InvalidInput(_("A payment cannot be dated in the future."), field="paid_on")
    order.prepayment = {"reference": reference, "paid_on": paid_on.isoformat(), "amount": str(order.amount),
                        "by": actor.pk if actor is not None and actor.pk else None}
    order.save(update_fields=["prepayment"])
    _record(order, from_status=order.status, actor=actor, note=_("Payment %(ref)s received") % {"ref": reference})
    audit_record(actor=actor, event_code=TradeCreditEvent.ORDER_PREPAID, object_type="sales_order", object_id=order.pk,
                 customer_id=order.customer_id, channel=channel,
                 new={"number": order.number, "prepayment": order.prepayment})
    return order


def required_authority_now(order: SalesOrder) -> str:
    """The authority a held order's release needs at this moment (for pages; the release re-checks)."""
    account = CreditAccount.objects.filter(customer_id=order.customer_id).first()
    if account is None:
        account = CreditAccount(customer_id=order.customer_id)
    return credit_check(account, order.amount).authority


