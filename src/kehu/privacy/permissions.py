RECEIVE = "privacy.receive"  # take a data-subject request from the person, record a consent or its withdrawal
HANDLE = "privacy.handle"  # verify, decide and answer requests; place and release legal holds
VIEW = "privacy.view"  # the privacy pages (requests, holds, sweeps)

ROLE_PERMISSIONS = {
    "privacy_officer": {RECEIVE, HANDLE, VIEW},
    "customer_manager": {RECEIVE},
    "customer_office": {RECEIVE},
    "service_agent": {RECEIVE},
    "auditor": {VIEW},
}
