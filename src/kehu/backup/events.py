"""Audit event codes of the backup app (90xx: backup and recovery). Never renumber."""


class BackupEvent:
    BACKUP_CREATED = 9001
    BACKUP_FAILED = 9002
    BACKUP_RESTORED = 9003
    BACKUP_DESTROYED = 9004
    RESTORE_DRILL = 9005
    DELETIONS_REAPPLIED = 9006
