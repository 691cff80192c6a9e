"""Trade credit: limits (recalculation, approvals, manual changes), orders and the credit check (L-1..L-6)."""

from kehu.trade.services.credit.exposure import credit_check, exposure_of, receivable_guard  # noqa: F401
from kehu.trade.services.credit.limits import (  # noqa: F401
    credit_limit_set,
    credit_limits_recalculate,
    limit_change_approve,
    limit_change_reject,
)
from kehu.trade.services.credit.orders import (  # noqa: F401
    order_cancel,
    order_invoice,
    order_place,
    order_prepayment_record,
    order_reject,
    order_release,
    order_ship,
)
