"""Reads of the backup app."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.errors import PermissionDenied
from kehu.core.params import get_param
from kehu.core.permissions import Perm
from kehu.core.selectors import access_for

from . import rules
from .models import BackupRun, RestoreDrill


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


# ------------------------------------------------------------------------------------ for the REST API

def is_backup_admin(access) -> bool:
    """The system administrator (D-5: runs and watches the backups) is who manages users and parameters."""
    return access.has(Perm.PARAM_MANAGE) and access.has(Perm.USER_MANAGE)


def require_backup_reader(user) -> None:
    """The run log and the drills: the system administrator, and the auditor who checks them (211号)."""
    access = access_for(user)
    if not (is_backup_admin(access) or access.has(Perm.AUDIT_VIEW)):
        raise PermissionDenied()


def require_backup_admin(user) -> None:
    if not is_backup_admin(access_for(user)):
        raise PermissionDenied()


def backup_runs(*, state: str = "") -> QuerySet[BackupRun]:
    queryset = BackupRun.objects.order_by("-started_at", "-id")
    return queryset.filter(state=state) if state else queryset


def backup_running(now, *, within_hours: int) -> BackupRun | None:
    """A backup started less than ``within_hours`` ago and still running (an older one's process died)."""
    return (BackupRun.objects.filter(state=BackupRun.State.RUNNING, started_at__gte=now - timedelta(hours=within_hours))
            .order_by("-started_at").first())


def restore_drills() -> QuerySet[RestoreDrill]:
    return RestoreDrill.objects.select_related("backup").order_by("-started_at", "-id")
