"""Who may do what with bank credit lines."""

from kehu.core.models import Role


class CreditPerm:
    VIEW = "credit.view"
    RATE = "credit.rate"
    REQUEST = "credit.request"
    APPROVE = "credit.approve"
    FREEZE = "credit.freeze"
    USE = "credit.use"
    CLASSIFY = "credit.classify"


ROLE_PERMISSIONS = {
    Role.CUSTOMER_MANAGER: {CreditPerm.VIEW, CreditPerm.REQUEST, CreditPerm.USE},
    Role.CUSTOMER_OFFICE: {CreditPerm.VIEW},
    Role.CREDIT_APPROVER: {CreditPerm.VIEW, CreditPerm.APPROVE, CreditPerm.FREEZE},
    Role.RISK_OFFICER: {CreditPerm.VIEW, CreditPerm.RATE, CreditPerm.FREEZE, CreditPerm.CLASSIFY},
    Role.AUDITOR: {CreditPerm.VIEW},
}
