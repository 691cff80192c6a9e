VIEW = "helpdesk.view"
HANDLE = "helpdesk.handle"
APPROVE = "helpdesk.approve"
# Domain spec S-12: the sales manager, the finance manager and the general manager sign price allowances
# (and only those: they do not approve complaints, returns or credit notes).
SIGN_ALLOWANCE = "helpdesk.sign_allowance"
# Domain spec S-11: a return above the general-manager threshold is authorised by the general manager.
APPROVE_RETURN = "helpdesk.approve_return"
CONFIGURE = "helpdesk.configure"  # SLA policies, calendar overrides, working hours, knowledge articles

ROLE_PERMISSIONS = {
    "service_agent": {VIEW, HANDLE},
    "service_supervisor": {VIEW, HANDLE, APPROVE, APPROVE_RETURN, CONFIGURE},
    "customer_manager": {VIEW, HANDLE},
    "customer_office": {VIEW, HANDLE},
    "finance_officer": {VIEW, APPROVE, APPROVE_RETURN},
    "auditor": {VIEW},
    "sysadmin": {CONFIGURE},
    "sales_manager": {VIEW, SIGN_ALLOWANCE},
    "finance_manager": {VIEW, SIGN_ALLOWANCE},
    "general_manager": {VIEW, SIGN_ALLOWANCE, APPROVE_RETURN},
}
