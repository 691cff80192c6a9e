"""The anti-money-laundering hold (2022年1号令: customer identity data and transaction records are kept
≥ 5 years after the relationship or the transaction ends; PI-9), registered from AccountsConfig.ready()."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import AccountTransaction, PersonalAccount
from kehu.core.params import get_param
from kehu.core.retention import HoldRule, SubjectSection, register_hold_rule, register_subject_section, when


def _held(today: date):
    since = today - timedelta(days=365 * int(get_param("acct.aml_retention_years", on=today)))
    return PersonalAccount.objects.filter(Q(opened_on__gte=since) | Q(transactions__local_day__gte=since)
                                          ).values("customer_id")



# The most recent transactions a copy lists per account; the counts say how many there are in all.
SUBJECT_TRANSACTIONS = 1000


def _subject_accounts(customer_id: int) -> list[dict]:
    """The person's accounts (银发〔2018〕16号 tiers) with their latest transactions (PIPL Art.45)."""
    rows = []
    for a in PersonalAccount.objects.filter(customer_id=customer_id).order_by("pk"):
        txns = AccountTransaction.objects.filter(account=a).order_by("-posted_at", "-txn_id")
        rows.append({"账号": a.account_no, "类别": a.get_tier_display(), "开户日期": when(a.opened_on),
                     "开户渠道": a.get_channel_display(), "绑定账户": a.bound_account_no,
                     "身份核验": a.get_identity_check_display(), "交易笔数": txns.count(),
                     "交易": [{"时间": when(t.posted_at), "方向": t.get_direction_display(), "类型": t.get_type_display(),
                             "金额": str(t.amount)} for t in txns[:SUBJECT_TRANSACTIONS]]})
    return rows


def register() -> None:
    register_hold_rule(HoldRule(code="aml", label=_("Anti-money-laundering retention period"), app="accounts",
                                customers=_held))
    register_subject_section(SubjectSection(code="accounts", title="个人账户", app="accounts", rows=_subject_accounts,
                                            order=30))
