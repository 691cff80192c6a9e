"""Reads of the backup app."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.params import get_param
from kehu.core.permissions import Perm

from . import rules
from .models import BackupRun


def last_good_backup() -> BackupRun | None:
    return BackupRun.objects.filter(state=BackupRun.State.DONE).order_by("-finished_at").first()


def stale_backup_warning(user, access) -> list[str]:
    """D-8: the system administrator sees a warning when the last good backup is older than 26 hours."""
    if not access.has(Perm.PARAM_MANAGE) or not access.has(Perm.USER_MANAGE):
        return []
    now = timezone.now()
    hours = int(get_param("backup.max_age_hours"))
    last = last_good_backup()
    if not rules.backup_is_stale(last.finished_at if last else None, now, max_age_hours=hours):
        return []
    if last is None:
        return [_("There is no successful backup yet. Run `kehu backup create` and schedule `kehu schedule run`.")]
    return [_("The last successful backup is %(h)d hours old (limit %(limit)d hours). Check the backup schedule.")
            % {"h": int((now - last.finished_at).total_seconds() // 3600), "limit": hours}]
