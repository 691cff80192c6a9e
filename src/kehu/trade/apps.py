from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeConfig(AppConfig):
    name = "kehu.trade"
    label = "trade"
    verbose_name = _("Trade credit")
