"""Audit event codes of bulk import and export (70xx). Never renumber."""

from django.utils.translation import gettext_lazy as _


class BulkEvent:
    IMPORT_DONE = 7001
    EXPORT_DONE = 7002
    EXPORT_REQUESTED = 7003  # a customer export above bulk.export_approval_rows asks for approval
    EXPORT_APPROVED = 7004
    EXPORT_REJECTED = 7005
    EXPORT_DOWNLOADED = 7006  # the file of an export made in the background, fetched by its requester (once)


# The Chinese names of the events on the audit-log page (kehu.core.audit.register_events).
LABELS = {
    BulkEvent.IMPORT_DONE: _("Import finished"),
    BulkEvent.EXPORT_DONE: _("Export made"),
    BulkEvent.EXPORT_REQUESTED: _("Export approval requested"),
    BulkEvent.EXPORT_APPROVED: _("Export approved"),
    BulkEvent.EXPORT_REJECTED: _("Export rejected"),
    BulkEvent.EXPORT_DOWNLOADED: _("Export file downloaded"),
}
