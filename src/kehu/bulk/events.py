"""Audit event codes of bulk import and export (70xx). Never renumber."""


class BulkEvent:
    IMPORT_DONE = 7001
    EXPORT_DONE = 7002
    EXPORT_REQUESTED = 7003  # a customer export above bulk.export_approval_rows asks for approval
    EXPORT_APPROVED = 7004
    EXPORT_REJECTED = 7005
