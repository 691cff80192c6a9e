from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulkConfig(AppConfig):
    name = "kehu.bulk"
    label = "bulk"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        from kehu.bulk import customer_import  # noqa: F401  (registers the customers importer)
        from kehu.bulk.events import LABELS as BULK_LABELS
        from kehu.bulk.events import BulkEvent
        from kehu.bulk.params import PARAMS
        from kehu.core.audit import register_events
        from kehu.core.params import register_params

        register_events(BulkEvent, BULK_LABELS)
        register_params(PARAMS)
        from kehu.bulk.permissions import ROLE_PERMISSIONS
        from kehu.core.permissions import register_permissions

        register_permissions(ROLE_PERMISSIONS)
        from kehu.bulk.services import import_job
        from kehu.core.jobs import register_job_kind

        # Idempotent: the chunk ledger makes a run after a crash apply only the chunks not yet committed.
        register_job_kind("bulk.import", import_job, label=_("Customer import"), idempotent=True)
        from kehu.bulk import jobs
        from kehu.core.scheduler import register_job

        # Not idempotent: the job takes an approved request (once); a crashed export is submitted again.
        register_job_kind(jobs.KIND, jobs.export_job, label=_("Customer export"), authorize=jobs.authorize_export)
        register_job(jobs.PURGE)
