"""Admin: new questionnaire versions are configuration (audited); every suitability record is shown
read-only and can never be deleted here (M-13: 20 years; ``services.record_purge`` applies the rule)."""

from django.contrib import admin

from kehu.core.admin import AuditedAdmin, RoleGated
from kehu.core.errors import PermissionDenied
from kehu.suitability.selectors import (
    _scoped,
    filings_visible_to,
    profiles_visible_to,
    subscriptions_visible_to,
)

from . import permissions as P
from .models import Filing, Product, Questionnaire, RiskAssessment, Subscription, SuitabilityCheck


@admin.register(Questionnaire)
class QuestionnaireAdmin(AuditedAdmin):
    kehu_perm = P.PRODUCT
    list_display = ("version", "title", "active", "created_at")

    def has_delete_permission(self, request, obj=None):
        return False  # assessments keep the version they were answered on


class ReadOnly(RoleGated, admin.ModelAdmin):
    kehu_perm = P.VIEW
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(ReadOnly):
    list_display = ("code", "name", "plan_kind", "product_type", "risk_level", "minimum_amount", "max_investors")


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnly):
    list_display = ("pk", "product", "amount", "state", "subscribed_on", "rule_version")
    list_filter = ("state", "rule_version")

    def get_queryset(self, request):
        try:
            return subscriptions_visible_to(request.user)
        except PermissionDenied:  # a superuser without a suitability role sees none
            return Subscription.objects.none()


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ReadOnly):
    list_display = ("pk", "investor_class", "score", "assessed_at", "valid_until", "expired")

    def get_queryset(self, request):
        try:
            return RiskAssessment.objects.filter(profile__in=profiles_visible_to(request.user))
        except PermissionDenied:
            return RiskAssessment.objects.none()


@admin.register(SuitabilityCheck)
class SuitabilityCheckAdmin(ReadOnly):
    list_display = ("pk", "product", "investor_class", "product_risk", "allowed", "needs_warning", "reason_code",
                    "checked_at")
    list_filter = ("reason_code", "allowed")

    def get_queryset(self, request):
        try:
            return _scoped(SuitabilityCheck.objects.all(), request.user, P.VIEW)
        except PermissionDenied:
            return SuitabilityCheck.objects.none()


@admin.register(Filing)
class FilingAdmin(ReadOnly):
    list_display = ("subject", "kind", "org_unit", "trigger_date", "due_date", "status")
    list_filter = ("kind", "status")

    def get_queryset(self, request):
        try:
            return filings_visible_to(request.user)
        except PermissionDenied:
            return Filing.objects.none()
