"""Audit event codes of the regulatory statistics (45xx). Never renumber."""


class ExposureEvent:
    CAPITAL_BASE_RECORDED = 4501
    MONTH_FROZEN = 4510
    REPORT_DRAFTED = 4520
    REPORT_SUBMITTED = 4521
    REPORT_SIGNED = 4522
    REPORT_RETURNED = 4523
    REPORT_EXPORTED = 4524
    CONCENTRATION_CHECKED = 4530
