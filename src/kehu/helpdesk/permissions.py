VIEW = "helpdesk.view"
HANDLE = "helpdesk.handle"
APPROVE = "helpdesk.approve"

ROLE_PERMISSIONS = {
    "service_agent": {VIEW, HANDLE},
    "service_supervisor": {VIEW, HANDLE, APPROVE},
    "customer_manager": {VIEW, HANDLE},
    "customer_office": {VIEW, HANDLE},
    "finance_officer": {VIEW, APPROVE},
    "auditor": {VIEW},
}
