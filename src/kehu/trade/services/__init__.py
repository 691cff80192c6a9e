"""Trade services: facts (``facts``), limits and orders (``credit``)."""

from kehu.trade.services.credit import (  # noqa: F401
    credit_limit_set,
    credit_limits_recalculate,
    limit_change_approve,
    limit_change_reject,
    order_cancel,
    order_invoice,
    order_place,
    order_prepayment_record,
    order_reject,
    order_release,
    order_ship,
    receivable_guard,
)
