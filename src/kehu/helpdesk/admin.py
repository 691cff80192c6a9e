"""Admin for the helpdesk's configuration (calendar, working hours, SLA policies, knowledge articles),
gated by kehu roles and audited like every other write; tickets are shown read-only to service staff
within their scope, since every ticket change must go through the services (state machine, clocks)."""

from django.contrib import admin

from kehu.core.admin import AuditedAdmin, RoleGated
from kehu.core.errors import PermissionDenied
from kehu.core.models import CalendarOverride, WorkingHours
from kehu.helpdesk import permissions as P
from kehu.helpdesk import selectors
from kehu.helpdesk.models import ComplaintCategory, KnowledgeArticle, SlaPolicy, Ticket


class ServiceConfigAdmin(AuditedAdmin):
    kehu_perm = P.CONFIGURE


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(ServiceConfigAdmin):
    list_display = ("day", "org_path", "working", "note")
    list_filter = ("working",)
    search_fields = ("org_path", "note")


@admin.register(WorkingHours)
class WorkingHoursAdmin(ServiceConfigAdmin):
    list_display = ("org_path", "sessions")


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(ServiceConfigAdmin):
    list_display = ("title", "tags", "updated_at")
    search_fields = ("title", "body", "tags")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ServiceConfigAdmin):
    list_display = ("name", "kind", "priority", "customer_grade", "channel", "customer", "first_response_amount",
                    "first_response_unit", "resolution_amount", "resolution_unit", "active")
    list_filter = ("active", "kind", "channel", "priority")
    search_fields = ("name",)
    raw_id_fields = ("customer",)  # a select over every customer would not load with many customers


@admin.register(Ticket)
class TicketAdmin(RoleGated, admin.ModelAdmin):
    kehu_perm = P.VIEW
    list_display = ("pk", "kind", "customer", "subject", "state", "priority", "channel", "resolution_due", "breached")
    list_filter = ("kind", "state", "priority", "channel", "breached")
    search_fields = ("subject",)
    list_select_related = ("customer",)
    show_full_result_count = False

    def get_queryset(self, request):
        try:
            return selectors.ticket_list(user=request.user)
        except PermissionDenied:  # a superuser without a service role sees no tickets
            return Ticket.objects.none()

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(ServiceConfigAdmin):
    list_display = ("name", "active", "position")
    list_editable = ("active", "position")
    search_fields = ("name",)
