"""Audit event codes of bulk import and export (70xx). Never renumber."""


class BulkEvent:
    IMPORT_DONE = 7001
    EXPORT_DONE = 7002
