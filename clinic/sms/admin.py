from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import ngettext

from clinic.core.admin import ReadOnlyAdmin, admin_link
from clinic.core.phones import PhoneSearchMixin

from . import kinds, services
from .models import IncomingText, Message, TextConsent


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", "Needs attention (failed, undelivered, unknown)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.needs_attention()
        return queryset


class KindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return kinds.choices()

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Message)
class MessageAdmin(PhoneSearchMixin, ReadOnlyAdmin):
    """The SMS log: read-only, because a text that went out cannot be changed; resend makes a new row."""

    list_display = ["created_at", "kind_label", "to", "status", "due_at", "attempts", "error_code", "about_link"]
    list_filter = [NeedsAttentionFilter, "status", KindFilter]
    search_fields = ["to", "provider_id"]
    # Reception types numbers the way patients say them (07700 900123); the log stores E.164.
    phone_search_fields = ("to",)
    date_hierarchy = "created_at"
    list_select_related = ["about_type"]
    actions = ["resend"]
    fields = [
        "kind_label",
        "to",
        "body",
        "status",
        "due_at",
        "any_hour",
        "attempts",
        "attempted_at",
        "sent_at",
        "redacted_at",
        "reconciled_at",
        "provider_id",
        "error_code",
        "error_message",
        "about_link",
        "resent_from",
        "resent_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    @admin.display(description="kind", ordering="kind")
    def kind_label(self, obj):
        return obj.kind_label

    @admin.display(description="about")
    def about_link(self, obj):
        return admin_link(obj.about_type, obj.about_id)

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


@admin.register(IncomingText)
class IncomingTextAdmin(PhoneSearchMixin, ReadOnlyAdmin):
    """Texts patients sent, and what each did: read-only, like the SMS log."""

    list_display = ["received_at", "sender", "short_body", "action", "contact_link", "about_link", "reply_status"]
    list_filter = ["action", "provider_keyword"]
    search_fields = ["sender", "body"]
    phone_search_fields = ("sender",)
    date_hierarchy = "received_at"
    list_select_related = ["contact_type", "about_type"]
    fields = ["received_at", "sender", "body", "action", "detail", "contact_link", "about_link", "replies_sent"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("replies")

    @admin.display(description="text")
    def short_body(self, obj):
        return obj.body if len(obj.body) <= 60 else obj.body[:59] + "…"

    @admin.display(description="from")
    def contact_link(self, obj):
        return admin_link(obj.contact_type, obj.contact_id, str(obj.contact) if obj.contact_type_id else "")

    @admin.display(description="about")
    def about_link(self, obj):
        return admin_link(obj.about_type, obj.about_id)

    @admin.display(description="reply")
    def reply_status(self, obj):
        replies = list(obj.replies.all())
        return ", ".join(r.get_status_display() for r in replies) or "-"

    @admin.display(description="replies")
    def replies_sent(self, obj):
        return (
            format_html_join(
                "\n",
                '<p><a href="{}">{}</a>: {}</p>',
                (
                    (reverse("admin:sms_message_change", args=[r.pk]), r.get_status_display(), r.body)
                    for r in obj.replies.all()
                ),
            )
            or "-"
        )


@admin.register(TextConsent)
class TextConsentAdmin(PhoneSearchMixin, ReadOnlyAdmin):
    """Who opted out of (or back in to) reminders and offers, when and how."""

    list_display = ["at", "phone", "opted_out", "how"]
    list_filter = ["opted_out"]
    search_fields = ["phone"]
    phone_search_fields = ("phone",)
    date_hierarchy = "at"
