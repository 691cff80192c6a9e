"""Audit event codes of trade credit: limits, orders and holds (4750-4799). Never renumber.

The facts keep 4701-4749 in ``events.py``."""


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
