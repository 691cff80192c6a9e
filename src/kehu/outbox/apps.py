from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "kehu.outbox"
    label = "outbox"
    verbose_name = _("Outbox")

    def ready(self):
        from kehu.core.audit import register_events
        from kehu.core.params import register_params
        from kehu.core.scheduler import register_job

        from . import jobs
        from .events import LABELS as OUTBOXEVENT_LABELS
        from .events import OutboxEvent
        from .params import PARAMS

        register_events(OutboxEvent, OUTBOXEVENT_LABELS)
        register_params(PARAMS)
        register_job(jobs.JOB)
