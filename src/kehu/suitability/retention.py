"""Suitability records in the retention registry (M-13: ≥ 20 y, PI-5, PI-9), registered from
SuitabilityConfig.ready(): the hold they put on a person while any of them is within its ``retain_until``, and
the data class the privacy sweeper deletes once every record of an investor has passed it (an administrator
may still purge one record early with ``record_purge``, under the same rule)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.retention import (
    DELETE,
    DataClass,
    HoldRule,
    SubjectSection,
    register_data_class,
    register_hold_rule,
    register_subject_section,
    when,
)
from kehu.suitability.models import (
    InvestorProfile,
    ProfessionalDecision,
    ProfileEvidence,
    RiskAssessment,
    Subscription,
    SubscriptionStatusChange,
    SuitabilityCheck,
)


def _held(today: date):
    return InvestorProfile.objects.filter(
        Q(retain_until__gte=today) | Q(assessments__retain_until__gte=today)
        | Q(subscriptions__retain_until__gte=today)).values("customer_id")


def _expired(cutoff):
    """The investor profiles none of whose records (profile, evidence, assessments, professional decisions,
    subscriptions, suitability checks) is kept on or after ``cutoff``'s day."""

    # The keeping periods are business days: the day in Asia/Shanghai, not the UTC date of an aware datetime
    # (between 00:00 and 08:00 local time the two differ by one).
    day = timezone.localdate(cutoff)
    kept = SuitabilityCheck.objects.filter(retain_until__gte=day).values("investor_id")
    return (InvestorProfile.objects.filter(retain_until__lt=day)
            .exclude(evidence__retain_until__gte=day).exclude(assessments__retain_until__gte=day)
            .exclude(professional_decisions__retain_until__gte=day).exclude(subscriptions__retain_until__gte=day)
            .exclude(pk__in=kept))


def _apply(queryset, action: str, now) -> int:
    """Delete the investors' records, dependants first (every foreign key among them is PROTECT). The customer
    and the documents filed as evidence stay: they belong to the customer's file and its own period."""

    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return 0
    subscriptions = Subscription.objects.filter(investor_id__in=ids)
    SuitabilityCheck.objects.filter(investor_id__in=ids).delete()
    SubscriptionStatusChange.objects.filter(subscription__in=subscriptions.values("pk")).delete()
    subscriptions.delete()
    ProfessionalDecision.objects.filter(profile_id__in=ids).delete()
    RiskAssessment.objects.filter(profile_id__in=ids).delete()
    ProfileEvidence.objects.filter(profile_id__in=ids).delete()
    deleted, _by_model = InvestorProfile.objects.filter(pk__in=ids).delete()
    return len(ids) if deleted else 0



def _subject_profile(customer_id: int) -> list[dict]:
    """What the firm recorded of the investor (中证协发[2012]206号 M-4) and the risk assessments (PIPL Art.45)."""
    rows: list[dict] = []
    for p in InvestorProfile.objects.filter(customer_id=customer_id):
        rows.append({"记录": "投资者信息", "投资者类型": p.get_investor_kind_display(),
                     "金融资产": str(p.financial_assets_amount),
                     "家庭金融净资产": str(p.household_financial_net_assets_amount),
                     "近三年年均收入": str(p.average_income_amount), "净资产": str(p.net_assets_amount),
                     "投资经验(年)": p.investment_experience_years, "专业投资者": p.professional,
                     "更新时间": when(p.updated_at)})
        rows.extend({"记录": "风险测评", "测评时间": when(a.assessed_at), "得分": a.score,
                     "投资者类别": a.get_investor_class_display(), "有效期至": when(a.valid_until)}
                    for a in RiskAssessment.objects.filter(profile=p).order_by("assessed_at", "pk"))
        rows.extend({"记录": "产品认购", "产品": s.product.name, "金额": str(s.amount), "币种": s.currency,
                     "认购日期": when(s.subscribed_on), "状态": s.get_state_display()}
                    for s in Subscription.objects.filter(investor=p).select_related("product").order_by("pk"))
    return rows


def register() -> None:
    register_data_class(DataClass(
        code="suitability_record", label=_("Suitability records"), app="suitability", level="rows",
        default_days=0, default_action=DELETE, actions=(DELETE,),
        basis="中证协发[2012]206号 / domain spec M-13: 至少 20 年 (各记录的保存期限)", expired=_expired, apply=_apply,
        customer_field="customer_id", clock=_("the end of the keeping period of the investor's last record"),
        order=60))
    register_hold_rule(HoldRule(code="suitability", label=_("Suitability records (≥ 20 years)"), app="suitability",
                                customers=_held))
    register_subject_section(SubjectSection(code="suitability", title="投资者适当性", app="suitability",
                                            rows=_subject_profile, order=70))
