from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from kehu.core.errors import PermissionDenied
from kehu.core.params import get_param
from kehu.core.selectors import access_for

from .. import rules


def now_or(now: datetime | None) -> datetime:
    return now or timezone.now()


def local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


def require(actor, perm: str) -> None:
    if actor is not None and not access_for(actor).has(perm):
        raise PermissionDenied()


def retain(day: date) -> date:
    """M-13: the day until which a suitability record made on ``day`` is kept."""
    return rules.retain_until(day, int(get_param("am.retention_years", on=day)))


def qi_version(on: date) -> tuple[str, dict]:
    """The qualified-investor rule set in force on ``on`` (2012 or 2018), each read as of ``on``."""
    return rules.version_in_force({"2012": get_param("am.qi_2012", on=on), "2018": get_param("am.qi_2018", on=on)},
                                  on)


def facts_of(profile) -> rules.InvestorFacts:
    return rules.InvestorFacts(
        kind=profile.investor_kind, financial_assets=Decimal(profile.financial_assets_amount),
        household_financial_net_assets=Decimal(profile.household_financial_net_assets_amount),
        average_income=Decimal(profile.average_income_amount), net_assets=Decimal(profile.net_assets_amount),
        experience_years=int(profile.investment_experience_years))
