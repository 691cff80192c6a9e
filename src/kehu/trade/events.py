"""Audit event codes of the trade facts (4701-4749). Never renumber.

Trade credit (limits, orders, holds) keeps its own codes, 4750-4799, in ``kehu.tradecredit.events``."""

from django.utils.translation import gettext_lazy as _


class TradeFactEvent:
    SALES_RECORDED = 4701
    SALES_CORRECTED = 4702
    DELIVERY_RECORDED = 4710
    DELIVERY_CORRECTED = 4711
    DELIVERY_CONFIRMED = 4712
    INVOICE_RECORDED = 4720
    INVOICE_CORRECTED = 4721
    PAYMENT_RECORDED = 4730
    PAYMENT_CORRECTED = 4731


# The Chinese names of the events on the audit-log page (kehu.core.audit.register_events).
LABELS = {
    TradeFactEvent.SALES_RECORDED: _("Sales recorded"),
    TradeFactEvent.SALES_CORRECTED: _("Sales corrected"),
    TradeFactEvent.DELIVERY_RECORDED: _("Delivery recorded"),
    TradeFactEvent.DELIVERY_CORRECTED: _("Delivery corrected"),
    TradeFactEvent.DELIVERY_CONFIRMED: _("Delivery confirmed"),
    TradeFactEvent.INVOICE_RECORDED: _("Invoice recorded"),
    TradeFactEvent.INVOICE_CORRECTED: _("Invoice corrected"),
    TradeFactEvent.PAYMENT_RECORDED: _("Payment recorded"),
    TradeFactEvent.PAYMENT_CORRECTED: _("Payment corrected"),
}
