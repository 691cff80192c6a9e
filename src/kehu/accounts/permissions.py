"""Who may do what with personal accounts."""

from kehu.core.models import Role


class AccountsPerm:
    VIEW = "accounts.view"
    OPEN = "accounts.open"
    POST = "accounts.post"
    REMEDIATE = "accounts.remediate"


ROLE_PERMISSIONS = {
    Role.CUSTOMER_MANAGER: {AccountsPerm.VIEW, AccountsPerm.OPEN, AccountsPerm.POST, AccountsPerm.REMEDIATE},
    Role.CUSTOMER_OFFICE: {AccountsPerm.VIEW, AccountsPerm.REMEDIATE},
    Role.RISK_OFFICER: {AccountsPerm.VIEW},
    Role.AUDITOR: {AccountsPerm.VIEW},
}
