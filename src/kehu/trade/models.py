"""Trade facts (domain spec 3A facts): sales, orders, deliveries, invoices and payments.

Facts are what the monthly grading scores and what trade credit's order-time check adds up. The order
table is here because deliveries and invoices point at it; its lifecycle (placed under the credit check,
held, released, shipped, invoiced) is trade credit's (``kehu.tradecredit``), the app above grading that
also keeps the limits.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.core.fields import DecimalDigits

MONEY: DecimalDigits = {"max_digits": 20, "decimal_places": 2}
QUANTITY: DecimalDigits = {"max_digits": 20, "decimal_places": 4}


class SalesRecord(models.Model):
    """Sales to (purchases by) a customer in one month: the purchase-volume indicator (客户采购量)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="sales_records")
    period = models.DateField(_("month"), help_text=_("First day of the month."))
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    reference = models.CharField(_("reference"), max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sales record")
        verbose_name_plural = _("sales records")
        ordering = ["-period", "-id"]
        indexes = [models.Index(fields=["customer", "period"], name="trade_sales_cust_period")]
        constraints = [
            # a re-imported file updates its rows instead of adding them twice
            models.UniqueConstraint(fields=["customer", "reference"], name="trade_sales_ref_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.period:%Y-%m} {self.amount}"


class OrderStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    CREDIT_HOLD = "credit_hold", _("On credit hold")
    REJECTED = "rejected", _("Rejected")
    SHIPPED = "shipped", _("Shipped")
    INVOICED = "invoiced", _("Invoiced")
    CANCELLED = "cancelled", _("Cancelled")


class ReleaseAuthority(models.TextChoices):
    """Who may release a held order, by how far it goes over the limit (L-5)."""

    SALES_MANAGER = "sales_manager", _("Sales manager")
    FINANCE_MANAGER = "finance_manager", _("Finance manager")
    GENERAL_MANAGER = "general_manager", _("General manager")


class SalesOrder(models.Model):
    """A customer's order. It is checked against the credit limit when it is placed (L-5); while it is
    accepted and not yet shipped its open amount counts against the limit."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="sales_orders")
    number = models.CharField(_("order number"), max_length=64, unique=True)
    ordered_on = models.DateField(_("ordered on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    status = models.CharField(_("status"), max_length=16, choices=OrderStatus.choices)
    # What the check saw, so that a hold can be explained and a release judged on the same figures.
    check_figures = models.JSONField(_("credit check"), default=dict)
    hold_reasons = models.JSONField(_("hold reasons"), default=list)
    release_authority = models.CharField(_("release authority"), max_length=32, choices=ReleaseAuthority.choices,
                                         blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True)
    # Cash before delivery (款到发货, domain spec L-2: grade C and no-credit customers): the customer pays before
    # the goods leave, so the order takes no credit, is not checked against the limit and never held.
    prepaid = models.BooleanField(_("prepaid"), default=False)
    prepayment = models.JSONField(_("prepayment"), default=dict, blank=True)  # reference, paid_on, amount, by
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        ordering = ["-id"]
        indexes = [models.Index(fields=["customer", "status"], name="trade_order_cust_status")]
        constraints = [
            models.UniqueConstraint(fields=["created_by", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="trade_order_idempotency"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="trade_order_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.amount} {self.status}"


class OrderStatusChange(models.Model):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=16, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=OrderStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order status change")
        verbose_name_plural = _("order status changes")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status} → {self.to_status}"


class Delivery(models.Model):
    """A contracted delivery (合同交货): the contract-fulfilment indicator (信用履约率) counts quantity
    delivered on time against quantity due. Delivered and not yet invoiced, its amount is part of the
    order-time check (shipped but unbilled, L-5)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="deliveries")
    order = models.ForeignKey(SalesOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries")
    reference = models.CharField(_("reference"), max_length=64)
    due_on = models.DateField(_("due on"))
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    quantity_due = models.DecimalField(_("quantity due"), **QUANTITY)
    quantity_delivered = models.DecimalField(_("quantity delivered"), default=0, **QUANTITY)
    amount = models.DecimalField(_("amount"), default=0, **MONEY)
    invoiced = models.BooleanField(_("invoiced"), default=False)
    # The invoice that billed this delivery (facts services keep ``invoiced`` in step with it); a delivery
    # imported as history may be ``invoiced`` without one.
    invoice = models.ForeignKey("Invoice", verbose_name=_("invoice"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="deliveries")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-due_on", "-id"]
        indexes = [models.Index(fields=["customer", "due_on"], name="trade_delivery_cust_due")]
        constraints = [
            models.UniqueConstraint(fields=["customer", "reference"], name="trade_delivery_ref_unique"),
            models.CheckConstraint(condition=Q(quantity_due__gte=0) & Q(quantity_delivered__gte=0)
                                   & Q(amount__gte=0), name="trade_delivery_non_negative"),
        ]

    def __str__(self) -> str:
        return self.reference


class Invoice(models.Model):
    """An invoice (receivable) with its due date: the payment indicator (付款) and open receivables."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="invoices")
    order = models.ForeignKey(SalesOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices")
    reference = models.CharField(_("invoice number"), max_length=64)
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["customer", "due_on"], name="trade_invoice_cust_due")]
        constraints = [
            models.UniqueConstraint(fields=["customer", "reference"], name="trade_invoice_ref_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="trade_invoice_amount_positive"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("issued_on")), name="trade_invoice_due_after_issue"),
        ]

    def __str__(self) -> str:
        return self.reference


class Payment(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="payments")
    reference = models.CharField(_("reference"), max_length=64)
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["invoice", "paid_on"], name="trade_payment_inv_paid")]
        constraints = [
            models.UniqueConstraint(fields=["customer", "reference"], name="trade_payment_ref_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="trade_payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.reference
