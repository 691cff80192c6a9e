"""Trade credit: limits (recalculation, approvals, manual changes), orders and the credit check (L-1..L-6)."""

from kehu.tradecredit.services.exposure import credit_check, exposure_of, receivable_guard  # noqa: F401
from kehu.tradecredit.services.limits import (  # noqa: F401
    credit_limit_set,
    credit_limits_recalculate,
    limit_change_approve,
    limit_change_reject,
    recalculate_after_grading,
)
from kehu.tradecredit.services.orders import (  # noqa: F401
    order_cancel,
    order_invoice,
    order_place,
    order_prepayment_record,
    order_reject,
    order_release,
    order_ship,
)
