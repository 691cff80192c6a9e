from kehu.core.models import Role


class ServicePerm:
    VIEW = "service.view"
    HANDLE = "service.handle"
    SUPERVISE = "service.supervise"
    CALENDAR = "service.calendar"


ROLE_PERMISSIONS = {
    Role.SERVICE_AGENT: {ServicePerm.VIEW, ServicePerm.HANDLE},
    Role.SERVICE_SUPERVISOR: {
        ServicePerm.VIEW,
        ServicePerm.HANDLE,
        ServicePerm.SUPERVISE,
        ServicePerm.CALENDAR,
    },
    Role.CUSTOMER_MANAGER: {ServicePerm.VIEW},
    Role.FINANCE_OFFICER: {ServicePerm.VIEW},
    Role.AUDITOR: {ServicePerm.VIEW},
}
