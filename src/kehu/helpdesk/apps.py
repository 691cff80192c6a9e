from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "kehu.helpdesk"
    label = "helpdesk"
    verbose_name = _("Customer service")

    def ready(self) -> None:
        # Imported here, not at the top: Django imports apps.py while it loads the apps, before any model
        # exists, and most of these modules import models (the helpdesk's, core's, the customers'); ready()
        # runs once every app is loaded.
        from kehu.core.audit import register_events
        from kehu.core.inbox import InboxProvider, register_inbox
        from kehu.core.nav import NavItem, register_nav
        from kehu.core.params import register_params
        from kehu.core.permissions import register_permissions
        from kehu.core.scheduler import register_job
        from kehu.helpdesk import inbox, jobs, permissions, retention
        from kehu.helpdesk import overview as customer_overview
        from kehu.helpdesk.events import LABELS as HELPDESK_LABELS
        from kehu.helpdesk.events import HelpdeskEvent
        from kehu.helpdesk.params import PARAMS

        customer_overview.register()  # the customer page's card and timeline kinds
        retention.register()  # complaint files and the open-complaint hold (privacy sweeper)
        register_events(HelpdeskEvent, HELPDESK_LABELS)
        register_permissions(permissions.ROLE_PERMISSIONS)
        register_params(PARAMS)
        register_nav(NavItem(label=_("Service"), url_name="helpdesk:ticket_list", perm=permissions.VIEW, order=40))
        register_job(jobs.JOB)
        register_inbox(InboxProvider(name="helpdesk", sections=inbox.sections, order=50))
