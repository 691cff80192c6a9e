from django.utils.translation import gettext_lazy as _

from kehu.core.errors import DomainError


class BackupError(DomainError):
    code = "backup_failed"
    http_status = 409
    default_message = _("The backup failed.")


class BackupKeyMissing(BackupError):
    code = "backup_key_missing"


class BackupRefused(BackupError):
    """The file is not a kehu backup, was altered, or was cut short."""

    code = "backup_refused"


class RestoreTargetNotEmpty(BackupError):
    code = "restore_target_not_empty"


class KeyBundleRefused(BackupError):
    """A key bundle that cannot be written or opened (wrong passphrase, altered, not a bundle)."""

    code = "key_bundle_refused"
