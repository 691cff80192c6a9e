"""Read-only views of the outbox for the system administrator: delivery status, never the text of a
message to someone (it may carry a link that is still valid)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kehu.core.admin import RoleGated

from .models import Message, SignedLink
from .services import _masked


class ReadOnly(RoleGated, admin.ModelAdmin):
    kehu_perm = "user.manage"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(ReadOnly):
    list_display = ("pk", "channel", "masked_recipient", "purpose", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "channel", "purpose")
    fields = ("channel", "masked_recipient", "subject", "purpose", "related_type", "related_id", "status",
              "attempts", "next_attempt_at", "last_error", "created_at", "sent_at")
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("recipient"))
    def masked_recipient(self, obj):
        return _masked(obj.channel, obj.recipient)


@admin.register(SignedLink)
class SignedLinkAdmin(ReadOnly):
    list_display = ("pk", "purpose", "target_type", "target_id", "expires_at", "used_at")
    list_filter = ("purpose",)
    exclude = ("nonce_hash",)
    show_full_result_count = False
