"""Who may do what in customer grading."""

from kehu.core.models import Role


class GradingPerm:
    VIEW = "grading.view"
    CONFIGURE = "grading.configure"
    APPROVE_POLICY = "grading.approve_policy"
    RUN = "grading.run"
    OVERRIDE_REQUEST = "grading.override_request"
    OVERRIDE_APPROVE = "grading.override_approve"
    RECORD_EVENT = "grading.record_event"
    RECORD_STATEMENT = "grading.record_statement"  # the customer's yearly financial statements


ROLE_PERMISSIONS = {
    Role.CUSTOMER_MANAGER: {GradingPerm.VIEW, GradingPerm.OVERRIDE_REQUEST, GradingPerm.RECORD_STATEMENT},
    Role.CUSTOMER_OFFICE: {GradingPerm.VIEW, GradingPerm.CONFIGURE, GradingPerm.RUN, GradingPerm.OVERRIDE_REQUEST,
                           GradingPerm.RECORD_EVENT, GradingPerm.RECORD_STATEMENT},
    # G-8: a manual uplift needs committee approval
    Role.COMMITTEE: {GradingPerm.VIEW, GradingPerm.APPROVE_POLICY, GradingPerm.OVERRIDE_APPROVE},
    Role.RISK_OFFICER: {GradingPerm.VIEW, GradingPerm.CONFIGURE, GradingPerm.RUN, GradingPerm.RECORD_EVENT},
    Role.AUDITOR: {GradingPerm.VIEW},
}
