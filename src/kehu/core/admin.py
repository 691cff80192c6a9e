"""Django admin for configuration: org units, users, role assignments, parameters, tokens.

Admin saves are audited like service writes; status-like fields are read-only here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from kehu.core import services
from kehu.core.audit import Event, audit_record
from kehu.core.duties import check_roles
from kehu.core.errors import DomainError
from kehu.core.models import ApiToken, AuditEvent, OrgUnit, RoleAssignment, RuleParameter, ScheduledRun, User
from kehu.core.params import param_description, param_unit
from kehu.core.selectors import access_for


def _jsonable(obj) -> dict:
    data = model_to_dict(obj)
    data.pop("password", None)
    return {k: (v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v)) for k, v in data.items()}


class RoleGated:
    """Admin access follows the kehu role (sysadmin: org units, users, parameters), not Django's
    per-model permissions, which kehu never grants. Subclasses may still refuse more (no adding tokens)."""

    kehu_perm = "user.manage"

    def _kehu_allowed(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and (user.is_superuser or access_for(user).has(self.kehu_perm))

    def has_module_permission(self, request):
        return self._kehu_allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._kehu_allowed(request)

    def has_add_permission(self, request, obj=None):
        return self._kehu_allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._kehu_allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._kehu_allowed(request)


class AuditedAdmin(RoleGated, admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            old = _jsonable(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user, event_code=Event.ADMIN_CHANGE, object_type=obj._meta.model_name,
                object_id=obj.pk, old=old, new=_jsonable(obj), channel="admin",
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            old = _jsonable(obj)
            pk = obj.pk
            super().delete_model(request, obj)
            audit_record(actor=request.user, event_code=Event.ADMIN_CHANGE, object_type=obj._meta.model_name,
                         object_id=pk, old=old, new=None, reason="deleted", channel="admin")


@admin.register(OrgUnit)
class OrgUnitAdmin(AuditedAdmin):
    kehu_perm = "org.manage"
    list_display = ("code", "name", "parent", "path", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("path",)

    def save_model(self, request, obj, form, change):
        obj.path = (obj.parent.path if obj.parent else "/") + obj.code + "/"
        super().save_model(request, obj, form, change)


def _sod_error(roles) -> str | None:
    """The separation-of-duties message for this set of roles, or None (kehu.core.duties is the rule)."""

    try:
        check_roles(roles)
    except DomainError as exc:
        return str(exc.message)
    return None


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "org_unit", "department", "own_customers_only"]

    def clean(self):
        data = super().clean()
        user, role = data.get("user"), data.get("role")
        if user is not None and role:
            others = RoleAssignment.objects.filter(user=user).exclude(pk=self.instance.pk)
            error = _sod_error({role, *others.values_list("role", flat=True)})
            if error:
                self.add_error("role", error)
        return data


class RoleAssignmentFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        roles = {form.cleaned_data["role"] for form in self.forms
                 if getattr(form, "cleaned_data", None) and form.cleaned_data.get("role")
                 and not form.cleaned_data.get("DELETE")}
        error = _sod_error(roles)
        if error:
            raise forms.ValidationError(error)


class RoleAssignmentInline(RoleGated, admin.TabularInline):
    model = RoleAssignment
    formset = RoleAssignmentFormSet
    extra = 0


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ("username", "display_name", "org_unit", "is_active", "locked_until", "last_login")
    list_filter = ("is_active", "org_unit")
    readonly_fields = ("failed_logins", "locked_until", "password_changed_at", "last_login", "date_joined")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("kehu"), {"fields": ("org_unit", "display_name", "failed_logins",
                                                                   "locked_until", "password_changed_at")}))
    inlines = [RoleAssignmentInline]
    actions = ["unlock"]

    def get_readonly_fields(self, request, obj=None):
        # Separation of duties: only a superuser (the installation's bootstrap account) hands out Django
        # superuser rights or raw Django permissions; a kehu sysadmin manages roles through kehu roles.
        fields = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ("is_superuser", "groups", "user_permissions")
        return fields

    def get_inline_instances(self, request, obj=None):
        # Nobody edits their own roles: a sysadmin cannot make themselves a committee member.
        if obj is not None and obj.pk == request.user.pk and not request.user.is_superuser:
            return []
        return super().get_inline_instances(request, obj)

    @admin.action(description=_("Unlock the selected accounts"))
    def unlock(self, request, queryset):
        for user in queryset:
            services.user_unlock(user=user, actor=request.user)
        self.message_user(request, _("Unlocked."), messages.SUCCESS)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    form = RoleAssignmentForm
    list_display = ("user", "role", "org_unit", "department", "own_customers_only")
    list_filter = ("role", "department")

    def save_model(self, request, obj, form, change):
        if obj.user_id == request.user.pk and not request.user.is_superuser:

            raise DjangoPermissionDenied(_("You cannot change your own roles."))
        super().save_model(request, obj, form, change)


@admin.register(RuleParameter)
class RuleParameterAdmin(RoleGated, admin.ModelAdmin):
    kehu_perm = "param.manage"
    list_display = ("code", "meaning", "value", "unit_label", "effective_from", "effective_to", "status", "proposed_by",
                    "approved_by")
    list_filter = ("status", "provenance")
    search_fields = ("code",)
    readonly_fields = ("meaning", "status", "proposed_by", "approved_by", "approved_at", "provenance", "source_ref",
                       "unit_label")

    @admin.display(description=_("meaning"))
    def meaning(self, obj):
        return param_description(obj.code) if obj and obj.code else ""

    @admin.display(description=_("unit"))
    def unit_label(self, obj):
        return param_unit(obj.code) if obj and obj.code else ""
    actions = ["approve"]

    def save_model(self, request, obj, form, change):
        if change:
            self.message_user(request, _("A decided parameter cannot be edited; propose a new row."), messages.ERROR)
            return
        try:
            row = services.parameter_propose(code=obj.code, value=obj.value, effective_from=obj.effective_from,
                                             reason=obj.reason, actor=request.user)
            obj.pk = row.pk
        except DomainError as exc:
            self.message_user(request, str(exc), messages.ERROR)

    @admin.action(description=_("Approve the selected parameter changes"))
    def approve(self, request, queryset):
        for row in queryset:
            try:
                services.parameter_approve(parameter_id=row.pk, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{row.code}: {exc}", messages.ERROR)


@admin.register(ApiToken)
class ApiTokenAdmin(RoleGated, admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "user", "created_at")

    def has_add_permission(self, request):
        return False  # tokens are created with `kehu token create`, which shows the token once


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("id", "ts", "actor_name", "event", "object_type", "object_id", "customer_id")
    list_filter = ("event",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScheduledRun)
class ScheduledRunAdmin(RoleGated, admin.ModelAdmin):
    """Read-only: runs are written by `kehu schedule run` only."""

    list_display = ("job", "slot", "state", "attempts", "started_at", "finished_at")
    list_filter = ("job", "state")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

