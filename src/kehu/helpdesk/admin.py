from django.contrib import admin

from .models import CalendarOverride, KnowledgeArticle, WorkingHours


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("day", "org_path", "working", "note")
    list_filter = ("working",)
    search_fields = ("org_path", "note")


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ("org_path", "sessions")


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "tags", "updated_at")
    search_fields = ("title", "body", "tags")
