"""Audit event codes of the regulatory statistics (45xx). Never renumber."""

from django.utils.translation import gettext_lazy as _


class ExposureEvent:
    CAPITAL_BASE_RECORDED = 4501
    MONTH_FROZEN = 4510
    REPORT_DRAFTED = 4520
    REPORT_SUBMITTED = 4521
    REPORT_SIGNED = 4522
    REPORT_RETURNED = 4523
    REPORT_EXPORTED = 4524
    CONCENTRATION_CHECKED = 4530


# The Chinese names of the events on the audit-log page (kehu.core.audit.register_events).
LABELS = {
    ExposureEvent.CAPITAL_BASE_RECORDED: _("Capital base recorded"),
    ExposureEvent.MONTH_FROZEN: _("Month frozen for statistics"),
    ExposureEvent.REPORT_DRAFTED: _("Large-credit table drafted"),
    ExposureEvent.REPORT_SUBMITTED: _("Large-credit table submitted"),
    ExposureEvent.REPORT_SIGNED: _("Large-credit table signed off"),
    ExposureEvent.REPORT_RETURNED: _("Large-credit table returned"),
    ExposureEvent.REPORT_EXPORTED: _("Large-credit table exported"),
    ExposureEvent.CONCENTRATION_CHECKED: _("Concentration checked"),
}
