"""Who may record activities and follow-ups (S3 第五条: the customer information system keeps every dealing)."""

from kehu.core.models import Role


class ActivityPerm:
    VIEW = "activities.view"  # read a customer's activities and timeline, one's own follow-ups
    LOG = "activities.log"  # record calls, visits, meetings, e-mails, notes; assign follow-ups
    TEAM = "activities.team"  # see the team's overdue follow-ups and customers without contact


ROLE_PERMISSIONS = {
    Role.CUSTOMER_MANAGER: {ActivityPerm.VIEW, ActivityPerm.LOG},
    Role.CUSTOMER_OFFICE: {ActivityPerm.VIEW, ActivityPerm.LOG, ActivityPerm.TEAM},
    Role.SALES_MANAGER: {ActivityPerm.VIEW, ActivityPerm.LOG, ActivityPerm.TEAM},
    Role.SERVICE_AGENT: {ActivityPerm.VIEW, ActivityPerm.LOG},
    Role.SERVICE_SUPERVISOR: {ActivityPerm.VIEW, ActivityPerm.LOG, ActivityPerm.TEAM},
    Role.CREDIT_APPROVER: {ActivityPerm.VIEW},
    Role.RISK_OFFICER: {ActivityPerm.VIEW},
    Role.AUDITOR: {ActivityPerm.VIEW},
}
