"""Audit event codes of bulk import and export (70xx). Never renumber."""

from django.utils.translation import gettext_lazy as _


class BulkEvent:
    IMPORT_DONE = 7001
    EXPORT_DONE = 7002


# The Chinese names of the events on the audit-log page (kehu.core.audit.register_events).
LABELS = {
    BulkEvent.IMPORT_DONE: _("Import finished"),
    BulkEvent.EXPORT_DONE: _("Export made"),
}
