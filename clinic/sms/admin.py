from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import ngettext

from clinic.core.phones import PhoneSearchMixin

from . import services
from .models import Message


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", "Needs attention (failed, undelivered, unknown)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.needs_attention()
        return queryset


@admin.register(Message)
class MessageAdmin(PhoneSearchMixin, admin.ModelAdmin):
    """The SMS log: read-only, because a text that went out cannot be changed; resend makes a new row."""

    list_display = ["created_at", "kind", "to", "status", "due_at", "attempts", "error_code", "appointment"]
    list_filter = [NeedsAttentionFilter, "status", "kind"]
    search_fields = ["to", "provider_id"]
    # Reception types numbers the way patients say them (07700 900123); the log stores E.164.
    phone_search_fields = ("to",)
    date_hierarchy = "created_at"
    list_select_related = ["appointment"]
    actions = ["resend"]
    fields = [
        "kind",
        "to",
        "body",
        "status",
        "due_at",
        "attempts",
        "sent_at",
        "provider_id",
        "error_code",
        "error_message",
        "appointment",
        "callback_request",
        "resent_from",
        "resent_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        # The log is read-only in admin, so "change" on SMS messages is what allows a resend.
        return request.user.has_perm("sms.change_message")

    @admin.action(description="Send the selected messages again (as new messages)", permissions=["resend"])
    def resend(self, request, queryset):
        resent, refused = 0, []
        for message in queryset:
            try:
                with transaction.atomic():
                    services.resend_message(message=message, by_user=request.user)
                resent += 1
            except services.SMSError as error:
                refused.append(f"{message.to}: {error.message}")
        if resent:
            self.message_user(
                request, ngettext("%d message queued again.", "%d messages queued again.", resent) % resent
            )
        for text in refused:
            self.message_user(request, text, level=messages.WARNING)
