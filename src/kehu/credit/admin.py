"""No admin registrations: lines, uses and ratings are business data that the system administrator must
not see (separation of duties), and their configuration (the authority matrix, minimum rating, formula
factors, validity) lives in rule parameters, changed under maker-checker in the parameter registry."""
