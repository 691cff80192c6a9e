"""Audit event codes of the backup app (90xx: backup and recovery). Never renumber."""


from django.utils.translation import gettext_lazy as _


class BackupEvent:
    BACKUP_CREATED = 9001
    BACKUP_FAILED = 9002
    BACKUP_RESTORED = 9003
    BACKUP_DESTROYED = 9004
    RESTORE_DRILL = 9005
    DELETIONS_REAPPLIED = 9006


# The Chinese names of the events on the audit-log page (kehu.core.audit.register_events).
LABELS = {
    BackupEvent.BACKUP_CREATED: _("Backup created"),
    BackupEvent.BACKUP_FAILED: _("Backup failed"),
    BackupEvent.BACKUP_RESTORED: _("Backup restored"),
    BackupEvent.BACKUP_DESTROYED: _("Backup destroyed"),
    BackupEvent.RESTORE_DRILL: _("Restore drill"),
    BackupEvent.DELETIONS_REAPPLIED: _("Deletions re-applied after restore"),
}
