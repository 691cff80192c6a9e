from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupConfig(AppConfig):
    name = "kehu.backup"
    label = "backup"
    verbose_name = _("Backups")

    def ready(self):
        from kehu.core.audit import register_events
        from kehu.core.nav import register_dashboard_warning
        from kehu.core.params import register_params
        from kehu.core.scheduler import register_job

        from . import jobs
        from .events import LABELS as BACKUPEVENT_LABELS
        from .events import BackupEvent
        from .params import PARAMS
        from .selectors import stale_backup_warning

        register_events(BackupEvent, BACKUPEVENT_LABELS)
        register_params(PARAMS)
        for job in jobs.JOBS:
            register_job(job)
        register_dashboard_warning(stale_backup_warning)
        from kehu.core.jobs import register_job_kind

        register_job_kind("backup.create", jobs.create_job, label=_("Backup"), authorize=jobs.authorize_create)
        register_job_kind("backup.restore_drill", jobs.drill_job, label=_("Restore drill"),
                          authorize=jobs.authorize_drill)
