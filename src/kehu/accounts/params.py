"""Rule parameters of personal account tiers (domain spec 5 and Appendix A, acct.*).

Every limit is a dated parameter: an approved ``RuleParameter`` row with an ``effective_from`` date
overrides the default from that day on, and a transaction is measured against the value in force on
its own day (Asia/Shanghai). Amounts are yuan as strings.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q

from kehu.accounts.rules import Limits
from kehu.core.models import RuleParameter
from kehu.core.params import REGISTRY, ParamSpec

AMOUNT = (str, int)
SRC_302 = "银发〔2016〕302号 (via bank and news pages); domain spec 5.1"
SRC_16 = "银发〔2018〕16号 (via a bank's customer notice and news); domain spec 5.1"

PARAMS = [
    ParamSpec("acct.class1_max_per_bank", 1, "accounts", "pub_confirmed", "银发〔2016〕302号; domain spec 5.1",
              "Class I accounts one person may hold at this bank.", int),
    ParamSpec("acct.class2_max_per_bank", 5, "accounts", "pub_confirmed", "银发〔2016〕302号 (in principle); domain spec 5.1",
              "Class II accounts one person may hold at this bank.", int),
    ParamSpec("acct.class3_max_per_bank", 5, "accounts", "pub_confirmed", "银发〔2016〕302号 (in principle); domain spec 5.1",
              "Class III accounts one person may hold at this bank.", int),
    ParamSpec("acct.class2_in_day", "10000.00", "CNY", "pub_confirmed", SRC_302,
              "Class II inflows from non-bound accounts plus cash deposits, per day.", AMOUNT),
    ParamSpec("acct.class2_in_year", "200000.00", "CNY", "pub_confirmed", SRC_302,
              "Class II inflows from non-bound accounts plus cash deposits, per calendar year.", AMOUNT),
    ParamSpec("acct.class2_out_day", "10000.00", "CNY", "pub_confirmed", SRC_302,
              "Class II consumption and payments, transfers to non-bound accounts and cash withdrawals, per day.",
              AMOUNT),
    ParamSpec("acct.class2_out_year", "200000.00", "CNY", "pub_confirmed", SRC_302,
              "Class II consumption and payments, transfers to non-bound accounts and cash withdrawals, per "
              "calendar year.", AMOUNT),
    ParamSpec("acct.class3_balance_cap", "2000.00", "CNY", "pub_confirmed", SRC_16 + " (was ¥1,000 under 302号)",
              "Class III balance at any time.", AMOUNT),
    ParamSpec("acct.class3_out_day", "2000.00", "CNY", "pub_confirmed", SRC_16 + " (was ¥5,000)",
              "Class III consumption and payments plus transfers to non-bound accounts, per day.", AMOUNT),
    ParamSpec("acct.class3_out_year", "50000.00", "CNY", "pub_confirmed", SRC_16 + " (was ¥100,000)",
              "Class III consumption and payments plus transfers to non-bound accounts, per calendar year.", AMOUNT),
    ParamSpec("acct.class3_in_day", "5000.00", "CNY", "pub_to_verify", SRC_302 + " (reported unchanged by 16号)",
              "Class III inflows from non-bound accounts, per day.", AMOUNT),
    ParamSpec("acct.class3_in_year", "100000.00", "CNY", "pub_to_verify", SRC_302 + " (reported unchanged by 16号)",
              "Class III inflows from non-bound accounts, per calendar year.", AMOUNT),
    ParamSpec("acct.class3_kyc_trigger_cumulative", "50000.00", "CNY", "source", "银发〔2018〕16号 一(五); S6",
              "A person's two-way total across all Class III accounts at which a valid ID is required.", AMOUNT),
    ParamSpec("acct.class3_kyc_due_days", 7, "days", "source", "银发〔2018〕16号 一(五); S6",
              "Days after the trigger within which the person must provide a valid ID.", int),
    ParamSpec("acct.overdue_action", "suspend", "", "proposed", "domain spec A-5 (suspension assumed; Appendix D item 4)",
              "What an overdue remediation task does: 'suspend' Class III business or 'alert' only.", str),
    ParamSpec("acct.mode", "monitoring", "", "proposed", "domain spec 5 (kehu is not the ledger)",
              "'monitoring': posted transactions are counted and breaches raised; 'gate': a posting that "
              "breaks a limit is refused and changes no counter.", str),
    ParamSpec("acct.aml_retention_years", 10, "years", "proposed",
              "2022年1号令 (customer identity data and transaction records >= 5 y after the relationship or the "
              "transaction ends); domain spec 10.6 default 10 y pending the new AML rules",
              "A customer with an account opened or a transaction within this many years is under an AML hold: "
              "the retention sweeper restricts, never erases, their records (PI-9).", int),
]

# Limits field -> parameter code
LIMIT_PARAMS = {
    "class2_in_day": "acct.class2_in_day",
    "class2_in_year": "acct.class2_in_year",
    "class2_out_day": "acct.class2_out_day",
    "class2_out_year": "acct.class2_out_year",
    "class3_balance": "acct.class3_balance_cap",
    "class3_out_day": "acct.class3_out_day",
    "class3_out_year": "acct.class3_out_year",
    "class3_in_day": "acct.class3_in_day",
    "class3_in_year": "acct.class3_in_year",
}


def limits_on(days: set[date] | list[date]) -> dict:
    """The ``rules.Limits`` in force on each day, with one query for all days (the ingest asks for
    hundreds). Resolves like ``core.params.get_param``: the newest approved row effective that day."""

    codes = list(LIMIT_PARAMS.values())
    rows = list(RuleParameter.objects.filter(code__in=codes, status=RuleParameter.Status.APPROVED)
                .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=min(days, default=date.min)))
                .order_by("-effective_from", "-approved_at"))
    out = {}
    for day in days:
        values = {}
        for field, code in LIMIT_PARAMS.items():
            value = REGISTRY[code].default
            for row in rows:
                if row.code == code and row.effective_from <= day and (row.effective_to is None or
                                                                       row.effective_to >= day):
                    value = row.value
                    break
            values[field] = int(Decimal(str(value)) * 100)
        out[day] = Limits(**values)
    return out


def values_on(day: date) -> dict:
    """Every acct.* parameter in force on ``day``, with one query (a gate check asks for several)."""

    values = {spec.code: spec.default for spec in PARAMS}
    seen = set()
    rows = (RuleParameter.objects.filter(code__startswith="acct.", status=RuleParameter.Status.APPROVED,
                                         effective_from__lte=day)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
            .order_by("-effective_from", "-approved_at").values_list("code", "value"))
    for code, value in rows:
        if code not in seen and code in REGISTRY:
            seen.add(code)
            values[code] = value
    return values


def limits_from(values: dict):
    return Limits(**{field: int(Decimal(str(values[code])) * 100) for field, code in LIMIT_PARAMS.items()})


def limits_for(day: date):
    return limits_from(values_on(day))

# The schedules of the app's jobs (kehu.accounts.jobs reads them).
PARAMS += [
    ParamSpec("acct.class3_sweep_time", "02:00", "HH:MM (Asia/Shanghai)", "proposed", "domain spec Appendix B",
              "Time of day from which the nightly Class III cumulative check (accounts.class3_cumulative) is due.",
              str),
]
