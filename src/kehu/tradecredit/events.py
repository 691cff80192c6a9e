"""Audit event codes of trade credit: limits, orders and holds (4750-4799). Never renumber.

The facts keep 4701-4749 in ``events.py``."""

from django.utils.translation import gettext_lazy as _


class TradeCreditEvent:
    LIMITS_RECALCULATED = 4750  # one per recalculation, with counts
    LIMITS_CHANGED = 4751  # one per committed chunk: the decreases applied and the increases requested
    LIMIT_SET = 4752  # a manual change applied at once (a decrease)
    LIMIT_CHANGE_REQUESTED = 4753  # a manual increase waiting for approval
    LIMIT_CHANGE_APPROVED = 4754
    LIMIT_CHANGE_REJECTED = 4755
    ORDER_ACCEPTED = 4760
    ORDER_HELD = 4761
    ORDER_RELEASED = 4762
    ORDER_REJECTED = 4763
    ORDER_CANCELLED = 4764
    ORDER_SHIPPED = 4765
    ORDER_INVOICED = 4766
    ORDER_PREPAID = 4767  # the payment of a prepaid order (款到发货) recorded before shipping


# The Chinese names of the events on the audit-log page (kehu.core.audit.register_events).
LABELS = {
    TradeCreditEvent.LIMITS_RECALCULATED: _("Credit limits recalculated"),
    TradeCreditEvent.LIMITS_CHANGED: _("Credit limits changed"),
    TradeCreditEvent.LIMIT_SET: _("Credit limit set"),
    TradeCreditEvent.LIMIT_CHANGE_REQUESTED: _("Credit limit increase requested"),
    TradeCreditEvent.LIMIT_CHANGE_APPROVED: _("Credit limit increase approved"),
    TradeCreditEvent.LIMIT_CHANGE_REJECTED: _("Credit limit increase rejected"),
    TradeCreditEvent.ORDER_ACCEPTED: _("Order accepted"),
    TradeCreditEvent.ORDER_HELD: _("Order on credit hold"),
    TradeCreditEvent.ORDER_RELEASED: _("Held order released"),
    TradeCreditEvent.ORDER_REJECTED: _("Order rejected"),
    TradeCreditEvent.ORDER_CANCELLED: _("Order cancelled"),
    TradeCreditEvent.ORDER_SHIPPED: _("Order shipped"),
    TradeCreditEvent.ORDER_INVOICED: _("Order invoiced"),
    TradeCreditEvent.ORDER_PREPAID: _("Prepayment recorded"),
}
