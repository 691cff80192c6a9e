from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "kehu.helpdesk"
    label = "helpdesk"
    verbose_name = _("Customer service")
