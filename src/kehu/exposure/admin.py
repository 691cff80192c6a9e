"""No admin registrations: frozen statistics, reports and capital bases are business data that the system
administrator must not see (separation of duties); thresholds and caps live in rule parameters, changed
under maker-checker in the parameter registry."""
