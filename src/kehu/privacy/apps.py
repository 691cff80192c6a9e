from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "kehu.privacy"
    label = "privacy"
    verbose_name = _("Personal-information protection")

    def ready(self):
        from kehu.backup.hooks import register_post_restore
        from kehu.core.audit import register_events
        from kehu.core.nav import NavItem, register_nav
        from kehu.core.params import register_params
        from kehu.core.permissions import register_permissions
        from kehu.core.scheduler import register_job

        from . import jobs, permissions
        from .events import LABELS as PRIVACYEVENT_LABELS
        from .events import PrivacyEvent
        from .params import PARAMS
        from .services import reapply_erasures

        register_events(PrivacyEvent, PRIVACYEVENT_LABELS)
        register_permissions(permissions.ROLE_PERMISSIONS)
        register_params(PARAMS)
        register_nav(NavItem(label=_("Privacy"), url_name="privacy:inbox", perm=permissions.VIEW, order=80))
        for job in jobs.JOBS:
            register_job(job)
        register_post_restore(reapply_erasures)
        from kehu.customers.services.archive import CHANGE_NOTICE_HOOKS

        from .changes import notify_change

        if notify_change not in CHANGE_NOTICE_HOOKS:
            CHANGE_NOTICE_HOOKS.append(notify_change)
