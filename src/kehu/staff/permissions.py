"""Staff assessment (S8 五, S2 §7; domain spec P-3, P-5, P-6). Assessed: customer-service agents (online
service and reception staff). Their managers: customer-service supervisors, over the org subtree where
they hold the role."""

SELF = "staff.self"  # see what is measured, assess oneself, see one's own scorecard
MANAGE = "staff.manage"  # mark the team, see its league table, interviews, commendations
ASSESSED_ROLES = ("service_agent",)

ROLE_PERMISSIONS = {
    "service_agent": {SELF},
    "service_supervisor": {SELF, MANAGE},
}
