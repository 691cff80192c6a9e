VIEW = "helpdesk.view"
HANDLE = "helpdesk.handle"
APPROVE = "helpdesk.approve"
CONFIGURE = "helpdesk.configure"  # SLA policies, calendar overrides, working hours, knowledge articles

ROLE_PERMISSIONS = {
    "service_agent": {VIEW, HANDLE},
    "service_supervisor": {VIEW, HANDLE, APPROVE, CONFIGURE},
    "customer_manager": {VIEW, HANDLE},
    "customer_office": {VIEW, HANDLE},
    "finance_officer": {VIEW, APPROVE},
    "auditor": {VIEW},
    "sysadmin": {CONFIGURE},
}
