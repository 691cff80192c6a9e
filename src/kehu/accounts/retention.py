"""The anti-money-laundering hold (2022年1号令: customer identity data and transaction records are kept
≥ 5 years after the relationship or the transaction ends; PI-9), registered from AccountsConfig.ready()."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import PersonalAccount
from kehu.core.params import get_param
from kehu.core.retention import HoldRule, register_hold_rule


def _held(today: date):
    since = today - timedelta(days=365 * int(get_param("acct.aml_retention_years", on=today)))
    return PersonalAccount.objects.filter(Q(opened_on__gte=since) | Q(transactions__local_day__gte=since)
                                          ).values("customer_id")


def register() -> None:
    register_hold_rule(HoldRule(code="aml", label=_("Anti-money-laundering retention period"), app="accounts",
                                customers=_held))
