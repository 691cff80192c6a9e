"""Audit event codes of the backup app (17xx: operations). Never renumber."""


class BackupEvent:
    BACKUP_CREATED = 1701
    BACKUP_FAILED = 1702
    BACKUP_RESTORED = 1703
    BACKUP_DESTROYED = 1704
    RESTORE_DRILL = 1705
    DELETIONS_REAPPLIED = 1706
