"""Who may do what with trade credit (limits, orders, holds); the facts' permissions are kehu.trade's.

The codes keep their ``trade.`` prefix from before trade credit was an app of its own: they are stored in
role grants and audit rows, so they never change.

Sales places and ships orders; finance invoices them. A held order is released by the authority its excess
needs (L-5), and a limit increase is approved by finance or the general manager (L-6), never by whoever
asked for it."""

from kehu.core.models import Role


class TradeCreditPerm:
    VIEW = "trade.credit_view"
    ORDER_PLACE = "trade.order_place"  # place, cancel and ship orders
    ORDER_INVOICE = "trade.order_invoice"
    ORDER_RELEASE = "trade.order_release"  # release or reject a held order, within the role's authority
    LIMIT_SET = "trade.limit_set"  # set a limit by hand (an increase still waits for a second person)
    LIMIT_APPROVE = "trade.limit_approve"
    RECALC = "trade.limit_recalc"


ROLE_PERMISSIONS = {
    Role.CUSTOMER_MANAGER: {TradeCreditPerm.VIEW, TradeCreditPerm.ORDER_PLACE},
    Role.CUSTOMER_OFFICE: {TradeCreditPerm.VIEW, TradeCreditPerm.RECALC},
    Role.RISK_OFFICER: {TradeCreditPerm.VIEW, TradeCreditPerm.RECALC},
    Role.FINANCE_OFFICER: {TradeCreditPerm.VIEW, TradeCreditPerm.ORDER_INVOICE},
    Role.AUDITOR: {TradeCreditPerm.VIEW},
    Role.SALES_MANAGER: {TradeCreditPerm.VIEW, TradeCreditPerm.ORDER_PLACE, TradeCreditPerm.ORDER_RELEASE},
    Role.FINANCE_MANAGER: {TradeCreditPerm.VIEW, TradeCreditPerm.ORDER_INVOICE, TradeCreditPerm.ORDER_RELEASE, TradeCreditPerm.LIMIT_SET,
                           TradeCreditPerm.LIMIT_APPROVE, TradeCreditPerm.RECALC},
    Role.GENERAL_MANAGER: {TradeCreditPerm.VIEW, TradeCreditPerm.ORDER_RELEASE, TradeCreditPerm.LIMIT_SET, TradeCreditPerm.LIMIT_APPROVE,
                           TradeCreditPerm.RECALC},
}

# L-5: the release authorities in rising order; a higher one may release what a lower one may.
AUTHORITY_ROLES = (Role.SALES_MANAGER, Role.FINANCE_MANAGER, Role.GENERAL_MANAGER)
