"""Audit event codes of customer service (6000-6999). Never renumber."""


class ServiceEvent:
    CALENDAR_OVERRIDE_SET = 6001
    WORKING_HOURS_SET = 6002
    RECEIVABLE_REDUCED = 6301
