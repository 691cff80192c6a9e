"""Who may do what in the suitability module. Existing roles only: the customer manager (sales) keeps the
investor's file and walks a subscription; the customer-management office (compliance) decides
professional classifications as the second person, sets up products and files with the association."""

VIEW = "suitability.view"
PROFILE = "suitability.profile"  # investor profile, evidence, questionnaire
SUBSCRIBE = "suitability.subscribe"  # create and walk subscriptions
DECIDE = "suitability.decide"  # professional decisions (second person), call-backs
PRODUCT = "suitability.product"  # products and marketing material
FILING = "suitability.filing"  # filings with the association
REPORT = "suitability.report"

ROLE_PERMISSIONS = {
    "customer_manager": {VIEW, PROFILE, SUBSCRIBE, REPORT},
    "customer_office": {VIEW, PROFILE, SUBSCRIBE, DECIDE, PRODUCT, FILING, REPORT},
    "risk_officer": {VIEW, DECIDE, PRODUCT, FILING, REPORT},
    "auditor": {VIEW, REPORT},
}
