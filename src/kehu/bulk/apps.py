from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulkConfig(AppConfig):
    name = "kehu.bulk"
    label = "bulk"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        from kehu.bulk import importers  # noqa: F401  (registers the customers importer)
        from kehu.bulk.events import BulkEvent
        from kehu.core.audit import register_events

        register_events(BulkEvent)
