from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kehu.accounts"
    label = "accounts"
    verbose_name = _("Personal accounts")

    def ready(self) -> None:
        from kehu.accounts.events import LABELS, AccountsEvent
        from kehu.accounts.params import PARAMS
        from kehu.accounts.permissions import ROLE_PERMISSIONS, AccountsPerm
        from kehu.core.audit import register_events
        from kehu.core.forms import EVENT_LABELS
        from kehu.core.nav import NavItem, register_nav
        from kehu.core.params import register_params
        from kehu.core.permissions import register_permissions

        register_events(AccountsEvent)
        EVENT_LABELS.update(LABELS)  # the audit-log page shows these Chinese names
        register_permissions(ROLE_PERMISSIONS)
        register_params(PARAMS)
        register_nav(NavItem(_("Personal accounts"), "accounts:home", AccountsPerm.VIEW, order=45))
        # The task list with its report stays a menu entry; the open tasks also reach the inbox.
        register_nav(NavItem(_("Class III remediation"), "accounts:tasks", AccountsPerm.VIEW, order=46))
        from kehu.accounts import inbox, overview
        from kehu.core.inbox import InboxProvider, register_inbox

        register_inbox(InboxProvider(name="accounts", sections=inbox.sections, order=45))
        overview.register()
        from kehu.accounts import retention

        retention.register()  # the AML hold (PI-9)
        from kehu.accounts import jobs
        from kehu.core.scheduler import register_job

        register_job(jobs.JOB)
        from kehu.core.jobs import register_job_kind

        register_job_kind("accounts.ingest", jobs.ingest_job, label=_("Ingest of account transactions"),
                          idempotent=True)
