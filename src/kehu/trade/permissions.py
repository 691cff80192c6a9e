"""Who may read and record the trade facts (domain spec 3A facts).

Sales (the customer manager and the customer office) record what was sold and delivered; finance records
what was invoiced and paid, so that no one person books both the goods and the money for a customer.
Trade credit (limits, orders, holds) registers its own permissions next to these."""

from kehu.core.models import Role


class TradePerm:
    FACTS_VIEW = "trade.facts_view"
    SALES_RECORD = "trade.sales_record"  # sales records and deliveries
    FINANCE_RECORD = "trade.finance_record"  # invoices and payments


ROLE_PERMISSIONS = {
    Role.CUSTOMER_MANAGER: {TradePerm.FACTS_VIEW, TradePerm.SALES_RECORD},
    Role.CUSTOMER_OFFICE: {TradePerm.FACTS_VIEW, TradePerm.SALES_RECORD},
    Role.FINANCE_OFFICER: {TradePerm.FACTS_VIEW, TradePerm.FINANCE_RECORD},
    Role.AUDITOR: {TradePerm.FACTS_VIEW},
    Role.RISK_OFFICER: {TradePerm.FACTS_VIEW},
    Role.COMMITTEE: {TradePerm.FACTS_VIEW},
    Role.SALES_MANAGER: {TradePerm.FACTS_VIEW},
    Role.FINANCE_MANAGER: {TradePerm.FACTS_VIEW},
    Role.GENERAL_MANAGER: {TradePerm.FACTS_VIEW},
}
