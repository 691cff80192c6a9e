from kehu.core.models import Role


class ExposurePerm:
    VIEW = "exposure.view"
    RUN = "exposure.run"
    SIGNOFF = "exposure.signoff"
    CAPITAL = "exposure.capital"


ROLE_PERMISSIONS = {
    Role.RISK_OFFICER: {ExposurePerm.VIEW, ExposurePerm.RUN, ExposurePerm.SIGNOFF},
    Role.CREDIT_APPROVER: {ExposurePerm.VIEW},
    Role.FINANCE_OFFICER: {ExposurePerm.VIEW, ExposurePerm.CAPITAL},
    Role.AUDITOR: {ExposurePerm.VIEW},
}
