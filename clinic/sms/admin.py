from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import ngettext
from phonenumber_field.phonenumber import PhoneNumber
from phonenumbers import NumberParseException

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
class MessageAdmin(admin.ModelAdmin):
    """The SMS log: read-only, because a text that went out cannot be changed; resend makes a new row."""

    list_display = ["created_at", "kind", "to", "status", "due_at", "attempts", "error_code", "appointment"]
    list_filter = [NeedsAttentionFilter, "status", "kind"]
    search_fields = ["to", "provider_id"]
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

    def get_search_results(self, request, queryset, search_term):
        # Reception types numbers the way patients say them (07700 900123); the log stores E.164.
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            number = PhoneNumber.from_string(search_term.strip())
        except NumberParseException:
            return results, may_have_duplicates
        return results | queryset.filter(to=number.as_e164), may_have_duplicates

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
