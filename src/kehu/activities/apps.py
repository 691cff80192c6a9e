from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "kehu.activities"
    label = "activities"
    verbose_name = _("Activities and follow-ups")

    def ready(self) -> None:
        from kehu.activities import overview
        from kehu.activities.events import ActivityEvent
        from kehu.activities.params import PARAMS
        from kehu.activities.permissions import ROLE_PERMISSIONS, ActivityPerm
        from kehu.core.audit import register_events
        from kehu.core.nav import NavItem, register_nav
        from kehu.core.params import register_params
        from kehu.core.permissions import register_permissions

        register_events(ActivityEvent, ActivityEvent.labels)
        register_permissions(ROLE_PERMISSIONS)
        register_params(PARAMS)
        register_nav(NavItem(_("Follow-ups"), "activities:tasks", ActivityPerm.VIEW, order=15))
        overview.register()
        from kehu.activities import retention

        retention.register()  # the dealings recorded with a person, in their access copy
        from kehu.activities import inbox
        from kehu.core.inbox import InboxProvider, register_inbox

        register_inbox(InboxProvider(name="activities", sections=inbox.sections, order=5))
        from kehu.activities import selectors
        from kehu.bulk.exports import ExportColumn, register_export_column

        # The customer export carries the last and the next contact (issue 18); re-import ignores them.
        register_export_column(ExportColumn("最近联系", selectors.last_contacts))
        register_export_column(ExportColumn("计划下次联系", selectors.next_contacts))
