"""No admin registrations for trade credit (and none for the facts): limits, orders and holds are business
data that the system administrator must not see (separation of duties, domain spec I-11), every status moves
only through the services (style guide), and the numbers of the rules (coefficients, terms, grace days,
release bands) live in rule parameters, changed under maker-checker in the parameter registry."""
