from django.contrib import admin

from .models import PersonalField, PrivacyNotice, ProcessingPurpose, RetentionPolicy


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    list_display = ("version", "effective_from", "created_at")


@admin.register(ProcessingPurpose)
class ProcessingPurposeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "legal_basis", "essential")


@admin.register(PersonalField)
class PersonalFieldAdmin(admin.ModelAdmin):
    list_display = ("model", "field", "purpose", "sensitive", "jr0171_class")


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ("data_class", "name", "period_days", "action", "basis", "active")
