"""Who sees the satisfaction results and manages the survey templates (S3 Art.11, S9)."""

VIEW = "surveys.view"  # results, reports, drill-down within the org subtree
MANAGE = "surveys.manage"  # publish new template versions

ROLE_PERMISSIONS = {
    "service_agent": {VIEW},
    "service_supervisor": {VIEW, MANAGE},
    "customer_office": {VIEW},
    "auditor": {VIEW},
}
