from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "kehu.credit"
    label = "credit"
    verbose_name = _("Bank credit lines")

    def ready(self) -> None:
        from kehu.credit import overview as customer_overview

        customer_overview.register()  # the customer page's card and timeline kinds
        from kehu.core.audit import register_events
        from kehu.core.params import register_params
        from kehu.core.permissions import register_permissions
        from kehu.credit.events import CreditEvent
        from kehu.credit.params import PARAMS
        from kehu.credit.permissions import ROLE_PERMISSIONS, CreditPerm
        from kehu.credit.services import membership
        from kehu.customers.signals import group_member_joined, group_member_leaving

        group_member_joined.connect(membership.on_member_joined, dispatch_uid="credit.member_joined")
        group_member_leaving.connect(membership.on_member_leaving, dispatch_uid="credit.member_leaving")
        from kehu.credit.events import LABELS as CREDIT_LABELS

        register_events(CreditEvent, CREDIT_LABELS)
        register_permissions(ROLE_PERMISSIONS)
        register_params(PARAMS)
        from kehu.core.nav import NavItem, register_nav

        register_nav(NavItem(_("Credit lines"), "credit:list", CreditPerm.VIEW, order=30))
        from kehu.core.scheduler import register_job
        from kehu.credit import jobs

        register_job(jobs.JOB)
        from kehu.core.inbox import InboxProvider, register_inbox
        from kehu.credit import inbox

        register_inbox(InboxProvider(name="credit", sections=inbox.sections, order=30))
