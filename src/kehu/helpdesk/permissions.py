VIEW = "helpdesk.view"
HANDLE = "helpdesk.handle"
APPROVE = "helpdesk.approve"
# Domain spec S-12: the sales manager, the finance manager and the general manager sign price allowances
# (and only those: they do not approve complaints, returns or credit notes).
SIGN_ALLOWANCE = "helpdesk.sign_allowance"
CONFIGURE = "helpdesk.configure"  # SLA policies, calendar overrides, working hours, knowledge articles

ROLE_PERMISSIONS = {
    "service_agent": {VIEW, HANDLE},
    "service_supervisor": {VIEW, HANDLE, APPROVE, CONFIGURE},
    "customer_manager": {VIEW, HANDLE},
    "customer_office": {VIEW, HANDLE},
    "finance_officer": {VIEW, APPROVE},
    "auditor": {VIEW},
    "sysadmin": {CONFIGURE},
    "sales_manager": {VIEW, SIGN_ALLOWANCE},
    "finance_manager": {VIEW, SIGN_ALLOWANCE},
    "general_manager": {VIEW, SIGN_ALLOWANCE},
}
