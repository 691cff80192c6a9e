from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "kehu.helpdesk"
    label = "helpdesk"
    verbose_name = _("Customer service")

    def ready(self):
        from kehu.helpdesk import overview as customer_overview

        customer_overview.register()  # the customer page's card and timeline kinds
        from kehu.helpdesk import retention

        retention.register()  # complaint files and the open-complaint hold (privacy sweeper)
        from kehu.core.audit import register_events
        from kehu.core.nav import NavItem, register_nav
        from kehu.core.params import register_params
        from kehu.core.permissions import register_permissions

        from . import permissions
        from .events import LABELS as HELPDESK_LABELS
        from .events import HelpdeskEvent
        from .params import PARAMS

        register_events(HelpdeskEvent, HELPDESK_LABELS)
        register_permissions(permissions.ROLE_PERMISSIONS)
        register_params(PARAMS)
        register_nav(NavItem(label=_("Service"), url_name="helpdesk:ticket_list", perm=permissions.VIEW, order=40))
        from kehu.core.scheduler import register_job

        from . import jobs

        register_params(jobs.PARAMS)
        register_job(jobs.JOB)
        from kehu.core.inbox import InboxProvider, register_inbox
        from kehu.helpdesk import inbox

        register_inbox(InboxProvider(name="helpdesk", sections=inbox.sections, order=50))
